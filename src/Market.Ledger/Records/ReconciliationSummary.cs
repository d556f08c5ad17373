using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>
/// The first leaf of a reconciliation block, version 2 (137 bytes, big-endian): <c>version u8 (=2) | type u8 (=1) |
/// reconciliation version u32 | settlement rules version u16 | has local price u8 | local price i64 | retail price
/// i64 | feed-in tariff i64 | household count u32 | Σ export Wh i64 | Σ import Wh i64 | Σ shortfall Wh i64 |
/// Σ surplus Wh i64 | netted Wh i64 | neighbour cover, utility purchase, utility feed-in (<see cref="PostingTotal"/>
/// each)</c>. Public: it carries the community's totals, never a household's metered values.
/// </summary>
public readonly record struct ReconciliationSummary
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 137;

    /// <summary>The record format version.</summary>
    public const byte CurrentVersion = 2;

    /// <summary>The record type byte of a summary.</summary>
    public const byte RecordType = 1;

    /// <summary>1 for the first reconciliation of the interval, +1 for each correction.</summary>
    public required int ReconciliationVersion { get; init; }

    /// <summary>The settlement rules (docs/settlement.md); 1.</summary>
    public required int SettlementRulesVersion { get; init; }

    /// <summary>The local price, 1/10,000 currency per kWh; null when the interval had no trades (no netting).</summary>
    public required long? LocalPrice { get; init; }

    /// <summary>Retail price, 1/10,000 currency per kWh: the price ceiling of the rules the interval was cleared under.</summary>
    public required long RetailPrice { get; init; }

    /// <summary>Feed-in tariff, 1/10,000 currency per kWh: the price floor of the rules the interval was cleared under.</summary>
    public required long FeedInTariff { get; init; }

    /// <summary>Number of household records that follow.</summary>
    public required int HouseholdCount { get; init; }

    /// <summary>The households' metered export added up, Wh.</summary>
    public required long ExportWh { get; init; }

    /// <summary>The households' metered import added up, Wh.</summary>
    public required long ImportWh { get; init; }

    /// <summary>The short households' shortfalls added up, Wh.</summary>
    public required long ShortfallWh { get; init; }

    /// <summary>The long households' surpluses added up, Wh.</summary>
    public required long SurplusWh { get; init; }

    /// <summary>Energy netted between neighbours: <c>min(shortfall, surplus)</c> with a local price, else 0; Wh.</summary>
    public required long NettedWh { get; init; }

    /// <summary>The neighbour covers (short household pays long household at the local price).</summary>
    public required PostingTotal NeighbourCover { get; init; }

    /// <summary>The purchases from the utility at the retail price.</summary>
    public required PostingTotal UtilityPurchase { get; init; }

    /// <summary>What the utility took at the feed-in tariff.</summary>
    public required PostingTotal UtilityFeedIn { get; init; }

    /// <summary>The summary of one reconciliation of the households' settlement records, its totals their sums.</summary>
    /// <param name="reconciliationVersion">1 for the interval's first, +1 per correction.</param>
    /// <param name="settlementRulesVersion">The settlement rules; 1.</param>
    /// <param name="localPrice">The local price, or null without trades.</param>
    /// <param name="retailPrice">The retail price in force (the rules' ceiling).</param>
    /// <param name="feedInTariff">The feed-in tariff in force (the rules' floor).</param>
    /// <param name="records">Every household's settlement record.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="OverflowException">A total beyond 64 bits.</exception>
    public static ReconciliationSummary Of(
        int reconciliationVersion, int settlementRulesVersion, long? localPrice, long retailPrice, long feedInTariff, IReadOnlyCollection<HouseholdSettlement> records) =>
        new ReconciliationSummary
        {
            ReconciliationVersion = reconciliationVersion,
            SettlementRulesVersion = settlementRulesVersion,
            LocalPrice = localPrice,
            RetailPrice = retailPrice,
            FeedInTariff = feedInTariff,
            HouseholdCount = 0,
            ExportWh = 0,
            ImportWh = 0,
            ShortfallWh = 0,
            SurplusWh = 0,
            NettedWh = 0,
            NeighbourCover = default,
            UtilityPurchase = default,
            UtilityFeedIn = default,
        }.WithTotalsOf(records);

    /// <summary>
    /// This summary with its community totals set from the households' settlement records: the sums of export,
    /// import, shortfall (covered plus bought from the utility), surplus (provided plus sold to the utility), the
    /// netted energy (the neighbour cover) and each kind's postings. What a verifier with every opening recomputes.
    /// </summary>
    /// <param name="records">Every household's settlement record of the interval and version.</param>
    /// <returns>The summary with totals.</returns>
    /// <exception cref="OverflowException">A total beyond 64 bits.</exception>
    public ReconciliationSummary WithTotalsOf(IReadOnlyCollection<HouseholdSettlement> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        static PostingTotal Sum(IEnumerable<PostingTotal> totals) => totals.Aggregate(default(PostingTotal), (a, t) =>
            new PostingTotal(checked(a.Postings + t.Postings), checked(a.EnergyWh + t.EnergyWh), checked(a.Amount + t.Amount)));
        var cover = Sum(records.Select(r => r.CoveredByNeighbours));
        var purchase = Sum(records.Select(r => r.BoughtFromUtility));
        var feedIn = Sum(records.Select(r => r.SoldToUtility));
        return this with
        {
            HouseholdCount = records.Count,
            ExportWh = records.Aggregate(0L, (a, r) => checked(a + r.ExportWh)),
            ImportWh = records.Aggregate(0L, (a, r) => checked(a + r.ImportWh)),
            ShortfallWh = checked(cover.EnergyWh + purchase.EnergyWh),
            SurplusWh = checked(Sum(records.Select(r => r.ProvidedToNeighbours)).EnergyWh + feedIn.EnergyWh),
            NettedWh = cover.EnergyWh,
            NeighbourCover = cover,
            UtilityPurchase = purchase,
            UtilityFeedIn = feedIn,
        };
    }

    /// <summary>The 137 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">A version or count outside its field.</exception>
    public byte[] Encode()
    {
        if (ReconciliationVersion < 0 || SettlementRulesVersion is < 0 or > ushort.MaxValue || HouseholdCount < 0)
        {
            throw new InvalidOperationException("versions and household count are unsigned");
        }

        var bytes = new byte[Size];
        var span = bytes.AsSpan();
        span[0] = CurrentVersion;
        span[1] = RecordType;
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)ReconciliationVersion);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)SettlementRulesVersion);
        span[8] = LocalPrice is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteInt64BigEndian(span[9..], LocalPrice ?? 0);
        BinaryPrimitives.WriteInt64BigEndian(span[17..], RetailPrice);
        BinaryPrimitives.WriteInt64BigEndian(span[25..], FeedInTariff);
        BinaryPrimitives.WriteUInt32BigEndian(span[33..], (uint)HouseholdCount);
        BinaryPrimitives.WriteInt64BigEndian(span[37..], ExportWh);
        BinaryPrimitives.WriteInt64BigEndian(span[45..], ImportWh);
        BinaryPrimitives.WriteInt64BigEndian(span[53..], ShortfallWh);
        BinaryPrimitives.WriteInt64BigEndian(span[61..], SurplusWh);
        BinaryPrimitives.WriteInt64BigEndian(span[69..], NettedWh);
        NeighbourCover.WriteTo(span[77..]);
        UtilityPurchase.WriteTo(span[97..]);
        UtilityFeedIn.WriteTo(span[117..]);
        return bytes;
    }

    /// <summary>Decodes exactly 137 bytes without throwing. Checks the layout only; the verifier checks the values.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="summary">The summary on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a summary record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out ReconciliationSummary summary, out string? error)
    {
        summary = default;
        if (bytes.Length != Size)
        {
            error = $"reconciliation summary: expected {Size} bytes, got {bytes.Length}";
            return false;
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);
        var count = BinaryPrimitives.ReadUInt32BigEndian(bytes[33..]);
        var countsFit = PostingTotal.TryRead(bytes[77..], out var cover) & PostingTotal.TryRead(bytes[97..], out var purchase)
            & PostingTotal.TryRead(bytes[117..], out var feedIn);
        error = bytes[0] != CurrentVersion ? $"reconciliation summary: unsupported version {bytes[0]} (expected {CurrentVersion})"
            : bytes[1] != RecordType ? $"reconciliation summary: record type {bytes[1]} (expected {RecordType})"
            : bytes[8] > 1 ? "reconciliation summary: the has-local-price flag is 0 or 1"
            : bytes[8] == 0 && BinaryPrimitives.ReadInt64BigEndian(bytes[9..]) != 0 ? "reconciliation summary: no local price but a non-zero price field"
            : version > int.MaxValue || count > int.MaxValue || !countsFit ? "reconciliation summary: version, household count or posting count beyond 2^31-1"
            : null;
        if (error is not null)
        {
            return false;
        }

        summary = new ReconciliationSummary
        {
            ReconciliationVersion = (int)version,
            SettlementRulesVersion = BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]),
            LocalPrice = bytes[8] == 1 ? BinaryPrimitives.ReadInt64BigEndian(bytes[9..]) : null,
            RetailPrice = BinaryPrimitives.ReadInt64BigEndian(bytes[17..]),
            FeedInTariff = BinaryPrimitives.ReadInt64BigEndian(bytes[25..]),
            HouseholdCount = (int)count,
            ExportWh = BinaryPrimitives.ReadInt64BigEndian(bytes[37..]),
            ImportWh = BinaryPrimitives.ReadInt64BigEndian(bytes[45..]),
            ShortfallWh = BinaryPrimitives.ReadInt64BigEndian(bytes[53..]),
            SurplusWh = BinaryPrimitives.ReadInt64BigEndian(bytes[61..]),
            NettedWh = BinaryPrimitives.ReadInt64BigEndian(bytes[69..]),
            NeighbourCover = cover,
            UtilityPurchase = purchase,
            UtilityFeedIn = feedIn,
        };
        return true;
    }
}
