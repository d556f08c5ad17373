using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Market.Cli.Bench;
using Market.Matching.Grid;

namespace Market.Benchmarks;

/// <summary>
/// Clearing under the grid's limits from 1,000 orders over 5 feeders (10,000 over 50, 100,000 over 100) to 1,000,000
/// orders over 1,000 feeders, on the
/// reproducible random network and book of <c>market bench grid</c> (seed 1). Run with
/// <c>--filter *GridClearingBenchmarks*</c>; see docs/performance.md.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 5, iterationCount: 15)]
public class GridClearingBenchmarks
{
    private RandomGrid _grid = null!;

    [Params(1_000, 10_000, 100_000, 1_000_000)]
    public int Orders { get; set; }

    [GlobalSetup]
    public void Setup() => _grid = RandomGrid.Generate(Orders, feederCount: Orders <= 10_000 ? Orders / 200 : Orders / 1_000, seed: 1);

    /// <summary>One clearing under the network's static limits.</summary>
    [Benchmark]
    public GridClearingResult Clear() => GridAuction.Clear(_grid.Network, _grid.Orders, _grid.OrderNodes);
}
