using System.Security.Cryptography;

namespace Market.Ledger.Tests;

/// <summary>
/// Genesis, rules, the household keys and interval 0 of <see cref="TestChain"/> (order book, clearing at 2,500: party 1 sells 3,000 Wh,
/// party 3 sells 1,500, party 2 buys 2,000, party 4 buys 2,500), then its reconciliation version 1 (height 5) and a
/// correction, version 2 (height 6). The tariffs are those of TestChain's rules: retail 10,000 (the ceiling), feed-in
/// 0 (the floor).
/// Version 1: party 1 exported 2,600 (short 400), party 3 exported 1,801 (long 301), party 5 (no trade) imported 100
/// (short 100): 301 Wh are netted; pro rata party 1 is covered for 240.8 and party 5 for 60.2 Wh, the left-over Wh
/// goes to the larger remainder: 241 and 60, both by party 3; the rest of their shortfall comes from the utility.
/// Version 2: party 5's reading corrected to 0 import: party 3 covers 301 of party 1, party 1 buys 99 at retail.
/// </summary>
internal sealed class ReconciliationChain
{
    public const long Local = 2500;
    public const long Retail = 10_000;
    public const long FeedIn = 0;

    private ReconciliationChain(List<LedgerBlock> blocks, Checkpoint checkpoint, List<ReconciliationOpening> openings)
    {
        Blocks = blocks;
        Checkpoint = checkpoint;
        Openings = openings;
    }

    public List<LedgerBlock> Blocks { get; }

    public Checkpoint Checkpoint { get; }

    /// <summary>Every household's opening of both versions.</summary>
    public List<ReconciliationOpening> Openings { get; }

    /// <summary>The readings the two versions used, by household and reading version.</summary>
    public static Dictionary<(PartyId Household, int Version), MeterReading> Readings =>
        ReadingsV1.Append(Reading(5, 2, 0, 0)).ToDictionary(r => (r.Household, r.ReadingVersion));

    public static long Start => TestChain.FirstIntervalStart;

    public static long End => TestChain.FirstIntervalStart + TestChain.IntervalLength;

    public static PartyId P(int index) => TestChain.Party(0, index);

    public static MeterReading Reading(int party, int version, long exportWh, long importWh) =>
        new(P(party), Start, End, version, $"DE-METER-{party:D4}", exportWh, importWh);

    /// <summary>Neighbour cover postings of these energies at the local price, added up.</summary>
    public static PostingTotal Cover(params long[] wh) => Settlements.Postings(Local, wh);

    public static PostingTotal FromUtility(long wh) => Settlements.Postings(Retail, wh);

    public static MeterReading[] ReadingsV1 =>
    [
        Reading(1, 1, 2600, 0), Reading(2, 1, 0, 2000), Reading(3, 1, 1801, 0), Reading(4, 1, 0, 2500), Reading(5, 1, 0, 100),
    ];

    public static HouseholdSettlement[] RecordsV1()
    {
        var r = ReadingsV1;
        return
        [
            Settlements.Record(r[0], 1, covered: Cover(241), bought: FromUtility(159)),
            Settlements.Record(r[1], 1),
            Settlements.Record(r[2], 1, provided: Cover(241, 60)),
            Settlements.Record(r[3], 1),
            Settlements.Record(r[4], 1, covered: Cover(60), bought: FromUtility(40)),
        ];
    }

    public static HouseholdSettlement[] RecordsV2()
    {
        var r = ReadingsV1;
        return
        [
            Settlements.Record(r[0], 2, covered: Cover(301), bought: FromUtility(99)),
            Settlements.Record(r[1], 2),
            Settlements.Record(r[2], 2, provided: Cover(301)),
            Settlements.Record(r[3], 2),
            Settlements.Record(Reading(5, 2, 0, 0), 2),
        ];
    }

    /// <summary>What the parties sold and bought in interval 0's trades.</summary>
    public static (long Sold, long Bought) Traded(PartyId party) =>
        party == P(1) ? (3000, 0) : party == P(2) ? (0, 2000) : party == P(3) ? (1500, 0) : party == P(4) ? (0, 2500) : (0, 0);


    /// <summary>Version 1 with party 1 (remainder 400) not given the left-over Wh of the pro-rata split and party 5
    /// (remainder 100) given it instead: each share is within one Wh of its exact share and every total is unchanged,
    /// so only a verifier with every opening sees it.</summary>
    public static Sealing WrongRemainder(Sealing s) => s
        .Reseal(0, r => r with { CoveredByNeighbours = Cover(240), BoughtFromUtility = FromUtility(160) })
        .Reseal(4, r => r with { CoveredByNeighbours = Cover(61), BoughtFromUtility = FromUtility(39) })
        .Reseal(2, r => r with { ProvidedToNeighbours = Cover(240, 61) });

    /// <summary>Version 1 with party 1 covered for 251 Wh instead of its pro-rata 241 (and party 5 for 50 instead of
    /// 60): each household's own opening shows it against the summary's totals.</summary>
    public static Sealing BeyondProRataShare(Sealing s) => s
        .Reseal(0, r => r with { CoveredByNeighbours = Cover(251), BoughtFromUtility = FromUtility(149) })
        .Reseal(4, r => r with { CoveredByNeighbours = Cover(50), BoughtFromUtility = FromUtility(50) });

    /// <summary>Builds the chain; the hooks may replace what version 1 and 2 seal.</summary>
    public static ReconciliationChain Build(Func<Sealing, Sealing>? alterV1 = null, Func<Sealing, Sealing>? alterV2 = null, bool referenceOrderBook = false)
    {
        var key = TestChain.KeyA;
        var valid = TestChain.Valid.Blocks;
        var blocks = new List<SealedBlock> { valid[0], valid[1], valid[2], valid[3], valid[4] };
        var tip = valid[4].NextTip;
        var referenced = referenceOrderBook ? valid[3].Header with { Kind = BlockKind.Clearing } : valid[4].Header;
        var one = Settlements.Seal(1, Local, Retail, FeedIn, RecordsV1(), Traded);
        one = alterV1?.Invoke(one) ?? one;
        var v1 = BlockSealer.SealReconciliation(tip, key, referenced, one.Summary, one.Households, TestChain.Gate(0).AddHours(1));
        var two = Settlements.Seal(2, Local, Retail, FeedIn, RecordsV2(), Traded);
        two = alterV2?.Invoke(two) ?? two;
        var v2 = BlockSealer.SealReconciliation(v1.NextTip, key, valid[4].Header, two.Summary, two.Households, TestChain.Gate(0).AddHours(26));
        blocks.Add(v1);
        blocks.Add(v2);
        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        var checkpoint = Checkpoint.Create(blocks.Count, tree.Root(), TestChain.Gate(0).AddHours(27), key);
        return new ReconciliationChain([.. blocks], checkpoint, [.. one.Openings, .. two.Openings]);
    }
}

/// <summary>Builds settlement records, their openings and honest reconciliations for the test ledgers.</summary>
internal static class Settlements
{
    /// <summary>Postings of these energies at one price, added up (each rounded on its own).</summary>
    public static PostingTotal Postings(long price, params long[] wh) => new(wh.Length, wh.Sum(), wh.Sum(x => Money.Amount(x, price)));

    public static HouseholdSettlement Record(
        MeterReading reading,
        int reconciliationVersion,
        PostingTotal covered = default,
        PostingTotal provided = default,
        PostingTotal bought = default,
        PostingTotal sold = default) => new()
    {
        Household = reading.Household,
        IntervalStart = reading.IntervalStart,
        IntervalEnd = reading.IntervalEnd,
        ReconciliationVersion = reconciliationVersion,
        ReadingVersion = reading.ReadingVersion,
        ReadingHash = reading.Hash(),
        ExportWh = reading.ExportWh,
        ImportWh = reading.ImportWh,
        CoveredByNeighbours = covered,
        ProvidedToNeighbours = provided,
        BoughtFromUtility = bought,
        SoldToUtility = sold,
    };

    /// <summary>A fixed salt per household and version, so the test ledgers are the same bytes on every run (the market
    /// draws its salts from a CSPRNG).</summary>
    public static ReconciliationOpening Open(HouseholdSettlement record)
    {
        Span<byte> seed = stackalloc byte[32];
        record.Household.WriteTo(seed);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(seed[16..], record.IntervalStart);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(seed[24..], record.ReconciliationVersion);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(seed[28..], record.ReadingVersion);
        return new ReconciliationOpening(SHA256.HashData(seed), record);
    }

    /// <summary>The public record of an opening, with sold and bought from the interval's trades.</summary>
    public static HouseholdReconciliationLeaf Leaf(ReconciliationOpening opening, Func<PartyId, (long Sold, long Bought)> traded)
    {
        var (sold, bought) = traded(opening.Settlement.Household);
        return new HouseholdReconciliationLeaf { Household = opening.Settlement.Household, SoldWh = sold, BoughtWh = bought, Commitment = opening.Commitment() };
    }

    /// <summary>An honest reconciliation of the records (settlement rules 1): the summary's totals are their sums.</summary>
    public static Sealing Seal(int version, long? local, long retail, long feedIn, HouseholdSettlement[] records, Func<PartyId, (long Sold, long Bought)> traded)
    {
        var openings = records.Select(Open).ToArray();
        return new Sealing(ReconciliationSummary.Of(version, 1, local, retail, feedIn, records), [.. openings.Select(o => Leaf(o, traded))], openings);
    }
}

/// <summary>What one reconciliation version seals (summary and public household records) and the openings of its
/// commitments.</summary>
internal sealed record Sealing(ReconciliationSummary Summary, HouseholdReconciliationLeaf[] Households, ReconciliationOpening[] Openings)
{
    /// <summary>The operator seals another settlement record for household <paramref name="index"/>: a new opening and
    /// the commitment to it; the summary is left as it was.</summary>
    public Sealing Reseal(int index, Func<HouseholdSettlement, HouseholdSettlement> change)
    {
        var opening = Settlements.Open(change(Openings[index].Settlement));
        return this with
        {
            Openings = [.. Openings.Select((o, i) => i == index ? opening : o)],
            Households = [.. Households.Select((h, i) => i == index ? h with { Commitment = opening.Commitment() } : h)],
        };
    }

    /// <summary>The same, with the summary's totals made the new records' sums.</summary>
    public Sealing ResealWithTotals(int index, Func<HouseholdSettlement, HouseholdSettlement> change)
    {
        var sealing = Reseal(index, change);
        return sealing with { Summary = sealing.Summary.WithTotalsOf([.. sealing.Openings.Select(o => o.Settlement)]) };
    }

    public Sealing WithHousehold(int index, Func<HouseholdReconciliationLeaf, HouseholdReconciliationLeaf> change) =>
        this with { Households = [.. Households.Select((h, i) => i == index ? change(h) : h)] };
}

/// <summary>A reading store as the web app keeps it: by household and reading version (one interval here).</summary>
internal sealed class DictionaryReadings(Dictionary<(PartyId Household, int Version), MeterReading> readings) : IMeterReadingSource
{
    public MeterReading? Find(PartyId household, long intervalStart, long intervalEnd, int readingVersion) =>
        readings.TryGetValue((household, readingVersion), out var r) && r.IntervalStart == intervalStart && r.IntervalEnd == intervalEnd ? r : null;
}
