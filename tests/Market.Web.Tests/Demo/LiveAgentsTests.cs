using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Demo;

public sealed class LiveAgentsTests
{
    [Fact]
    public async Task AgentJob_ClockMovesOneInterval_PostsOnlyTheNewIntervalBeforeItsGate()
    {
        await using var copy = await BackfilledCopy.StartAsync();
        var app = copy.App;
        var clock = app.Get<MarketClock>();
        await using var before = app.CreateDb();
        var lastPosted = await before.Orders.MaxAsync(o => o.IntervalStart);

        app.Clock.Advance(TimeSpan.FromSeconds(clock.IntervalSeconds));
        await app.Get<DemoAgentJob>().RunAsync(CancellationToken.None);
        await app.Get<DemoAgentJob>().RunAsync(CancellationToken.None);

        await using var db = app.CreateDb();
        var fresh = await db.Orders.Where(o => o.IntervalStart > lastPosted).ToListAsync();
        fresh.ShouldNotBeEmpty();
        fresh.Select(o => o.IntervalStart).Distinct().ShouldBe([lastPosted + clock.IntervalSeconds]);
        fresh.Select(o => o.HouseholdId).Distinct().Count().ShouldBe(fresh.Count);
        fresh.ShouldAllBe(o => o.CreatedAtMs < clock.GateClosure(o.IntervalStart) * 1000);
    }

    [Fact]
    public async Task Start_SecondTimeOnBackfilledFolder_NoSecondBackfillAndNothingDuplicated()
    {
        (int Users, int Households, int Blocks, int Orders, int Trades, long Genesis, int Readings, int Reconciliations, int ImbalancePostings) first;
        await using var copy = await BackfilledCopy.StartAsync();
        await using (copy.App)
        {
            first = await CountAsync(copy.App);
        }

        await using var again = BackfilledMarket.Simulated(households: 4, days: 1, copy.Folder.Path);
        _ = again.Server;

        var second = await CountAsync(again);
        second.ShouldBe(first);
        first.Trades.ShouldBeGreaterThan(0);
        first.Readings.ShouldBeGreaterThan(0);
        first.Reconciliations.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task AgentJob_ClockPastAnIntervalsEnd_ReadsAndReconcilesItOnce()
    {
        await using var copy = await BackfilledCopy.StartAsync();
        var app = copy.App;
        var clock = app.Get<MarketClock>();
        var agents = app.Get<DemoCommunity>().Meters.Count;
        await using var before = app.CreateDb();
        var lastRead = await before.MeterReadings.MaxAsync(r => r.IntervalStart);

        app.Clock.Advance(TimeSpan.FromSeconds(3 * clock.IntervalSeconds));
        await app.Get<ClearingJob>().RunAsync(CancellationToken.None);
        await app.Get<DemoAgentJob>().RunAsync(CancellationToken.None);
        var counted = await CountAsync(app);
        await app.Get<DemoAgentJob>().RunAsync(CancellationToken.None);

        await using var db = app.CreateDb();
        var delivered = (await db.ClearedIntervals.Where(c => c.IntervalStart > lastRead).Select(c => c.IntervalStart).ToListAsync())
            .Where(s => clock.Next(s) <= clock.NowSeconds).Order().ToList();
        delivered.Count.ShouldBeGreaterThanOrEqualTo(2);
        var readings = await db.MeterReadings.Where(r => r.IntervalStart > lastRead).ToListAsync();
        readings.GroupBy(r => r.IntervalStart).Select(g => g.Key).Order().ShouldBe(delivered);
        readings.GroupBy(r => r.IntervalStart).ShouldAllBe(g => g.Count() == agents);
        (await db.Reconciliations.Where(r => r.IntervalStart > lastRead).Select(r => r.IntervalStart).ToListAsync()).Order().ShouldBe(delivered);
        (await CountAsync(app)).ShouldBe(counted);
    }

    [Fact]
    public async Task AgentJob_AnnaTradedByHand_HerDemoMeterReadsAndTheIntervalIsReconciledWithoutAnUpload()
    {
        await using var copy = await BackfilledCopy.StartAsync();
        var app = copy.App;
        var clock = app.Get<MarketClock>();
        app.Clock.Advance(TimeSpan.FromSeconds(clock.IntervalSeconds));
        await app.Get<DemoAgentJob>().RunAsync(CancellationToken.None);
        var interval = clock.FirstOpenInterval();
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var rules = app.Get<RulesBook>().At(interval);
        bool agentsSell;
        await using (var db = app.CreateDb())
        {
            agentsSell = await db.Orders.AnyAsync(o => o.IntervalStart == interval && o.Side == OrderSide.Sell);
        }

        // Anna takes the other side at the edge of the band, so her order trades with whatever the agents posted.
        var placed = await app.PlaceSignedAsync(anna, agentsSell
            ? new PlaceOrder(OrderSide.Buy, 200, rules.PriceCeiling, interval)
            : new PlaceOrder(OrderSide.Sell, 200, rules.PriceFloor, interval));
        placed.Order.ShouldNotBeNull(placed.Error);
        app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(clock.Next(interval) + 60));
        await app.Get<ClearingJob>().RunAsync(CancellationToken.None);
        await app.Get<DemoAgentJob>().RunAsync(CancellationToken.None);

        await using var after = app.CreateDb();
        (await after.Trades.CountAsync(t => t.IntervalStart == interval && (t.SellerHouseholdId == anna.Id || t.BuyerHouseholdId == anna.Id))).ShouldBeGreaterThan(0);
        var reading = await after.MeterReadings.SingleAsync(r => r.IntervalStart == interval && r.HouseholdId == anna.Id);
        reading.Source.ShouldBe(DemoMeters.Source);
        var community = app.Get<DemoCommunity>();
        var annasMeter = community.Meters.Single(m => m.Email == "anna@demo.energy");
        annasMeter.PvPeakW.ShouldBe(8_000);
        community.Reading(annasMeter, interval, clock.LengthOf(interval)).ShouldBe((reading.ImportWh, reading.ExportWh));
        var reconciliation = await after.Reconciliations.SingleAsync(r => r.IntervalStart == interval);
        reconciliation.HouseholdCount.ShouldBe(community.Meters.Count);
        (await after.ImbalancePostings.Where(p => p.IntervalStart == interval).SumAsync(p => p.Amount)).ShouldBe(0);
    }

    [Fact]
    public async Task AgentJob_AnOperatorUploadedAnnasReadingFirst_AgentsStillReadAndHerReadingIsNotOverwritten()
    {
        await using var copy = await BackfilledCopy.StartAsync();
        var app = copy.App;
        var clock = app.Get<MarketClock>();
        var anna = await app.HouseholdAsync("anna@demo.energy");
        app.Clock.Advance(TimeSpan.FromSeconds(2 * clock.IntervalSeconds));
        await app.Get<ClearingJob>().RunAsync(CancellationToken.None);
        long interval;
        await using (var db = app.CreateDb())
        {
            var read = await db.MeterReadings.MaxAsync(r => r.IntervalStart);
            interval = (await db.ClearedIntervals.Where(c => c.IntervalStart > read).Select(c => c.IntervalStart).ToListAsync())
                .Where(s => clock.Next(s) <= clock.NowSeconds).Min();
        }

        // The operator's upload for Anna arrives before the demo meters read the interval.
        var upload = await app.Get<ReadingImportService>().ImportAsync(
            new ParsedReadings([new UploadedReading(1, anna.MeterId!, interval, 321, 0)], []), "upload:operator");
        upload.Succeeded.ShouldBeTrue();
        await app.Get<DemoAgentJob>().RunAsync(CancellationToken.None);

        await using var after = app.CreateDb();
        var readings = await after.MeterReadings.Where(r => r.IntervalStart == interval).ToListAsync();
        readings.Count.ShouldBe(app.Get<DemoCommunity>().Meters.Count);
        var annas = readings.Where(r => r.HouseholdId == anna.Id).ShouldHaveSingleItem();
        (annas.Source, annas.ImportWh, annas.Version).ShouldBe(("upload:operator", 321L, 1));
        (await after.Reconciliations.CountAsync(r => r.IntervalStart == interval)).ShouldBe(1);
    }

    private static async Task<(int, int, int, int, int, long, int, int, int)> CountAsync(Support.MarketFactory app)
    {
        await using var db = app.CreateDb();
        return (await db.Users.CountAsync(), await db.Households.CountAsync(), await db.Blocks.CountAsync(), await db.Orders.CountAsync(),
            await db.Trades.CountAsync(), await db.Blocks.Where(b => b.Height == 0).Select(b => b.SealedAtMs).SingleAsync(),
            await db.MeterReadings.CountAsync(), await db.Reconciliations.CountAsync(), await db.ImbalancePostings.CountAsync());
    }
}

/// <summary>
/// A data folder the demo has backfilled (4 households, one day), copied for each test that starts from one: the
/// backfill, the slow part, runs once per test run on the run's engine. The copy starts as a second start on a
/// backfilled folder does (no second backfill), with the same clock as the first.
/// </summary>
public sealed class BackfilledCopy : IAsyncDisposable
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static TestFolder? _template;

    private BackfilledCopy(TestFolder folder)
    {
        Folder = folder;
        App = BackfilledMarket.Simulated(households: 4, days: 1, folder.Path);
        _ = App.Server;
    }

    public TestFolder Folder { get; }

    public MarketFactory App { get; }

    public static async Task<BackfilledCopy> StartAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (_template is null)
            {
                var template = new TestFolder("market-demo-backfilled-");
                TestDatabase.DisposeAtEndOfRun(template);
                await using (var first = BackfilledMarket.Simulated(households: 4, days: 1, template.Path))
                {
                    _ = first.Server;
                }

                _template = template;
            }
        }
        finally
        {
            Once.Release();
        }

        var folder = new TestFolder("market-demo-copy-");
        try
        {
            TestDatabase.CopyFolder(_template.Path, folder.Path);
            return new BackfilledCopy(folder);
        }
        catch
        {
            await folder.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the app (if the test has not), then removes the folder and its database.</summary>
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Folder.DisposeAsync();
    }
}
