using System.Net;
using System.Text.RegularExpressions;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Market.Web.Tests.Accounts;

/// <summary>Links the app mails point at its configured public address, whatever Host header a request carried.</summary>
[Trait("Database", "Independent")]
public sealed partial class PublicLinkTests
{
    [Fact]
    public async Task Register_HostileHostHeader_ConfirmationLinkUsesThePublicBaseUrl()
    {
        await using var app = new MarketFactory();
        app.Settings["Market:PublicBaseUrl"] = "https://market.example.org/sonnenfeld";
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        browser.DefaultRequestHeaders.Host = "evil.example";

        var response = await RegisterAsync(browser, "hanna@example.org");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var mail = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(app.DataDirectory, "outbox")).Single());
        ConfirmationLink().Match(mail).Value.ShouldStartWith("https://market.example.org/sonnenfeld/account/confirm?userId=");
        mail.ShouldNotContain("evil.example");
    }

    [Fact]
    public async Task Register_NoPublicBaseUrlOutsideProduction_LinkUsesTheAppsOwnAddressNotTheHostHeader()
    {
        await using var app = new MarketFactory();
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        browser.DefaultRequestHeaders.Host = "evil.example";

        await RegisterAsync(browser, "ivo@example.org");

        var mail = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(app.DataDirectory, "outbox")).Single());
        ConfirmationLink().Match(mail).Value.ShouldStartWith("http://localhost/account/confirm?userId=");
    }

    [Theory]
    [InlineData("market.example.org")]
    [InlineData("ftp://market.example.org/")]
    [InlineData("https://market.example.org/?x=1")]
    [InlineData("https://user:secret@market.example.org/")]
    public async Task Start_PublicBaseUrlNotAnAbsoluteWebAddress_FailsNamingTheSetting(string value)
    {
        await using var app = new MarketFactory();
        app.Settings["Market:PublicBaseUrl"] = value;

        var failure = Should.Throw<Exception>(() => app.Services);

        failure.ToString().ShouldContain("Market:PublicBaseUrl");
    }

    [Fact]
    public async Task Start_ProductionOutsideDemoModeWithoutPublicBaseUrl_FailsNamingTheSetting()
    {
        await using var market = new MarketFactory();
        market.Settings["Demo:Enabled"] = "false";
        await using var app = market.WithWebHostBuilder(b => b.UseEnvironment("Production"));

        var failure = Should.Throw<Exception>(() => app.Services);

        failure.ToString().ShouldContain("Market:PublicBaseUrl: required in Production outside demo mode");
    }

    [Fact]
    public async Task Start_ProductionOutsideDemoModeWithPublicBaseUrl_Starts()
    {
        await using var market = new MarketFactory();
        market.Settings["Demo:Enabled"] = "false";
        market.Settings["Market:PublicBaseUrl"] = "https://market.example.org/";
        await using var app = market.WithWebHostBuilder(b => b.UseEnvironment("Production"));

        using var client = app.CreateClient();

        (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<HttpResponseMessage> RegisterAsync(HttpClient browser, string email)
    {
        var token = await CookieSignIn.AntiforgeryTokenAsync(browser, "/account/register");
        return await browser.PostAsync(new Uri("/account/register", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "register",
            ["Input.HouseholdName"] = "Hanna's",
            ["Input.Email"] = email,
            ["Input.Password"] = "A long household passphrase 3",
            ["Input.ConfirmPassword"] = "A long household passphrase 3",
            ["Input.PvPeakKw"] = "4",
            ["Input.MaxImportKw"] = "11",
            ["Input.TimeZone"] = "Europe/Berlin",
        }));
    }

    [GeneratedRegex(@"\S+/account/confirm\?\S+")]
    private static partial Regex ConfirmationLink();
}
