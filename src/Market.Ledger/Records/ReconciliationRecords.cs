using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Market.Ledger;

/// <summary>What an imbalance entry of a household settles, seen from that household.</summary>
public enum ImbalanceEntryKind : byte
{
    /// <summary>The household's shortfall was covered by the counterparty (a neighbour); the household paid at the local price.</summary>
    CoveredByNeighbour = 1,

    /// <summary>The household's surplus covered the counterparty (a neighbour); the household was paid at the local price.</summary>
    ProvidedToNeighbour = 2,

    /// <summary>The household bought its residual shortfall from the utility at the retail price.</summary>
    BoughtFromUtility = 3,

    /// <summary>The utility took the household's residual surplus at the feed-in tariff.</summary>
    SoldToUtility = 4,
}

/// <summary>One imbalance posting as a household's reconciliation record holds it (33 bytes:
/// <c>kind u8 | counterparty [16] | energy Wh i64 | amount i64</c>).</summary>
/// <param name="Kind">What is settled.</param>
/// <param name="Counterparty">The neighbour; <see cref="Utility"/> (16 zero bytes) for the utility kinds.</param>
/// <param name="EnergyWh">Energy in Wh (positive).</param>
/// <param name="Amount">Money in 1/10,000 of the currency: <see cref="Money.Amount"/> at the kind's price.</param>
public readonly record struct ImbalanceEntry(ImbalanceEntryKind Kind, PartyId Counterparty, long EnergyWh, long Amount)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 33;

    /// <summary>The utility's account in <see cref="Counterparty"/>: 16 zero bytes (never a household).</summary>
    public static PartyId Utility => default;

    /// <summary>Whether the household pays in this entry (cover by a neighbour, purchase from the utility).</summary>
    public bool HouseholdPays => Kind is ImbalanceEntryKind.CoveredByNeighbour or ImbalanceEntryKind.BoughtFromUtility;
}

/// <summary>
/// The first leaf of a reconciliation block, version 1 (37 bytes, big-endian):
/// <c>version u8 (=1) | type u8 (=1) | reconciliation version u32 | settlement rules version u16 | has local price u8 |
/// local price i64 | retail price i64 | feed-in tariff i64 | household count u32</c>.
/// </summary>
/// <param name="ReconciliationVersion">1 for the first reconciliation of the interval, +1 for each correction.</param>
/// <param name="SettlementRulesVersion">The settlement rules (docs/settlement.md); 1.</param>
/// <param name="LocalPrice">The local price, 1/10,000 currency per kWh; null when the interval had no trades (no netting).</param>
/// <param name="RetailPrice">Retail price, 1/10,000 currency per kWh.</param>
/// <param name="FeedInTariff">Feed-in tariff, 1/10,000 currency per kWh.</param>
/// <param name="HouseholdCount">Number of household records that follow.</param>
public readonly record struct ReconciliationSummary(
    int ReconciliationVersion,
    int SettlementRulesVersion,
    long? LocalPrice,
    long RetailPrice,
    long FeedInTariff,
    int HouseholdCount)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 37;

    /// <summary>The record format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The record type byte of a summary.</summary>
    public const byte RecordType = 1;

    /// <summary>The 37 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">A version or count outside its field.</exception>
    public byte[] Encode()
    {
        if (ReconciliationVersion < 0 || SettlementRulesVersion is < 0 or > ushort.MaxValue || HouseholdCount < 0)
        {
            throw new InvalidOperationException("versions and household count are unsigned");
        }

        var bytes = new byte[Size];
        bytes[0] = CurrentVersion;
        bytes[1] = RecordType;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), (uint)ReconciliationVersion);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), (ushort)SettlementRulesVersion);
        bytes[8] = LocalPrice is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(9), LocalPrice ?? 0);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(17), RetailPrice);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(25), FeedInTariff);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(33), (uint)HouseholdCount);
        return bytes;
    }

    /// <summary>Decodes exactly 37 bytes without throwing.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="summary">The summary on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a summary record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out ReconciliationSummary summary, out string? error)
    {
        summary = default;
        var version = BinaryPrimitives.ReadUInt32BigEndian(bytes.Length == Size ? bytes[2..] : new byte[4]);
        var count = BinaryPrimitives.ReadUInt32BigEndian(bytes.Length == Size ? bytes[33..] : new byte[4]);
        error = bytes.Length != Size ? $"reconciliation summary: expected {Size} bytes, got {bytes.Length}"
            : bytes[0] != CurrentVersion ? $"reconciliation summary: unsupported version {bytes[0]} (expected {CurrentVersion})"
            : bytes[1] != RecordType ? $"reconciliation summary: record type {bytes[1]} (expected {RecordType})"
            : bytes[8] > 1 ? "reconciliation summary: the has-local-price flag is 0 or 1"
            : bytes[8] == 0 && BinaryPrimitives.ReadInt64BigEndian(bytes[9..]) != 0 ? "reconciliation summary: no local price but a non-zero price field"
            : version > int.MaxValue || count > int.MaxValue ? "reconciliation summary: version or household count beyond 2^31-1"
            : null;
        if (error is not null)
        {
            return false;
        }

        summary = new ReconciliationSummary(
            (int)version,
            BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]),
            bytes[8] == 1 ? BinaryPrimitives.ReadInt64BigEndian(bytes[9..]) : null,
            BinaryPrimitives.ReadInt64BigEndian(bytes[17..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[25..]),
            (int)count);
        return true;
    }
}

/// <summary>
/// One household's reconciliation record, version 1 (88 + 33 × k bytes, big-endian):
/// <c>version u8 (=1) | type u8 (=2) | household [16] | reading hash [32] | reading version u32 | sold Wh i64 |
/// bought Wh i64 | export Wh i64 | import Wh i64 | entry count u16 | k × entry (<see cref="ImbalanceEntry"/>)</c>.
/// Entries are in strictly increasing (kind, counterparty) order.
/// </summary>
public sealed record HouseholdReconciliationLeaf
{
    /// <summary>Length without entries.</summary>
    public const int FixedSize = 88;

    /// <summary>The record format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The record type byte of a household record.</summary>
    public const byte RecordType = 2;

    /// <summary>Pseudonymous household id (not zero: zero is the utility).</summary>
    public required PartyId Household { get; init; }

    /// <summary>SHA-256 of the canonical meter reading used (<see cref="MeterReading.Hash"/>), 32 bytes.</summary>
    public required byte[] ReadingHash { get; init; }

    /// <summary>Version of the meter reading used (1, then +1 per correction).</summary>
    public required int ReadingVersion { get; init; }

    /// <summary>Energy sold in the interval's trades, Wh.</summary>
    public required long SoldWh { get; init; }

    /// <summary>Energy bought in the interval's trades, Wh.</summary>
    public required long BoughtWh { get; init; }

    /// <summary>Metered export, Wh.</summary>
    public required long ExportWh { get; init; }

    /// <summary>Metered import, Wh.</summary>
    public required long ImportWh { get; init; }

    /// <summary>The imbalance postings of this household.</summary>
    public required ImmutableArray<ImbalanceEntry> Entries { get; init; }

    /// <summary>The canonical bytes, entries in (kind, counterparty) order.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">A hash that is not 32 bytes, a negative version, or more than 65535 entries.</exception>
    public byte[] Encode()
    {
        if (ReadingHash is not { Length: 32 } || ReadingVersion < 0 || Entries.Length > ushort.MaxValue)
        {
            throw new InvalidOperationException("reading hash is 32 bytes, reading version unsigned, at most 65535 entries");
        }

        var entries = Entries.Sort(static (a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : Compare(a.Counterparty, b.Counterparty));
        var bytes = new byte[FixedSize + (entries.Length * ImbalanceEntry.Size)];
        var span = bytes.AsSpan();
        span[0] = CurrentVersion;
        span[1] = RecordType;
        Household.WriteTo(span[2..]);
        ReadingHash.CopyTo(span[18..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[50..], (uint)ReadingVersion);
        BinaryPrimitives.WriteInt64BigEndian(span[54..], SoldWh);
        BinaryPrimitives.WriteInt64BigEndian(span[62..], BoughtWh);
        BinaryPrimitives.WriteInt64BigEndian(span[70..], ExportWh);
        BinaryPrimitives.WriteInt64BigEndian(span[78..], ImportWh);
        BinaryPrimitives.WriteUInt16BigEndian(span[86..], (ushort)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var e = span[(FixedSize + (i * ImbalanceEntry.Size))..];
            e[0] = (byte)entries[i].Kind;
            entries[i].Counterparty.WriteTo(e[1..]);
            BinaryPrimitives.WriteInt64BigEndian(e[17..], entries[i].EnergyWh);
            BinaryPrimitives.WriteInt64BigEndian(e[25..], entries[i].Amount);
        }

        return bytes;
    }

    /// <summary>Decodes a household record without throwing. Checks layout only (lengths, version, type, kinds,
    /// entry order); the verifier checks the values.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="leaf">The record on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a household record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HouseholdReconciliationLeaf? leaf, out string? error)
    {
        leaf = null;
        if (bytes.Length < FixedSize)
        {
            error = $"household reconciliation: at least {FixedSize} bytes, got {bytes.Length}";
            return false;
        }

        var count = BinaryPrimitives.ReadUInt16BigEndian(bytes[86..]);
        var readingVersion = BinaryPrimitives.ReadUInt32BigEndian(bytes[50..]);
        error = bytes[0] != CurrentVersion ? $"household reconciliation: unsupported version {bytes[0]} (expected {CurrentVersion})"
            : bytes[1] != RecordType ? $"household reconciliation: record type {bytes[1]} (expected {RecordType})"
            : bytes.Length != FixedSize + (count * ImbalanceEntry.Size) ? $"household reconciliation: {count} entries need {FixedSize + (count * ImbalanceEntry.Size)} bytes, got {bytes.Length}"
            : readingVersion > int.MaxValue ? "household reconciliation: reading version beyond 2^31-1"
            : null;
        if (error is not null)
        {
            return false;
        }

        var entries = ImmutableArray.CreateBuilder<ImbalanceEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var e = bytes[(FixedSize + (i * ImbalanceEntry.Size))..];
            if (e[0] is < 1 or > 4)
            {
                error = $"household reconciliation: entry {i} has unknown kind {e[0]}";
                return false;
            }

            var entry = new ImbalanceEntry((ImbalanceEntryKind)e[0], PartyId.Read(e[1..]), BinaryPrimitives.ReadInt64BigEndian(e[17..]), BinaryPrimitives.ReadInt64BigEndian(e[25..]));
            if (i > 0 && (entries[i - 1].Kind > entry.Kind || (entries[i - 1].Kind == entry.Kind && Compare(entries[i - 1].Counterparty, entry.Counterparty) >= 0)))
            {
                error = $"household reconciliation: entry {i} is not in strictly increasing (kind, counterparty) order";
                return false;
            }

            entries.Add(entry);
        }

        leaf = new HouseholdReconciliationLeaf
        {
            Household = PartyId.Read(bytes[2..]),
            ReadingHash = bytes.Slice(18, 32).ToArray(),
            ReadingVersion = (int)readingVersion,
            SoldWh = BinaryPrimitives.ReadInt64BigEndian(bytes[54..]),
            BoughtWh = BinaryPrimitives.ReadInt64BigEndian(bytes[62..]),
            ExportWh = BinaryPrimitives.ReadInt64BigEndian(bytes[70..]),
            ImportWh = BinaryPrimitives.ReadInt64BigEndian(bytes[78..]),
            Entries = entries.MoveToImmutable(),
        };
        return true;
    }

    /// <summary>Orders party ids as their 16 big-endian bytes.</summary>
    internal static int Compare(PartyId a, PartyId b) => a.High != b.High ? a.High.CompareTo(b.High) : a.Low.CompareTo(b.Low);
}

/// <summary>
/// A meter reading of one household and interval as the ledger commits to it. The ledger holds only its hash:
/// SHA-256 over the canonical bytes, version 1 (big-endian):
/// <c>version u8 (=1) | household [16] | interval start i64 | interval end i64 | reading version u32 |
/// export Wh i64 | import Wh i64 | meter id length u8 (1..64) | meter id (UTF-8)</c>.
/// </summary>
/// <param name="Household">Pseudonymous household id.</param>
/// <param name="IntervalStart">Interval start, Unix seconds.</param>
/// <param name="IntervalEnd">Interval end, Unix seconds.</param>
/// <param name="ReadingVersion">1 for the first reading, +1 per correction.</param>
/// <param name="MeterId">The meter's id (1 to 64 bytes of UTF-8); personal data, never in the ledger itself.</param>
/// <param name="ExportWh">Metered export, Wh (not negative).</param>
/// <param name="ImportWh">Metered import, Wh (not negative).</param>
public readonly record struct MeterReading(
    PartyId Household,
    long IntervalStart,
    long IntervalEnd,
    int ReadingVersion,
    string MeterId,
    long ExportWh,
    long ImportWh)
{
    /// <summary>The record format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The canonical bytes.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">A meter id that is empty or beyond 64 bytes, a negative version or energy.</exception>
    public byte[] Encode()
    {
        var meter = Encoding.UTF8.GetBytes(MeterId ?? string.Empty);
        if (meter.Length is < 1 or > 64 || ReadingVersion < 0 || ExportWh < 0 || ImportWh < 0)
        {
            throw new InvalidOperationException("meter id 1..64 UTF-8 bytes; version and energies not negative");
        }

        var bytes = new byte[54 + meter.Length];
        var span = bytes.AsSpan();
        span[0] = CurrentVersion;
        Household.WriteTo(span[1..]);
        BinaryPrimitives.WriteInt64BigEndian(span[17..], IntervalStart);
        BinaryPrimitives.WriteInt64BigEndian(span[25..], IntervalEnd);
        BinaryPrimitives.WriteUInt32BigEndian(span[33..], (uint)ReadingVersion);
        BinaryPrimitives.WriteInt64BigEndian(span[37..], ExportWh);
        BinaryPrimitives.WriteInt64BigEndian(span[45..], ImportWh);
        span[53] = (byte)meter.Length;
        meter.CopyTo(span[54..]);
        return bytes;
    }

    /// <summary>SHA-256 of <see cref="Encode"/>: what a household reconciliation record names.</summary>
    /// <returns>32 bytes.</returns>
    public byte[] Hash() => SHA256.HashData(Encode());
}

/// <summary>
/// The meter readings a verifier can look up (the operator's or a household's records; the export does not carry
/// them). With a source, <see cref="ChainVerifier"/> confirms every reading hash sealed in reconciliation blocks.
/// </summary>
public interface IMeterReadingSource
{
    /// <summary>The reading of a household, interval and reading version, or null when there is none.</summary>
    /// <param name="household">The household.</param>
    /// <param name="intervalStart">Interval start, Unix seconds.</param>
    /// <param name="intervalEnd">Interval end, Unix seconds.</param>
    /// <param name="readingVersion">The reading version the reconciliation names.</param>
    /// <returns>The reading, or null.</returns>
    MeterReading? Find(PartyId household, long intervalStart, long intervalEnd, int readingVersion);
}
