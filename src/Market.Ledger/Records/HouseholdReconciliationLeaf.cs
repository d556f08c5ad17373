using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Market.Ledger;

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
