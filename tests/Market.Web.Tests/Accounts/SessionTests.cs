using System.Net;
using System.Security.Claims;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Accounts;

/// <summary>
/// A signed-in browser is a session on the server: signing out (only with the form's antiforgery token) ends it for
/// good, on every node, and leaves the household's other browsers and its API tokens alone.
/// </summary>
public sealed class SessionTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_RefusedAndStillSignedIn()
    {
        var (browser, _) = await SignedInAsync(_app, "anna@demo.energy");
        using var forged = new HttpRequestMessage(HttpMethod.Post, new Uri("/account/logout", UriKind.Relative)) { Content = new FormUrlEncodedContent([]) };
        forged.Headers.Add("Origin", "https://evil.example");

        var response = await browser.SendAsync(forged);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await StatusOfAccountPageAsync(browser)).ShouldBe("signed in");
    }

    [Fact]
    public async Task SignOut_CookieCopiedBeforeReplayedAfter_Refused()
    {
        var (browser, cookie) = await SignedInAsync(_app, "anna@demo.energy");
        using var thief = WithCookie(_app, cookie);
        (await StatusOfAccountPageAsync(thief)).ShouldBe("signed in");

        (await SignOutAsync(browser)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        (await StatusOfAccountPageAsync(thief)).ShouldBe("sent to sign in");
        (await StatusOfAccountPageAsync(browser)).ShouldBe("sent to sign in");
    }

    [Fact]
    public async Task SignOut_OnOneNode_ItsCookieRefusedOnTheOtherNode()
    {
        await using var other = new MarketFactory(_app.DataDirectory);
        var (browser, cookie) = await SignedInAsync(_app, "anna@demo.energy");
        using var onOtherNode = WithCookie(other, cookie);
        (await StatusOfAccountPageAsync(onOtherNode)).ShouldBe("signed in");

        await SignOutAsync(browser);

        (await StatusOfAccountPageAsync(onOtherNode)).ShouldBe("sent to sign in");
    }

    [Fact]
    public async Task SignOut_OneBrowser_TheHouseholdsOtherBrowserStaysSignedIn()
    {
        var (laptop, _) = await SignedInAsync(_app, "anna@demo.energy");
        var (phone, _) = await SignedInAsync(_app, "anna@demo.energy");

        await SignOutAsync(laptop);

        (await StatusOfAccountPageAsync(laptop)).ShouldBe("sent to sign in");
        (await StatusOfAccountPageAsync(phone)).ShouldBe("signed in");
    }

    [Fact]
    public async Task SignOut_Everywhere_EveryBrowserOfTheHouseholdOutAndItsTokensStillWork()
    {
        var (laptop, _) = await SignedInAsync(_app, "anna@demo.energy");
        var (phone, _) = await SignedInAsync(_app, "anna@demo.energy");
        var (neighbour, _) = await SignedInAsync(_app, "ben@demo.energy");
        using var agent = await ApiClient.ForAsync(_app, "anna@demo.energy");

        await SignOutAsync(laptop, everywhere: true);

        (await StatusOfAccountPageAsync(laptop)).ShouldBe("sent to sign in");
        (await StatusOfAccountPageAsync(phone)).ShouldBe("sent to sign in");
        (await StatusOfAccountPageAsync(neighbour)).ShouldBe("signed in");
        (await agent.GetAsync(new Uri("/api/orders", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ChangePassword_OtherBrowsersSignedOut_ThisBrowserAndTokensKeepWorking()
    {
        var (laptop, _) = await SignedInAsync(_app, "ben@demo.energy");
        var (phone, _) = await SignedInAsync(_app, "ben@demo.energy");
        using var agent = await ApiClient.ForAsync(_app, "ben@demo.energy");

        var html = await ChangePasswordAsync(laptop, CookieSignIn.DemoPassword, "Bens new rooftop passphrase 2");

        html.ShouldContain("data-testid=\"password-changed\"");
        (await StatusOfAccountPageAsync(laptop)).ShouldBe("signed in");
        (await StatusOfAccountPageAsync(phone)).ShouldBe("sent to sign in");
        (await agent.GetAsync(new Uri("/api/orders", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (again, _) = await SignedInAsync(_app, "ben@demo.energy", "Bens new rooftop passphrase 2");
        (await StatusOfAccountPageAsync(again)).ShouldBe("signed in");
    }

    [Fact]
    public async Task ChangePassword_CommonPassword_RefusedSayingWhyAndTheOldOneStillWorks()
    {
        var (browser, _) = await SignedInAsync(_app, "anna@demo.energy");

        var html = await ChangePasswordAsync(browser, CookieSignIn.DemoPassword, "1qaz2wsx3edc4rfv");

        html.ShouldNotContain("data-testid=\"password-changed\"");
        html.ShouldContain("one of the most commonly used passwords");
        (await SignedInAsync(_app, "anna@demo.energy")).Browser.ShouldNotBeNull();
    }

    [Fact]
    public async Task IsOpen_SessionSignedOut_FalseSoOpenPagesDropIt()
    {
        var (browser, _) = await SignedInAsync(_app, "anna@demo.energy");
        var user = await SessionPrincipalAsync("anna@demo.energy");
        var sessions = _app.Get<SessionStore>();
        (await sessions.IsOpenAsync(user)).ShouldBeTrue();

        await SignOutAsync(browser);

        (await sessions.IsOpenAsync(user)).ShouldBeFalse();
    }

    /// <summary>A browser signed in as <paramref name="email"/>, and the value of its sign-in cookie.</summary>
    internal static async Task<(HttpClient Browser, string Cookie)> SignedInAsync(MarketFactory app, string email, string password = CookieSignIn.DemoPassword)
    {
        var cookies = new System.Net.CookieContainer();
        var browser = app.CreateDefaultClient(new Uri("http://localhost/"), new CookieContainerHandler(cookies));
        await CookieSignIn.SignInAsync(browser, email, password);
        return (browser, cookies.GetCookies(new Uri("http://localhost/"))["market.auth"]!.Value);
    }

    internal static async Task<HttpResponseMessage> SignOutAsync(HttpClient browser, bool everywhere = false)
    {
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = await CookieSignIn.AntiforgeryTokenAsync(browser, "/account/password") };
        if (everywhere)
        {
            fields["scope"] = "everywhere";
        }

        return await browser.PostAsync(new Uri("/account/logout", UriKind.Relative), new FormUrlEncodedContent(fields));
    }

    internal static async Task<string> StatusOfAccountPageAsync(HttpClient browser)
    {
        var response = await browser.GetAsync(new Uri("/account", UriKind.Relative));
        return response.StatusCode switch
        {
            HttpStatusCode.OK => "signed in",
            HttpStatusCode.Redirect when response.Headers.Location!.ToString().Contains("/account/login", StringComparison.Ordinal) => "sent to sign in",
            var other => other.ToString(),
        };
    }

    private static HttpClient WithCookie(MarketFactory app, string cookie)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", "market.auth=" + cookie);
        return client;
    }

    private static async Task<string> ChangePasswordAsync(HttpClient browser, string current, string next)
    {
        var token = await CookieSignIn.AntiforgeryTokenAsync(browser, "/account/password");
        var response = await browser.PostAsync(new Uri("/account/password", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "change-password",
            ["Input.Current"] = current,
            ["Input.New"] = next,
            ["Input.Repeat"] = next,
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    // The principal an open page holds: the user and the key of the session it signed in with.
    private async Task<ClaimsPrincipal> SessionPrincipalAsync(string email)
    {
        await using var db = _app.CreateDb();
        var userId = (await db.Users.SingleAsync(u => u.Email == email)).Id;
        var session = await db.UserTokens.SingleAsync(t => t.UserId == userId && t.LoginProvider == SessionStore.Provider);
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId), new Claim(SessionStore.KeyClaim, userId + "|" + session.Name)], "test"));
    }
}
