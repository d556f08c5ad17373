namespace Market.Ledger.Tests;

/// <summary>
/// Genesis, rules, interval 0 of <see cref="TestChain"/> (order book, clearing at 2,500: party 1 sells 3,000 Wh,
/// party 3 sells 1,500, party 2 buys 2,000, party 4 buys 2,500), then its reconciliation version 1 (heights 4) and a
/// correction, version 2 (height 5). Retail 3,000, feed-in 800.
/// Version 1: party 1 exported 2,600 (short 400), party 3 exported 1,800 (long 300), party 5 (no trade) imported 100
/// (short 100): party 3 covers 240 of party 1 and 60 of party 5, the rest comes from the utility.
/// Version 2: party 5's reading corrected to 0 import: party 3 covers 300 of party 1, party 1 buys 100 at retail.
/// </summary>
internal sealed class ReconciliationChain
{
    public const long Retail = 3000;
    public const long FeedIn = 800;

    private ReconciliationChain(List<LedgerBlock> blocks, Checkpoint checkpoint, Dictionary<(PartyId, int), MeterReading> readings)
    {
        Blocks = blocks;
        Checkpoint = checkpoint;
        Readings = readings;
    }

    public List<LedgerBlock> Blocks { get; }

    public Checkpoint Checkpoint { get; }

    public Dictionary<(PartyId Household, int Version), MeterReading> Readings { get; }

    public static long Start => TestChain.FirstIntervalStart;

    public static long End => TestChain.FirstIntervalStart + TestChain.IntervalLength;

    public static PartyId P(int index) => TestChain.Party(0, index);

    public static MeterReading Reading(int party, int version, long exportWh, long importWh) =>
        new(P(party), Start, End, version, $"DE-METER-{party:D4}", exportWh, importWh);

    public static HouseholdReconciliationLeaf Leaf(MeterReading reading, long sold, long bought, params ImbalanceEntry[] entries) => new()
    {
        Household = reading.Household,
        ReadingHash = reading.Hash(),
        ReadingVersion = reading.ReadingVersion,
        SoldWh = sold,
        BoughtWh = bought,
        ExportWh = reading.ExportWh,
        ImportWh = reading.ImportWh,
        Entries = [.. entries],
    };

    public static ImbalanceEntry Covered(int by, long wh, long price = 2500) => new(ImbalanceEntryKind.CoveredByNeighbour, P(by), wh, Money.Amount(wh, price));

    public static ImbalanceEntry Provided(int to, long wh, long price = 2500) => new(ImbalanceEntryKind.ProvidedToNeighbour, P(to), wh, Money.Amount(wh, price));

    public static ImbalanceEntry FromUtility(long wh) => new(ImbalanceEntryKind.BoughtFromUtility, ImbalanceEntry.Utility, wh, Money.Amount(wh, Retail));

    public static MeterReading[] ReadingsV1 =>
    [
        Reading(1, 1, 2600, 0), Reading(2, 1, 0, 2000), Reading(3, 1, 1800, 0), Reading(4, 1, 0, 2500), Reading(5, 1, 0, 100),
    ];

    public static HouseholdReconciliationLeaf[] HouseholdsV1()
    {
        var r = ReadingsV1;
        return
        [
            Leaf(r[0], 3000, 0, Covered(3, 240), FromUtility(160)),
            Leaf(r[1], 0, 2000),
            Leaf(r[2], 1500, 0, Provided(1, 240), Provided(5, 60)),
            Leaf(r[3], 0, 2500),
            Leaf(r[4], 0, 0, Covered(3, 60), FromUtility(40)),
        ];
    }

    public static HouseholdReconciliationLeaf[] HouseholdsV2()
    {
        var r = ReadingsV1;
        return
        [
            Leaf(r[0], 3000, 0, Covered(3, 300), FromUtility(100)),
            Leaf(r[1], 0, 2000),
            Leaf(r[2], 1500, 0, Provided(1, 300)),
            Leaf(r[3], 0, 2500),
            Leaf(Reading(5, 2, 0, 0), 0, 0),
        ];
    }

    public static ReconciliationSummary Summary(int version) => new(version, 1, 2500, Retail, FeedIn, 0);

    /// <summary>Builds the chain; the hook may replace what version 1 and 2 seal.</summary>
    public static ReconciliationChain Build(
        Func<ReconciliationSummary, HouseholdReconciliationLeaf[], (ReconciliationSummary, HouseholdReconciliationLeaf[])>? alterV1 = null,
        Func<ReconciliationSummary, HouseholdReconciliationLeaf[], (ReconciliationSummary, HouseholdReconciliationLeaf[])>? alterV2 = null,
        bool referenceOrderBook = false)
    {
        var key = TestChain.KeyA;
        var valid = TestChain.Valid.Blocks;
        var blocks = new List<SealedBlock> { valid[0], valid[1], valid[2], valid[3] };
        var tip = valid[3].NextTip;
        var referenced = referenceOrderBook ? valid[2].Header with { Kind = BlockKind.Clearing } : valid[3].Header;
        var (s1, h1) = alterV1?.Invoke(Summary(1), HouseholdsV1()) ?? (Summary(1), HouseholdsV1());
        var v1 = BlockSealer.SealReconciliation(tip, key, referenced, s1, h1, TestChain.Gate(0).AddHours(1));
        var (s2, h2) = alterV2?.Invoke(Summary(2), HouseholdsV2()) ?? (Summary(2), HouseholdsV2());
        var v2 = BlockSealer.SealReconciliation(v1.NextTip, key, valid[3].Header, s2, h2, TestChain.Gate(0).AddHours(26));
        blocks.Add(v1);
        blocks.Add(v2);
        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        var checkpoint = Checkpoint.Create(blocks.Count, tree.Root(), TestChain.Gate(0).AddHours(27), key);
        var readings = ReadingsV1.Append(Reading(5, 2, 0, 0)).ToDictionary(r => (r.Household, r.ReadingVersion));
        return new ReconciliationChain([.. blocks], checkpoint, readings);
    }
}

/// <summary>A reading store as the web app keeps it: by household and reading version (one interval here).</summary>
internal sealed class DictionaryReadings(Dictionary<(PartyId Household, int Version), MeterReading> readings) : IMeterReadingSource
{
    public MeterReading? Find(PartyId household, long intervalStart, long intervalEnd, int readingVersion) =>
        readings.TryGetValue((household, readingVersion), out var r) && r.IntervalStart == intervalStart && r.IntervalEnd == intervalEnd ? r : null;
}
