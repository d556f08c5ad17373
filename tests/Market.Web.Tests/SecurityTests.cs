using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Market.Web.Tests;

/// <summary>
/// Headers, hostile input and secrets: what an attacker or a curious log reader would try. The tests that only read or
/// are refused share a market with one cleared trade; those that change something start their own app.
/// </summary>
public sealed class SecurityTests(ClearedMarket market) : IClassFixture<ClearedMarket>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/ledger")]
    [InlineData("/account/login")]
    [InlineData("/api/ledger/blocks")]
    public async Task Response_AnyAppPath_StrictContentSecurityPolicyAndHardeningHeaders(string path)
    {
        var app = market.App;
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        response.Headers.GetValues("Content-Security-Policy").Single().ShouldBe(SecurityHeaders.StrictPolicy);
        SecurityHeaders.StrictPolicy.ShouldContain("script-src 'self';");
        SecurityHeaders.StrictPolicy.ShouldNotContain("unsafe-eval");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("strict-origin-when-cross-origin");
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
    }

    [Fact]
    public async Task Response_ApiReference_ItsOwnPolicyOnlyThere()
    {
        var app = market.App;
        using var client = app.CreateClient();

        using var docs = await client.GetAsync(new Uri("/api/docs", UriKind.Relative));

        docs.StatusCode.ShouldBe(HttpStatusCode.OK);
        docs.Headers.GetValues("Content-Security-Policy").Single().ShouldBe(SecurityHeaders.ApiReferencePolicy);
    }

    [Fact]
    public async Task Response_HttpsOutsideDevelopment_StrictTransportSecurity()
    {
        var app = market.App;
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://market.example/") });

        using var response = await client.GetAsync(new Uri("/", UriKind.Relative));

        response.Headers.GetValues("Strict-Transport-Security").Single().ShouldStartWith("max-age=");
    }

    [Fact]
    public async Task HouseholdName_WithScript_ShownEscapedOnTheMarketPage()
    {
        await using var app = new MarketFactory();
        var anna = await app.HouseholdAsync("anna@demo.energy");
        await using (var db = app.CreateDb())
        {
            var h = await db.Households.SingleAsync(x => x.Id == anna.Id);
            h.Name = "<script>alert('x')</script><img src=x onerror=alert(1)>";
            await db.SaveChangesAsync();
        }

        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        await CookieSignIn.SignInAsync(client, "anna@demo.energy");

        var html = await client.GetStringAsync(new Uri("/market", UriKind.Relative));

        html.ShouldContain("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;");
        html.ShouldNotContain("<script>alert");
        html.ShouldNotContain("<img src=x");
    }

    [Theory]
    [InlineData("' OR 1=1 --")]
    [InlineData("1; DROP TABLE \"Trades\"; --")]
    [InlineData("t1' UNION SELECT \"PasswordHash\" FROM \"AspNetUsers\" --")]
    [InlineData("%' AND 1=1 AND '%'='")]
    public async Task LedgerSearch_SqlMetacharacters_NothingFoundAndNothingChanged(string query)
    {
        var app = market.App;
        await using var before = app.CreateDb();
        var blocks = await before.Blocks.CountAsync();
        var trades = await before.Trades.CountAsync();

        var found = await app.Get<LedgerReader>().SearchAsync(query);

        found.ShouldBeNull();
        await using var after = app.CreateDb();
        (await after.Blocks.CountAsync()).ShouldBe(blocks);
        (await after.Trades.CountAsync()).ShouldBe(trades);
    }

    [Theory]
    [InlineData("/api/ledger/blocks/1'%20OR%20'1'='1")]
    [InlineData("/api/ledger/blocks?before=1;DROP")]
    [InlineData("/api/ledger/consistency?from=a&to=b")]
    [InlineData("/api/ledger/trades/99999999999999999999/proof")]
    public async Task LedgerApi_HostileParameters_ClientErrorNever500(string path)
    {
        var app = market.App;
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        ((int)response.StatusCode).ShouldBeInRange(400, 499);
    }

    [Fact]
    public async Task Logs_SignInTokensAndOrders_NeverContainPasswordsTokensOrTheSigningKey()
    {
        var logs = new CaptureLoggerProvider();
        await using var host = new MarketFactory();
        await using var app = host.WithWebHostBuilder(b => b.ConfigureLogging(l =>
        {
            l.AddProvider(logs);
            l.AddFilter<CaptureLoggerProvider>(null, LogLevel.Trace);
        }));
        var services = app.Services;
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        await CookieSignIn.SignInAsync(browser, "anna@demo.energy");
        await Should.ThrowAsync<InvalidOperationException>(() => CookieSignIn.SignInAsync(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), "ben@demo.energy", "WrongPassword1"));
        string userId;
        await using (var db = services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext())
        {
            userId = (await db.Users.SingleAsync(u => u.Email == "anna@demo.energy")).Id;
        }

        var (_, secret) = await services.GetRequiredService<ApiTokenService>().CreateAsync(userId, "agent");
        using var api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        await SignedOrders.RememberAsync(api, services, "anna@demo.energy");
        var interval = services.GetRequiredService<MarketClock>().FirstOpenInterval();
        (await api.PostOrderAsync(ApiClient.Order("sell", 500, 1200, interval))).StatusCode.ShouldBe(HttpStatusCode.Created);
        using var forged = app.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret[..^4] + "AAAA");
        (await forged.GetAsync(new Uri("/api/orders", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var text = logs.Text;
        var key = await File.ReadAllTextAsync(services.GetRequiredService<DataFolder>().SigningKeyPath);

        logs.Count.ShouldBeGreaterThan(50, "the capture should see the app's logs at every level");
        text.ShouldNotContain(CookieSignIn.DemoPassword);
        text.ShouldNotContain("WrongPassword1");
        text.ShouldNotContain(secret);
        text.ShouldNotContain(secret[..^4]);
        text.ShouldNotContain(key.Trim(), Case.Insensitive);
    }

    [Fact]
    public async Task ErrorPage_Requested_ShowsNoExceptionDetailOrSecret()
    {
        var app = market.App;
        using var client = app.CreateClient();

        var html = await client.GetStringAsync(new Uri("/error", UriKind.Relative));

        html.ShouldNotContain("Exception");
        html.ShouldNotContain("   at ");
        html.ShouldNotContain("Data Source=");
    }

    [Fact]
    public void Repository_TrackedFiles_NoSigningKeyDatabaseOrSecretInConfiguration()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Market.sln")))
        {
            root = root.Parent;
        }

        root.ShouldNotBeNull("the tests run inside the repository");
        var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", "ls-files") { WorkingDirectory = root.FullName, RedirectStandardOutput = true })!;
        var files = git.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        git.WaitForExit();

        git.ExitCode.ShouldBe(0);
        files.Length.ShouldBeGreaterThan(100);
        files.ShouldNotContain(f => f.EndsWith(".hex", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".db", StringComparison.OrdinalIgnoreCase)
            || f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || f.Contains("/data/outbox/", StringComparison.Ordinal));
        foreach (var settings in files.Where(f => Path.GetFileName(f).StartsWith("appsettings", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(Path.Combine(root.FullName, settings));
            text.ShouldNotContain("Password=", Case.Insensitive, settings);
            text.ShouldNotContain("\"Password\"", Case.Sensitive, settings);
        }
    }

    private sealed class CaptureLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        public int Count => _lines.Count;

        public ILogger CreateLogger(string categoryName) => new Capture(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Capture(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                lines.Enqueue($"scope {category}: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
