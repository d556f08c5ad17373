using System.Net;
using System.Text.Json;
using Market.Web.Api;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Api;

/// <summary>The public ledger API is limited per client address, far above what an auditor's verification needs.</summary>
[Trait("Database", "Independent")]
public sealed class LedgerRateLimitTests
{
    [Fact]
    public async Task LedgerApi_MoreRequestsThanTheLimit_429ProblemWithRetryAfter()
    {
        await using var app = new MarketFactory();
        app.Settings["RateLimits:LedgerPerMinute"] = "3";
        using var client = app.CreateClientFrom("198.51.100.1");
        foreach (var path in new[] { "/api/ledger/checkpoint", "/api/ledger/blocks", "/api/ledger/export" })
        {
            (await client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var refused = await client.GetAsync(new Uri("/api/ledger/trades/1/proof", UriKind.Relative));

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(429);
        int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 60);
    }

    [Fact]
    public async Task LedgerApi_ThreeHundredRequestsAtOnceWithTheDefaults_MostRefusedAnotherClientStillServed()
    {
        await using var app = new MarketFactory();
        using var flood = app.CreateClientFrom("198.51.100.1");
        using var auditor = app.CreateClientFrom("198.51.100.2");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
        {
            using var response = await flood.GetAsync(new Uri("/api/ledger/checkpoint", UriKind.Relative));
            return response.StatusCode;
        }));
        using var other = await auditor.GetAsync(new Uri("/api/ledger/export", UriKind.Relative));

        statuses.Count(s => s == HttpStatusCode.OK).ShouldBe(new RateLimitOptions().LedgerPerMinute);
        statuses.Count(s => s == HttpStatusCode.TooManyRequests).ShouldBe(300 - new RateLimitOptions().LedgerPerMinute);
        other.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task LedgerApi_TwoAddressesOfOneIpv6Slash64_ShareOneLimit()
    {
        await using var app = new MarketFactory();
        app.Settings["RateLimits:LedgerPerMinute"] = "2";
        using var first = app.CreateClientFrom("2001:db8:1:2::10");
        using var second = app.CreateClientFrom("2001:db8:1:2:ffff::1");
        using var elsewhere = app.CreateClientFrom("2001:db8:1:3::10");

        var statuses = new[]
        {
            (await first.GetAsync(new Uri("/api/ledger/checkpoint", UriKind.Relative))).StatusCode,
            (await second.GetAsync(new Uri("/api/ledger/checkpoint", UriKind.Relative))).StatusCode,
            (await second.GetAsync(new Uri("/api/ledger/checkpoint", UriKind.Relative))).StatusCode,
            (await elsewhere.GetAsync(new Uri("/api/ledger/checkpoint", UriKind.Relative))).StatusCode,
        };

        statuses.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK]);
    }
}
