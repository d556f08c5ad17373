using static Market.Ledger.Tests.TestChain;

namespace Market.Ledger.Tests;

/// <summary>
/// A small ledger cleared under the grid's limits (mechanism 3), sealed honestly unless a hook changes it. Heights:
/// 0 genesis, 1 rules (fees 10, 30, 50), 2 the households' keys, 3 the network, 4 interval 0's limits (connection
/// h1's export envelope 2,500 Wh), 5 its order book, 6 its clearing (trades 1 and 2, then eight zone leaves and the residual).
/// </summary>
/// <remarks>
/// Nodes: 0 community c, 1 transformer t1, 2 feeder f1 (export 6,000 W = 1,500 Wh per 15 minutes), 3 connection h1
/// (household 1), 4 connection h2 (household 2), 5 feeder f2, 6 connection h3 (household 3), 7 connection h4
/// (household 4). Household 1 offers 3,000 Wh at 2,000; households 3, 4 and 2 bid 2,000 Wh at 3,000, 1,000 Wh at
/// 2,500 and 500 Wh at 2,800. Feeder f1's export binds: household 2 buys 500 Wh on the same feeder at 2,010 (fee 10),
/// household 3 buys 1,500 Wh across the feeders at 3,000 (fee 30, congestion rent 970). Zone prices and trades are
/// what Market.Matching's GridAuction gives (checked by Market.Replay.Tests).
/// </remarks>
internal static class GridChain
{
    public const int Feeder1 = 2;
    public const int H1 = 3;

    public static readonly RulesRecord Rules = new(1, ClearingMechanisms.GridZonalAuction, IntervalLength, 300, 0, 10_000, FirstIntervalStart)
    {
        SameFeederFee = 10,
        SameTransformerFee = 30,
        AcrossTransformersFee = 50,
    };

    public static readonly long[] ZonePrices = [3010, 3000, 2010, 2000, 2010, 3000, 3000, 2995];

    public static readonly long[] Flows = [0, 0, 1500, 2000, -500, -1500, -1500, 0];

    public static PartyId Household(int k) => Party(7, k);

    public static NetworkNodeLeaf[] Network(long feeder1ExportW = 6000) =>
    [
        new(-1, NetworkNodeKind.Community, -1, -1, default, "c"),
        new(0, NetworkNodeKind.Transformer, -1, -1, default, "t1"),
        new(1, NetworkNodeKind.Feeder, feeder1ExportW, -1, default, "f1"),
        new(2, NetworkNodeKind.Connection, 12_000, 12_000, Household(1), "h1"),
        new(2, NetworkNodeKind.Connection, 12_000, 12_000, Household(2), "h2"),
        new(1, NetworkNodeKind.Feeder, -1, -1, default, "f2"),
        new(5, NetworkNodeKind.Connection, 12_000, 12_000, Household(3), "h3"),
        new(5, NetworkNodeKind.Connection, 12_000, 12_000, Household(4), "h4"),
    ];

    public static GridLimitLeaf[] Limits(long h1ExportWh = 2500) => [new(H1, h1ExportWh, 3000, "flex-2026-01-01-0100")];

    public static OrderLeaf[] Orders() =>
    [
        HouseholdKeys.Order(1, Household(1), OrderSide.Sell, 3000, 2000),
        HouseholdKeys.Order(2, Household(3), OrderSide.Buy, 2000, 3000),
        HouseholdKeys.Order(3, Household(4), OrderSide.Buy, 1000, 2500),
        HouseholdKeys.Order(4, Household(2), OrderSide.Buy, 500, 2800),
    ];

    public static GridTradeFill[] Trades() =>
    [
        new(Household(2), Household(1), 4, 1, 500, 2010, 2000, 10, Feeder1),
        new(Household(3), Household(1), 2, 1, 1500, 3000, 2000, 30, 1),
    ];

    /// <summary>The community's residual after the clearing, as GridAuction gives it.</summary>
    public static ResidualLeaf Residual() => new(-3500, 1500, [new(3020, 1500)], [new(3000, 500), new(2500, 1500), new(2030, 3000), new(2010, 3500)]);

    /// <summary>The honest replay of <see cref="Orders"/> (what <see cref="FakeReplayer"/> answers for this book).</summary>
    public static GridReplay Replay() =>
        new([.. Trades().Select(t => new ReplayedGridTrade(t.BuySequence, t.SellSequence, t.EnergyWh, t.BuyPrice, t.SellPrice, t.FeePrice, t.MeetNode))], ZonePrices, null, Residual());

    /// <summary>Seals the chain; the hooks seal a dishonest but well-formed one.</summary>
    public static (List<LedgerBlock> Blocks, Checkpoint Checkpoint) Build(
        NetworkNodeLeaf[]? network = null,
        GridLimitLeaf[]? limits = null,
        GridTradeFill[]? trades = null,
        long[]? zonePrices = null,
        long[]? flows = null,
        ResidualLeaf? residual = null,
        bool withLimits = true,
        bool withNetwork = true,
        bool twoLimits = false)
    {
        var key = KeyA;
        var genesis = BlockSealer.SealGenesis(key, Genesis);
        var rules = BlockSealer.SealRules(genesis.NextTip, key, Rules, Genesis.AddSeconds(1));
        var households = HouseholdKeys.SealEnrolments(rules.NextTip, key, genesis.HeaderHash, Enumerable.Range(1, 4).Select(Household), Genesis.AddSeconds(2));
        List<SealedBlock> blocks = [genesis, rules, households];
        if (withNetwork)
        {
            blocks.Add(BlockSealer.SealNetwork(households.NextTip, key, network ?? Network(), Genesis.AddSeconds(3)));
        }

        var networkHash = blocks[^1].HeaderHash;
        var start = FirstIntervalStart;
        var end = start + IntervalLength;
        for (var i = 0; withLimits && i < (twoLimits ? 2 : 1); i++)
        {
            blocks.Add(BlockSealer.SealGridLimits(blocks[^1].NextTip, key, networkHash, start, end, Rules.Mechanism, Rules.RulesVersion, limits ?? Limits(), Gate(0)));
        }

        var orders = HouseholdKeys.SignBook(genesis.HeaderHash, start, end, Orders());
        var book = BlockSealer.SealOrderBook(blocks[^1].NextTip, key, start, end, Rules.Mechanism, Rules.RulesVersion, orders, Gate(0));
        var clearing = BlockSealer.SealGridClearing(book.NextTip, key, book.Header, trades ?? Trades(), zonePrices ?? ZonePrices, flows ?? Flows, residual ?? Residual(), Gate(0).AddSeconds(1));
        blocks.AddRange([book, clearing]);
        List<LedgerBlock> ledger = [.. blocks];
        return (ledger, TamperCases.Tamper.CheckpointOver(ledger, Gate(0).AddSeconds(5), key));
    }
}
