using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>
/// Canonical rules record, the single leaf of a rules block (big-endian). Version 1 (36 bytes):
/// <c>version u8 (=1) | rules version u16 | mechanism u8 | interval length s u32 | gate closure lead s u32 |
/// price floor i64 | price ceiling i64 | effective from i64</c>; version 2 (60 bytes) adds
/// <c>same-feeder fee i64 | same-transformer fee i64 | across-transformers fee i64</c>. Mechanism
/// <see cref="ClearingMechanisms.GridZonalAuction"/> is written as version 2, every other mechanism as version 1.
/// </summary>
/// <param name="RulesVersion">The number order-book and clearing blocks name (1 … 65535, strictly increasing per rules block).</param>
/// <param name="Mechanism">Clearing mechanism, see <see cref="ClearingMechanisms"/>.</param>
/// <param name="IntervalLengthSeconds">Length of a delivery interval in seconds (positive).</param>
/// <param name="GateClosureLeadSeconds">Orders close this many seconds before the interval starts (not negative).</param>
/// <param name="PriceFloor">Lowest allowed price, 1/10,000 of the currency per kWh (not negative).</param>
/// <param name="PriceCeiling">Highest allowed price, 1/10,000 of the currency per kWh (≥ floor).</param>
/// <param name="EffectiveFrom">The first interval start (Unix seconds) these rules apply to; aligned to the length.</param>
public readonly record struct RulesRecord(
    int RulesVersion,
    byte Mechanism,
    int IntervalLengthSeconds,
    int GateClosureLeadSeconds,
    long PriceFloor,
    long PriceCeiling,
    long EffectiveFrom)
{
    /// <summary>Encoded length in bytes of version 1.</summary>
    public const int Size = 36;

    /// <summary>Encoded length in bytes of version 2 (with the network fees).</summary>
    public const int SizeV2 = 60;

    /// <summary>The highest network fee, in 1/10,000 of the currency per kWh (2^40).</summary>
    public const long MaxFee = 1L << 40;

    /// <summary>The record format version written for mechanisms other than the grid's (no fees).</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The record format version written for <see cref="ClearingMechanisms.GridZonalAuction"/>.</summary>
    public const byte VersionWithFees = 2;

    /// <summary>
    /// Network fee of a trade between two connections on the same feeder, in 1/10,000 of the currency per kWh
    /// (0 … 2^40; 0 in version 1).
    /// </summary>
    public long SameFeederFee { get; init; }

    /// <summary>Network fee of a trade across feeders under the same transformer (≥ <see cref="SameFeederFee"/>).</summary>
    public long SameTransformerFee { get; init; }

    /// <summary>Network fee of a trade across transformers (≥ <see cref="SameTransformerFee"/>).</summary>
    public long AcrossTransformersFee { get; init; }

    /// <summary>The record version <see cref="Encode"/> writes: 2 for the grid's mechanism, else 1.</summary>
    public byte EncodedVersion => Mechanism == ClearingMechanisms.GridZonalAuction ? VersionWithFees : CurrentVersion;

    /// <summary>The encoded length: <see cref="SizeV2"/> or <see cref="Size"/> by <see cref="EncodedVersion"/>.</summary>
    public int EncodedLength => EncodedVersion == VersionWithFees ? SizeV2 : Size;

    /// <summary>The canonical bytes (36 or 60, see <see cref="EncodedLength"/>).</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Writes the canonical bytes.</summary>
    /// <param name="destination">At least <see cref="EncodedLength"/> bytes.</param>
    /// <exception cref="InvalidOperationException">A field outside its encoded range, or fees under version 1.</exception>
    public void EncodeTo(Span<byte> destination)
    {
        if (RulesVersion is < 0 or > ushort.MaxValue || IntervalLengthSeconds < 0 || GateClosureLeadSeconds < 0)
        {
            throw new InvalidOperationException("rules version is a u16; interval length and lead are not negative");
        }

        var version = EncodedVersion;
        if (version == CurrentVersion && (SameFeederFee | SameTransformerFee | AcrossTransformersFee) != 0)
        {
            throw new InvalidOperationException("network fees are only recorded for the grid's mechanism (record version 2)");
        }

        destination[0] = version;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)RulesVersion);
        destination[3] = Mechanism;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)IntervalLengthSeconds);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)GateClosureLeadSeconds);
        BinaryPrimitives.WriteInt64BigEndian(destination[12..], PriceFloor);
        BinaryPrimitives.WriteInt64BigEndian(destination[20..], PriceCeiling);
        BinaryPrimitives.WriteInt64BigEndian(destination[28..], EffectiveFrom);
        if (version == VersionWithFees)
        {
            BinaryPrimitives.WriteInt64BigEndian(destination[36..], SameFeederFee);
            BinaryPrimitives.WriteInt64BigEndian(destination[44..], SameTransformerFee);
            BinaryPrimitives.WriteInt64BigEndian(destination[52..], AcrossTransformersFee);
        }
    }

    /// <summary>Decodes a version 1 (36 bytes) or version 2 (60 bytes) record.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <returns>The record.</returns>
    /// <exception cref="LedgerFormatException">Wrong length or version, or a u32 beyond 2^31−1.</exception>
    public static RulesRecord Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var record, out var error) ? record : throw new LedgerFormatException(error!);

    /// <summary>Decodes a version 1 (36 bytes) or version 2 (60 bytes) record without throwing.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="record">The record on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a rules record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out RulesRecord record, out string? error)
    {
        record = default;
        if (bytes.Length == 0 || bytes[0] is not (CurrentVersion or VersionWithFees))
        {
            error = $"rules record: unsupported version {(bytes.Length == 0 ? "(empty)" : bytes[0].ToString(System.Globalization.CultureInfo.InvariantCulture))} (expected 1 or 2)";
            return false;
        }

        var size = bytes[0] == VersionWithFees ? SizeV2 : Size;
        if (bytes.Length != size)
        {
            error = $"rules record: version {bytes[0]} has {size} bytes, got {bytes.Length}";
            return false;
        }

        if (bytes[0] == CurrentVersion && bytes[3] == ClearingMechanisms.GridZonalAuction)
        {
            error = "rules record: version 1 cannot name the grid's mechanism 3 (it has no fees); mechanism 3 needs version 2";
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        var lead = BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]);
        if (length > int.MaxValue || lead > int.MaxValue)
        {
            error = "rules record: interval length or gate closure lead beyond 2^31-1 seconds";
            return false;
        }

        record = new RulesRecord(
            BinaryPrimitives.ReadUInt16BigEndian(bytes[1..]),
            bytes[3],
            (int)length,
            (int)lead,
            BinaryPrimitives.ReadInt64BigEndian(bytes[12..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[20..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[28..]));
        if (size == SizeV2)
        {
            record = record with
            {
                SameFeederFee = BinaryPrimitives.ReadInt64BigEndian(bytes[36..]),
                SameTransformerFee = BinaryPrimitives.ReadInt64BigEndian(bytes[44..]),
                AcrossTransformersFee = BinaryPrimitives.ReadInt64BigEndian(bytes[52..]),
            };
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Checks the record's values: rules version ≥ 1, a known-nonzero mechanism, positive interval length, lead not
    /// negative, 0 ≤ floor ≤ ceiling, effective-from aligned to the interval length; fees in 0 … 2^40 and not
    /// decreasing with distance, and all 0 unless the mechanism is <see cref="ClearingMechanisms.GridZonalAuction"/>.
    /// </summary>
    /// <param name="error">What is wrong, or null.</param>
    /// <returns>Whether the values are valid.</returns>
    public bool Validate(out string? error)
    {
        error = RulesVersion is < 1 or > ushort.MaxValue ? "rules version must be in 1..65535"
            : Mechanism == 0 ? "mechanism must not be 0"
            : IntervalLengthSeconds <= 0 ? "interval length must be positive"
            : GateClosureLeadSeconds < 0 ? "gate closure lead must not be negative"
            : PriceFloor < 0 ? "price floor must not be negative"
            : PriceCeiling < PriceFloor ? "price ceiling must not be below the floor"
            : EffectiveFrom % IntervalLengthSeconds != 0 ? "effective-from must be aligned to the interval length"
            : SameFeederFee is < 0 or > MaxFee || SameTransformerFee is < 0 or > MaxFee || AcrossTransformersFee is < 0 or > MaxFee
                ? "network fees must be in 0..2^40"
            : SameTransformerFee < SameFeederFee || AcrossTransformersFee < SameTransformerFee
                ? "network fees must not decrease with distance (same feeder <= same transformer <= across transformers)"
            : Mechanism != ClearingMechanisms.GridZonalAuction && (SameFeederFee | SameTransformerFee | AcrossTransformersFee) != 0
                ? "network fees apply only under the grid's mechanism 3"
            : null;
        return error is null;
    }
}
