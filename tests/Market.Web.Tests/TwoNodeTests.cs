using Hangfire;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests;

/// <summary>Tests whose apps run Hangfire servers: alone, because Hangfire's log provider is process-wide.</summary>
[CollectionDefinition(nameof(HangfireServers), DisableParallelization = true)]
public sealed class HangfireServers;

/// <summary>
/// Two app nodes on one database (and, on PostgreSQL, one shared Hangfire storage), both running Hangfire servers,
/// taking orders and clearing the same intervals at the same time.
/// </summary>
[Collection(nameof(HangfireServers))]
public sealed class TwoNodeTests
{
    private const int Intervals = 24;

    [Fact]
    public async Task Clearing_TwoNodesConcurrently_EachIntervalClearedOnceAndChainVerifies()
    {
        await using var a = Node(new MarketFactory());
        _ = a.Server;
        await using var b = Node(new MarketFactory(a.DataDirectory));
        _ = b.Server;
        // Each app points Hangfire's process-wide log provider at its own logger factory when it starts; the last
        // one wins. Silence it so nothing logs through a factory another app has already disposed.
        GlobalConfiguration.Configuration.UseLogProvider(new SilentLogProvider());
        var intervals = await PlaceOrdersThroughBothNodesAsync(a, b);

        var enqueued = new List<(JobStorage Storage, string Id)>();
        foreach (var start in intervals)
        {
            var gate = DateTimeOffset.FromUnixTimeSeconds(a.Get<MarketClock>().GateClosure(start)).AddSeconds(1);
            a.Clock.SetUtcNow(gate);
            b.Clock.SetUtcNow(gate);
            foreach (var node in new[] { a, b })
            {
                var storage = node.Get<JobStorage>();
                enqueued.Add((storage, node.Get<IBackgroundJobClient>().Enqueue<ClearingJob>(j => j.RunAsync(CancellationToken.None))));
            }

            await Task.WhenAll(
                Task.Run(() => a.Get<ClearingJob>().RunAsync(CancellationToken.None)),
                Task.Run(() => b.Get<ClearingJob>().RunAsync(CancellationToken.None)));
        }

        await WaitForJobsAsync(enqueued);

        await using var db = a.CreateDb();
        var blocks = await db.Blocks.AsNoTracking().OrderBy(x => x.Height).Select(x => new { x.Height, x.Kind, x.IntervalStart }).ToListAsync();
        blocks.Select(x => x.Height).ShouldBe(Enumerable.Range(0, blocks.Count).Select(i => (long)i));
        foreach (var start in intervals)
        {
            blocks.Count(x => x.IntervalStart == start && x.Kind == (byte)Market.Ledger.BlockKind.OrderBook).ShouldBe(1);
            blocks.Count(x => x.IntervalStart == start && x.Kind == (byte)Market.Ledger.BlockKind.Clearing).ShouldBe(1);
        }

        (await db.ClearedIntervals.CountAsync(c => intervals.Contains(c.IntervalStart))).ShouldBe(Intervals);
        var trades = await db.Trades.AsNoTracking().ToListAsync();
        trades.Count.ShouldBeGreaterThanOrEqualTo(Intervals);
        trades.Select(t => (t.BuyOrderId, t.SellOrderId)).Distinct().Count().ShouldBe(trades.Count);
        (await db.Postings.CountAsync()).ShouldBe(2 * trades.Count);
        (await db.Postings.SumAsync(p => p.Amount)).ShouldBe(0);
        var report = await b.Get<LedgerReader>().VerifyAsync();
        report.IsValid.ShouldBeTrue(report.Message);
        report.BlockCount.ShouldBe(blocks.Count);
        (await ExportAsync(a)).ShouldBe(await ExportAsync(b));
    }

    private static MarketFactory Node(MarketFactory factory)
    {
        factory.Settings["Market:RunJobs"] = "true";
        return factory;
    }

    /// <summary>Orders for each interval through both nodes: Anna sells on node a, Ben buys on node b.</summary>
    private static async Task<List<long>> PlaceOrdersThroughBothNodesAsync(MarketFactory a, MarketFactory b)
    {
        var anna = await a.HouseholdAsync("anna@demo.energy");
        var ben = await b.HouseholdAsync("ben@demo.energy");
        var clock = a.Get<MarketClock>();
        var intervals = new List<long> { clock.FirstOpenInterval() };
        while (intervals.Count < Intervals)
        {
            intervals.Add(clock.Next(intervals[^1]));
        }

        for (var i = 0; i < intervals.Count; i++)
        {
            var start = intervals[i];
            var placed = await Task.WhenAll(
                a.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1200 + (i * 10), 1000 + i, start)),
                a.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 500, 2600, start)),
                b.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1000, 3000 - i, start)),
                b.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 600, 2700, start)));
            placed.ShouldAllBe(r => r.Succeeded);
        }

        return intervals;
    }

    private static async Task WaitForJobsAsync(List<(JobStorage Storage, string Id)> jobs)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        foreach (var (storage, id) in jobs)
        {
            while (true)
            {
                using var connection = storage.GetConnection();
                var state = connection.GetStateData(id)?.Name;
                state.ShouldNotBe("Failed", $"clearing job {id} failed");
                if (state == "Succeeded")
                {
                    break;
                }

                DateTime.UtcNow.ShouldBeLessThan(deadline, $"clearing job {id} is still {state}");
                await Task.Delay(100);
            }
        }
    }

    private static async Task<byte[]> ExportAsync(MarketFactory node)
    {
        await using var export = new MemoryStream();
        await node.Get<LedgerPublication>().WriteExportAsync(export);
        return export.ToArray();
    }

    private sealed class SilentLogProvider : Hangfire.Logging.ILogProvider
    {
        public Hangfire.Logging.ILog GetLogger(string name) => new Silent();

        private sealed class Silent : Hangfire.Logging.ILog
        {
            public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
        }
    }
}
