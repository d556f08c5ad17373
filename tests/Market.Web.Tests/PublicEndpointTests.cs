using System.Net;
using System.Text.Json;
using Market.Web.Tests.Support;

namespace Market.Web.Tests;

/// <summary>What anyone may see, over a market with one cleared trade, which the tests only read.</summary>
public sealed class PublicEndpointTests(ClearedMarket market) : IClassFixture<ClearedMarket>
{
    private readonly MarketFactory _app = market.App;

    [Fact]
    public async Task HealthReady_AfterStart_Healthy()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task LedgerBlocks_Anonymous_ListsGenesisAndClearedBlocksNewestFirst()
    {
        using var client = _app.CreateClient();

        var json = await client.GetStringAsync(new Uri("/api/ledger/blocks", UriKind.Relative));

        using var doc = JsonDocument.Parse(json);
        var heights = doc.RootElement.EnumerateArray().Select(b => b.GetProperty("height").GetInt64()).ToList();
        heights.ShouldBe([5, 4, 3, 2, 1, 0]); // genesis, rules, the witness policy, the households' keys, the order book, the clearing
        var first = doc.RootElement[0];
        first.GetProperty("kind").GetString().ShouldBe("clearing");
        first.GetProperty("headerHash").GetString()!.Length.ShouldBe(64);
    }

    [Fact]
    public async Task BlockPage_Anonymous_ShowsPseudonymsNeverNamesOrEmails()
    {
        using var client = _app.CreateClient();
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var ben = await _app.HouseholdAsync("ben@demo.energy");

        var html = await client.GetStringAsync(new Uri("/ledger/blocks/3", UriKind.Relative));

        html.ShouldContain(Convert.ToHexStringLower(anna.Pseudonym)[..12]);
        // Case-sensitive: the page's prerender markers carry random base64, which now and then spells "ben".
        html.ShouldNotContain("anna@demo.energy");
        html.ShouldNotContain(anna.Name, Case.Sensitive);
        html.ShouldNotContain(ben.Name, Case.Sensitive);
    }

    [Fact]
    public async Task MarketPage_Anonymous_RedirectsToSignIn()
    {
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(new Uri("/market", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/login");
    }
}

public sealed class SecurityHeaderTests(ClearedMarket market) : IClassFixture<ClearedMarket>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/api/ledger/checkpoint")]
    [InlineData("/account/login")]
    public async Task Response_AnyPage_CarriesBaselineSecurityHeaders(string path)
    {
        using var client = market.App.CreateClient();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["strict-origin-when-cross-origin"]);
    }
}
