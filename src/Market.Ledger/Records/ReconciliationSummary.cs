using System.Buffers.Binary;

namespace Market.Ledger;

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
