using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests.Api;

/// <summary>Group commit of API orders: acknowledged only once committed, idempotent within a batch; the token and household caches.</summary>
public sealed class OrderIntakeTests : IAsyncLifetime
{
    private readonly MarketFactory _market = new();
    private readonly CommitProbe _probe = new();
    private WebApplicationFactory<Program> _app = null!;
    private long _interval;

    public Task InitializeAsync()
    {
        // Both engines' contexts: on PostgreSQL the app's context is the PostgreSQL subclass with its own options.
        _app = _market.WithWebHostBuilder(b => b.ConfigureServices(s =>
        {
            s.ConfigureDbContext<MarketDbContext>(o => o.AddInterceptors(_probe));
            s.ConfigureDbContext<PostgresMarketDbContext>(o => o.AddInterceptors(_probe));
        }));
        _ = _app.Server;
        _interval = Get<MarketClock>().FirstOpenInterval();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _probe.Release();
        await _app.DisposeAsync();
        await _market.DisposeAsync();
    }

    [Fact]
    public async Task PostOrder_ManyConcurrent_All201StoredWithDistinctIdsInFewerCommits()
    {
        using var anna = await ClientAsync("anna@demo.energy");
        var before = _probe.Commits;

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => anna.PostOrderAsync(ApiClient.Order(i % 2 == 0 ? "sell" : "buy", 100 + i, 1200, _interval), $"many-{i}")));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var ids = await Task.WhenAll(responses.Select(IdAsync));
        ids.Distinct().Count().ShouldBe(200);
        await using var db = CreateDb();
        (await db.Orders.Select(o => o.Id).ToListAsync()).Order().ShouldBe(ids.Order());
        (_probe.Commits - before).ShouldBeLessThan(200, "orders arriving together are committed together");
        // Their acceptance receipts are signed a batch at a time: each verifies alone, and fewer signatures than orders.
        var receipts = await Task.WhenAll(responses.Select(async r =>
        {
            using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            return Market.Ledger.AcceptanceReceipt.FromJson(body.RootElement.GetProperty("receipt").GetRawText());
        }));
        receipts.ShouldAllBe(r => r.Verify(null) == null);
        receipts.Select(r => r.Sequence).Order().ShouldBe(ids.Order());
        receipts.Select(r => Convert.ToHexString(r.Signature)).Distinct().Count().ShouldBeLessThan(200);
        receipts.Max(r => r.BatchSize).ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task PostOrder_CommitFails_NoneAcknowledgedNothingStored()
    {
        using var anna = await ClientAsync("anna@demo.energy");
        _probe.FailCommits = true;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => anna.PostOrderAsync(ApiClient.Order("sell", 100 + i, 1200, _interval), $"fail-{i}")));

        _probe.FailCommits = false;
        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.InternalServerError);
        responses[0].Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await ApiClient.OrderCountAsync(_market)).ShouldBe(0);
        (await anna.PostOrderAsync(ApiClient.Order("sell", 100, 1200, _interval), "fail-0")).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task PostOrder_SameKeyTwiceInOneBatch_One201OneReplay200OneOrder()
    {
        using var anna = await ClientAsync("anna@demo.energy");
        var order = ApiClient.Order("sell", 1500, 1200, _interval);

        var (first, second) = await InOneBatchAsync(anna, (order, "twin"), (order, "twin"));

        new[] { first.StatusCode, second.StatusCode }.Order().ShouldBe([HttpStatusCode.OK, HttpStatusCode.Created]);
        (await IdAsync(first)).ShouldBe(await IdAsync(second));
        (await ApiClient.OrderCountAsync(_market)).ShouldBe(2); // the blocker and the twin's one order
    }

    [Fact]
    public async Task PostOrder_SameKeyOtherBodyInOneBatch_One201One422()
    {
        using var anna = await ClientAsync("anna@demo.energy");

        var (first, second) = await InOneBatchAsync(anna, (ApiClient.Order("sell", 1500, 1200, _interval), "clash"), (ApiClient.Order("sell", 900, 1200, _interval), "clash"));

        new[] { first.StatusCode, second.StatusCode }.Order().ShouldBe([HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity]);
        (await ApiClient.OrderCountAsync(_market)).ShouldBe(2);
    }

    [Fact]
    public async Task Orders_TokenRevokedAfterUse_401AtOnce()
    {
        using var anna = await ClientAsync("anna@demo.energy");
        (await anna.GetAsync(new Uri("/api/orders", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        ApiTokenEntity token;
        await using (var db = CreateDb())
        {
            token = await db.ApiTokens.SingleAsync();
        }

        await Get<ApiTokenService>().RevokeAsync(token.UserId, token.Id);
        var response = await anna.GetAsync(new Uri("/api/orders", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task PostOrder_AfterSiteSaved_ValidatedAgainstTheNewCapacity()
    {
        using var anna = await ClientAsync("anna@demo.energy");
        (await anna.PostOrderAsync(ApiClient.Order("sell", 1500, 1200, _interval))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var household = await _market.HouseholdAsync("anna@demo.energy");
        using (var scope = _app.Services.CreateScope())
        {
            (await scope.ServiceProvider.GetRequiredService<AccountService>().UpdateSiteAsync(household.Id, household.Name, 4m, household.MaxImportW / 1000m, household.TimeZone)).ShouldBeEmpty();
        }

        var response = await anna.PostOrderAsync(ApiClient.Order("sell", 1500, 1200, _interval));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("energyWh", out _).ShouldBeTrue();
    }

    /// <summary>Holds the writer in a commit, queues both requests behind it, then lets go: both land in the next batch.</summary>
    private async Task<(HttpResponseMessage First, HttpResponseMessage Second)> InOneBatchAsync(HttpClient client, (object Body, string Key) a, (object Body, string Key) b)
    {
        var intake = Get<OrderIntake>();
        // Signed first, as a device would: the database is held by the blocker's commit meanwhile.
        var blockerBody = await SignedOrders.SignBodyAsync(client, ApiClient.Order("buy", 100, 1200, _interval), "blocker");
        var bodyA = await SignedOrders.SignBodyAsync(client, a.Body, a.Key);
        var bodyB = await SignedOrders.SignBodyAsync(client, b.Body, b.Key);
        _probe.Hold();
        var blocker = client.PostOrderAsync(blockerBody, "blocker", sign: false);
        await PollAsync(() => _probe.Holding);
        var first = client.PostOrderAsync(bodyA, a.Key, sign: false);
        var second = client.PostOrderAsync(bodyB, b.Key, sign: false);
        await PollAsync(() => intake.Queued == 2);
        _probe.Release();
        (await blocker).StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await first, await second);
    }

    private static async Task PollAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private static async Task<long> IdAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

    private T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    private MarketDbContext CreateDb() => Get<IDbContextFactory<MarketDbContext>>().CreateDbContext();

    private async Task<HttpClient> ClientAsync(string email)
    {
        string userId;
        await using (var db = CreateDb())
        {
            userId = (await db.Users.SingleAsync(u => u.Email == email)).Id;
        }

        var (_, secret) = await Get<ApiTokenService>().CreateAsync(userId, "test");
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        await SignedOrders.RememberAsync(client, _app.Services, email);
        return client;
    }

    /// <summary>Counts commits, and on demand fails them or holds the next one until released.</summary>
    private sealed class CommitProbe : DbTransactionInterceptor
    {
        private TaskCompletionSource? _hold;
        private int _commits;

        public bool FailCommits { get; set; }

        public bool Holding { get; private set; }

        public int Commits => Volatile.Read(ref _commits);

        public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _hold?.TrySetResult();

        public override async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (FailCommits)
            {
                throw new InvalidOperationException("Injected commit failure.");
            }

            if (_hold is { Task.IsCompleted: false } hold)
            {
                Holding = true;
                await hold.Task;
                Holding = false;
            }

            return result;
        }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _commits);
            return Task.CompletedTask;
        }
    }
}
