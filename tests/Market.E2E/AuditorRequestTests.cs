using System.Collections.Concurrent;
using Market.Web.Api;

namespace Market.E2E;

/// <summary>
/// What an auditor's tools ask of <c>/api/ledger/*</c> for a full verification of the served ledger, measured: the
/// per-address limit must leave room for many such runs a minute.
/// </summary>
public sealed class AuditorRequestTests(BrowserFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly string _mirror = Directory.CreateTempSubdirectory("market-mirror-").FullName;

    public async Task InitializeAsync()
    {
        var interval = fixture.App.Get<MarketClock>().FirstOpenInterval();
        await fixture.App.AnnaSellsToBenAsync(interval);
        await fixture.App.CloseGateAndClearAsync(interval);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_mirror, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task LedgerApi_AuditorsVerifyFollowAndBrowserVerification_FewRequestsEachNoneLimited()
    {
        using var counter = new LedgerRequests();
        var url = fixture.BaseAddress.ToString();
        var page = await fixture.NewPageAsync();
        var browser = new ConcurrentQueue<int>();
        page.Response += (_, r) =>
        {
            if (r.Url.Contains("/api/ledger/", StringComparison.Ordinal))
            {
                browser.Enqueue(r.Status);
            }
        };

        var verify = counter.Measure(() => LedgerCli.Run(counter.Client, "ledger", "verify", url));
        var follow = counter.Measure(() => LedgerCli.Run(counter.Client, "ledger", "follow", url, "--state", _mirror));
        var followAgain = counter.Measure(() => LedgerCli.Run(counter.Client, "ledger", "follow", url, "--state", _mirror));
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        var verdict = await BrowserFixture.VerifyAsync(page);

        (verify.Exit, follow.Exit, followAgain.Exit).ShouldBe((0, 0, 0), verify.Output + follow.Output + followAgain.Output);
        verdict.ShouldStartWith("Valid");
        counter.Statuses.ShouldNotContain(429);
        browser.ShouldNotContain(429);
        int[] perRun = [verify.Requests, follow.Requests, followAgain.Requests, browser.Count];
        output.WriteLine($"ledger API requests: verify {perRun[0]}, follow {perRun[1]} then {perRun[2]}, browser {perRun[3]}");
        perRun.ShouldAllBe(n => n >= 1);
        // Ten full verifications a minute from one address, with any one of the tools, stay under the default limit.
        (perRun.Max() * 10).ShouldBeLessThanOrEqualTo(new RateLimitOptions().LedgerPerMinute, string.Join(", ", perRun));
    }

    /// <summary>The CLI's HTTP client, counting its requests to the ledger API and keeping their statuses.</summary>
    private sealed class LedgerRequests : DelegatingHandler
    {
        private int _count;

        public LedgerRequests()
            : base(new SocketsHttpHandler())
        {
        }

        public ConcurrentQueue<int> Statuses { get; } = new();

        public HttpClient Client() => new(this, disposeHandler: false);

        public (int Exit, string Output, int Requests) Measure(Func<(int Exit, string Output)> run)
        {
            var before = Volatile.Read(ref _count);
            var (exit, output) = run();
            return (exit, output, Volatile.Read(ref _count) - before);
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri!.AbsolutePath.StartsWith("/api/ledger/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
                Statuses.Enqueue((int)response.StatusCode);
            }

            return response;
        }
    }
}
