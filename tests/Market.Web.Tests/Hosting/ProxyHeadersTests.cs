using System.Net;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Hosting;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto count only from the configured proxies: behind one the app sees the client's
/// address and HTTPS; from anyone else the headers change nothing.
/// </summary>
[Trait("Database", "Independent")]
public sealed class ProxyHeadersTests
{
    private const string Proxy = "10.0.0.5";
    private const string Stranger = "198.51.100.7";

    [Fact]
    public async Task Response_HttpsThroughTheConfiguredProxy_HstsAndSecureCookies()
    {
        await using var app = WithProxy();
        using var client = From(app, Proxy, "203.0.113.7", "https");

        using var form = await client.GetAsync(new Uri("/account/login", UriKind.Relative));
        using var signIn = await SignInAsync(client, form);

        form.Headers.GetValues("Strict-Transport-Security").Single().ShouldStartWith("max-age=");
        Cookie(form, ".AspNetCore.Antiforgery").ShouldContain("secure", Case.Insensitive);
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        Cookie(signIn, "market.auth").ShouldContain("secure", Case.Insensitive);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Response_ForwardedProtoFromAnAddressThatIsNoConfiguredProxy_StaysHttp(bool proxyConfigured)
    {
        await using var app = proxyConfigured ? WithProxy() : new MarketFactory();
        using var client = From(app, proxyConfigured ? Stranger : Proxy, "203.0.113.7", "https");

        using var form = await client.GetAsync(new Uri("/account/login", UriKind.Relative));
        using var signIn = await SignInAsync(client, form);

        form.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        Cookie(form, ".AspNetCore.Antiforgery").ShouldNotContain("secure", Case.Insensitive);
        Cookie(signIn, "market.auth").ShouldNotContain("secure", Case.Insensitive);
    }

    [Fact]
    public async Task RateLimit_ClientsBehindTheConfiguredProxy_EachCountedOnItsOwn()
    {
        await using var app = WithProxy();
        app.Settings["RateLimits:LedgerPerMinute"] = "2";
        using var first = From(app, Proxy, "203.0.113.7");
        using var second = From(app, Proxy, "203.0.113.8");

        var firsts = await CheckpointsAsync(first, 3);
        var seconds = await CheckpointsAsync(second, 1);

        firsts.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);
        seconds.ShouldBe([HttpStatusCode.OK]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RateLimit_ForgedForwardedForFromAnAddressThatIsNoConfiguredProxy_CountsTheSender(bool proxyConfigured)
    {
        await using var app = proxyConfigured ? WithProxy() : new MarketFactory();
        app.Settings["RateLimits:LedgerPerMinute"] = "2";
        var sender = proxyConfigured ? Stranger : Proxy;

        var statuses = new List<HttpStatusCode>();
        foreach (var forged in new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3" })
        {
            using var client = From(app, sender, forged);
            statuses.AddRange(await CheckpointsAsync(client, 1));
        }

        statuses.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);
    }

    [Fact]
    public async Task RateLimit_ClientWritesItsOwnForwardedForBehindTheProxy_CountedAsTheAddressTheProxySaw()
    {
        await using var app = new MarketFactory();
        app.Settings["Proxy:KnownNetworks:0"] = "10.0.0.0/24";
        app.Settings["RateLimits:LedgerPerMinute"] = "2";

        // A CDN (10.0.0.6) in front of the load balancer (10.0.0.5), both in the configured network; the client at
        // 203.0.113.7 wrote an address of its own choosing to the left.
        var statuses = new List<HttpStatusCode>();
        foreach (var forged in new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3" })
        {
            using var client = From(app, Proxy, $"{forged}, 203.0.113.7, 10.0.0.6");
            statuses.AddRange(await CheckpointsAsync(client, 1));
        }

        statuses.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);
    }

    private static MarketFactory WithProxy()
    {
        var app = new MarketFactory();
        app.Settings["Proxy:KnownProxies:0"] = Proxy;
        return app;
    }

    /// <summary>A client whose connections come from <paramref name="remote"/>, with the forwarded headers given.</summary>
    private static HttpClient From(MarketFactory app, string remote, string? forwardedFor = null, string? forwardedProto = null)
    {
        var client = app.CreateClientFrom(remote);
        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }

        if (forwardedProto is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-Proto", forwardedProto);
        }

        return client;
    }

    private static async Task<List<HttpStatusCode>> CheckpointsAsync(HttpClient client, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(new Uri("/api/ledger/checkpoint", UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    /// <summary>Anna signs in through the form the client was given, carrying its antiforgery cookie by hand.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, HttpResponseMessage form)
    {
        var html = await form.Content.ReadAsStringAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/account/login", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = CookieSignIn.AntiforgeryToken(html),
                ["_handler"] = "login",
                ["Input.Email"] = "anna@demo.energy",
                ["Input.Password"] = DemoOptions.PublishedPassword,
            }),
        };
        request.Headers.Add("Cookie", Cookie(form, ".AspNetCore.Antiforgery").Split(';')[0]);
        return await client.SendAsync(request);
    }

    private static string Cookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Single(c => c.StartsWith(name, StringComparison.Ordinal))
            : throw new InvalidOperationException($"No cookies were set ({(int)response.StatusCode}).");
}
