using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Market.Cli.Bench;
using Market.Matching;

namespace Market.Benchmarks;

/// <summary>
/// Clearing time and allocation from 1,000 to 1,000,000 orders on the reproducible random book of
/// <c>market bench clear</c> (seed 1). Run with <c>--filter *ClearingBenchmarks*</c>; see docs/performance.md.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 5, iterationCount: 15)]
public class ClearingBenchmarks
{
    private Order[] _orders = [];
    private RandomBook _book = null!;
    private Clearer _clearer = null!;

    [Params(1_000, 10_000, 100_000, 1_000_000)]
    public int Orders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _book = RandomBook.Generate(Orders, seed: 1);
        _orders = _book.ToOrders();
        _clearer = new Clearer();
    }

    /// <summary>The public entry point: a fresh workspace per call.</summary>
    [Benchmark(Baseline = true)]
    public ClearingResult DoubleAuctionClear() => DoubleAuction.Clear(_orders);

    /// <summary>The same clearing on columns with a reused workspace.</summary>
    [Benchmark]
    public ClearingResult ClearerColumns() =>
        _clearer.Clear(_book.Ids, _book.Sides, _book.EnergiesWh, _book.Prices, _book.Sequences);
}
