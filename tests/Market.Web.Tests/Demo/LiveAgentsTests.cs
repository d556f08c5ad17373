using Market.Web.Tests.Support;
using Market.Web.Demo;
using Market.Web.Clearing;
using Market.Web.Trading;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Demo;

public sealed class LiveAgentsTests
{
    [Fact]
    public async Task AgentJob_ClockMovesOneInterval_PostsOnlyTheNewIntervalBeforeItsGate()
    {
        await using var app = BackfilledMarket.Simulated(households: 4, days: 1);
        _ = app.Server;
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
        var folder = Path.Combine(Path.GetTempPath(), "market-demo-restart-" + Guid.NewGuid().ToString("N"));
        (int Users, int Households, int Blocks, int Orders, int Trades, long Genesis, int Readings, int Reconciliations, int ImbalancePostings) first;
        await using (var app = BackfilledMarket.Simulated(households: 4, days: 1, folder))
        {
            _ = app.Server;
            first = await CountAsync(app);
        }

        await using var again = BackfilledMarket.Simulated(households: 4, days: 1, folder);
        _ = again.Server;

        var second = await CountAsync(again);
        second.ShouldBe(first);
        first.Trades.ShouldBeGreaterThan(0);
        first.Readings.ShouldBeGreaterThan(0);
        first.Reconciliations.ShouldBeGreaterThan(0);
        TestDatabase.DeleteData(folder);
    }

    [Fact]
    public async Task AgentJob_ClockPastAnIntervalsEnd_ReadsAndReconcilesItOnce()
    {
        await using var app = BackfilledMarket.Simulated(households: 4, days: 1);
        _ = app.Server;
        var clock = app.Get<MarketClock>();
        var agents = app.Get<DemoCommunity>().Agents.Count;
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

    private static async Task<(int, int, int, int, int, long, int, int, int)> CountAsync(Support.MarketFactory app)
    {
        await using var db = app.CreateDb();
        return (await db.Users.CountAsync(), await db.Households.CountAsync(), await db.Blocks.CountAsync(), await db.Orders.CountAsync(),
            await db.Trades.CountAsync(), await db.Blocks.Where(b => b.Height == 0).Select(b => b.SealedAtMs).SingleAsync(),
            await db.MeterReadings.CountAsync(), await db.Reconciliations.CountAsync(), await db.ImbalancePostings.CountAsync());
    }
}
