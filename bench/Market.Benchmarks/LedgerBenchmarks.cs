using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Market.Ledger;

namespace Market.Benchmarks;

/// <summary>
/// Issue 4 goal: seal 1,000,000 trades into 1,000 clearing blocks in memory (canonical leaves, leaf hashes, payload
/// roots, headers, header hashes, secp256k1 signatures) in at most 1.5 s. Run with
/// <c>--filter *LedgerBenchmarks*</c>; figures in docs/performance.md.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class LedgerBenchmarks
{
    private const int Blocks = 1_000;
    private const int TradesPerBlock = 1_000;

    private readonly SigningKey _key = SigningKey.FromPrivateKey(Convert.FromHexString("4242424242424242424242424242424242424242424242424242424242424242"));
    private readonly byte[] _orderBookHash = Enumerable.Repeat((byte)0x5A, 32).ToArray();
    private TradeFill[] _fills = [];

    [GlobalSetup]
    public void Setup() =>
        _fills = Enumerable.Range(0, TradesPerBlock)
            .Select(i => new TradeFill(new PartyId(1, (ulong)i), new PartyId(2, (ulong)i), (2 * i) + 1, (2 * i) + 2, 1_000 + i, 2_500 + (i % 100)))
            .ToArray();

    /// <summary>1,000 clearing blocks of 1,000 trades each, chained and signed one after the other.</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public ChainTip Seal1MTradesInto1000Blocks()
    {
        var tip = new ChainTip(1, _orderBookHash, 1, 0);
        for (var b = 0; b < Blocks; b++)
        {
            var start = 1_767_225_600L + (900L * b);
            tip = BlockSealer.SealClearing(tip, _key, _orderBookHash, start, start + 900, 1, 1, _fills,
                DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000L + b)).NextTip;
        }

        return tip;
    }
}
