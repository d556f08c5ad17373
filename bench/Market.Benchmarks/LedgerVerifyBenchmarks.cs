using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Market.Ledger;

namespace Market.Benchmarks;

/// <summary>
/// Chain verification of 1,000 intervals, each an order book of 2,000 orders and a clearing block of 1,000 trades
/// (1,000,000 trades, 2,000,000 orders, 2,002 blocks): in memory, and streaming from a JSON Lines export. The
/// replay is a pairing replayer (bid i with offer i), so these figures are the ledger's own share of
/// <c>market ledger verify</c>; the clearing replay with Market.Matching comes on top. Run with
/// <c>--filter *LedgerVerifyBenchmarks*</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class LedgerVerifyBenchmarks
{
    private List<SealedBlock> _blocks = [];
    private Checkpoint _checkpoint = null!;
    private byte[] _export = [];

    [GlobalSetup]
    public void Setup()
    {
        (_blocks, _checkpoint) = SyntheticLedger.Build(intervals: 1_000, tradesPerInterval: 1_000);
        using var stream = new MemoryStream();
        LedgerExport.Write(stream, _blocks, _checkpoint);
        _export = stream.ToArray();
    }

    /// <summary>Every check on blocks already in memory (as the web app loads them from its database).</summary>
    [Benchmark]
    public VerificationResult VerifyInMemory() => ChainVerifier.Verify(_blocks, _checkpoint, new SyntheticLedger.PairingReplayer());

    /// <summary>Parsing the export (≈ 0.5 GB of JSON Lines) and verifying it while streaming.</summary>
    [Benchmark]
    public VerificationResult VerifyExportStream() =>
        ChainVerifier.VerifyExport(new MemoryStream(_export, writable: false), new SyntheticLedger.PairingReplayer());
}

/// <summary>One receipt: create and verify (goal: verify under 1 ms).</summary>
[MemoryDiagnoser]
public class LedgerReceiptBenchmarks
{
    private TradeReceipt _receipt = null!;
    private string _json = string.Empty;
    private SealedBlock _block = null!;
    private Checkpoint _checkpoint = null!;
    private MerkleTree _tree = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (blocks, checkpoint) = SyntheticLedger.Build(intervals: 20, tradesPerInterval: 1_000);
        _tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        _block = blocks[^1];
        _checkpoint = checkpoint;
        _receipt = CreateReceipt();
        _json = _receipt.ToJson();
    }

    [Benchmark]
    public ReceiptVerification VerifyReceipt() => _receipt.Verify();

    [Benchmark]
    public ReceiptVerification ParseAndVerifyReceiptJson() => TradeReceipt.FromJson(_json).Verify();

    [Benchmark]
    public TradeReceipt CreateReceipt() =>
        TradeReceipt.Create(_block, 500, SyntheticLedger.Key.PublicKey, _checkpoint, SyntheticLedger.Key.PublicKey, _tree);
}

/// <summary>A large, valid chain for benchmarks: every interval has n bids and n offers of 1 kWh and n trades.</summary>
internal static class SyntheticLedger
{
    public static readonly SigningKey Key = SigningKey.FromPrivateKey(Convert.FromHexString("4343434343434343434343434343434343434343434343434343434343434343"));

    private const long FirstStart = 1_767_225_600;

    public static (List<SealedBlock> Blocks, Checkpoint Checkpoint) Build(int intervals, int tradesPerInterval)
    {
        var rules = new RulesRecord(1, ClearingMechanisms.UniformPriceDoubleAuction, 900, 300, 0, 1_000_000, FirstStart);
        var blocks = new List<SealedBlock> { BlockSealer.SealGenesis(Key, DateTimeOffset.FromUnixTimeSeconds(FirstStart - 3600)) };
        blocks.Add(BlockSealer.SealRules(blocks[^1].NextTip, Key, rules, DateTimeOffset.FromUnixTimeSeconds(FirstStart - 3599)));
        var ledgerId = blocks[0].HeaderHash;
        var parties = Enumerable.Range(0, intervals).SelectMany(k => Enumerable.Range(0, 2 * tradesPerInterval).Select(i => new PartyId((ulong)k, (ulong)i)));
        using var households = new Market.Generation.GeneratedHouseholds(parties);
        blocks.Add(households.SealEnrolments(blocks[^1].NextTip, Key, ledgerId, DateTimeOffset.FromUnixTimeSeconds(FirstStart - 3599)));
        var sequence = 0L;
        for (var k = 0; k < intervals; k++)
        {
            var start = FirstStart + (900L * k);
            var orders = new OrderLeaf[2 * tradesPerInterval];
            var fills = new TradeFill[tradesPerInterval];
            for (var i = 0; i < tradesPerInterval; i++)
            {
                var buyer = new PartyId((ulong)k, (ulong)(2 * i));
                var seller = new PartyId((ulong)k, (ulong)((2 * i) + 1));
                orders[2 * i] = Market.Generation.GeneratedHouseholds.Order(++sequence, buyer, OrderSide.Buy, 1_000, 3_000);
                orders[(2 * i) + 1] = Market.Generation.GeneratedHouseholds.Order(++sequence, seller, OrderSide.Sell, 1_000, 2_000);
                fills[i] = new TradeFill(buyer, seller, orders[2 * i].Sequence, orders[(2 * i) + 1].Sequence, 1_000, 2_500);
            }

            households.Sign(ledgerId, [(start, start + 900, orders)], perSubmission: 1);
            var gate = DateTimeOffset.FromUnixTimeSeconds(start - 300);
            var book = BlockSealer.SealOrderBook(blocks[^1].NextTip, Key, start, start + 900, 1, 1, orders, gate);
            blocks.Add(book);
            blocks.Add(BlockSealer.SealClearing(book.NextTip, Key, book.Header, fills, gate.AddSeconds(1)));
        }

        var tree = new CompactMerkleTree();
        foreach (var block in blocks)
        {
            tree.Append(block.HeaderHash);
        }

        var checkpoint = Checkpoint.Create(blocks.Count, tree.Root(), DateTimeOffset.FromUnixTimeSeconds(FirstStart + (900L * intervals)), Key);
        return (blocks, checkpoint);
    }

    /// <summary>The synthetic books' own rule: bid i trades 1 kWh with offer i at 2,500.</summary>
    public sealed class PairingReplayer : IClearingReplayer
    {
        public IReadOnlyList<ReplayedTrade>? Replay(IReadOnlyList<OrderLeaf> orders, byte mechanism, int rulesVersion)
        {
            var trades = new ReplayedTrade[orders.Count / 2];
            for (var i = 0; i < trades.Length; i++)
            {
                trades[i] = new ReplayedTrade(orders[2 * i].Sequence, orders[(2 * i) + 1].Sequence, 1_000, 2_500);
            }

            return trades;
        }
    }
}
