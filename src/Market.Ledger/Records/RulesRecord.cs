using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>
/// Canonical rules record version 1, the single leaf of a rules block (36 bytes, big-endian):
/// <c>version u8 (=1) | rules version u16 | mechanism u8 | interval length s u32 | gate closure lead s u32 |
/// price floor i64 | price ceiling i64 | effective from i64</c>.
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
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 36;

    /// <summary>The record format version written by <see cref="Encode"/>.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The 36 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode()
    {
        var bytes = new byte[Size];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Writes the 36 canonical bytes.</summary>
    /// <param name="destination">At least 36 bytes.</param>
    /// <exception cref="InvalidOperationException">A field outside its encoded range.</exception>
    public void EncodeTo(Span<byte> destination)
    {
        if (RulesVersion is < 0 or > ushort.MaxValue || IntervalLengthSeconds < 0 || GateClosureLeadSeconds < 0)
        {
            throw new InvalidOperationException("rules version is a u16; interval length and lead are not negative");
        }

        destination[0] = CurrentVersion;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)RulesVersion);
        destination[3] = Mechanism;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)IntervalLengthSeconds);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)GateClosureLeadSeconds);
        BinaryPrimitives.WriteInt64BigEndian(destination[12..], PriceFloor);
        BinaryPrimitives.WriteInt64BigEndian(destination[20..], PriceCeiling);
        BinaryPrimitives.WriteInt64BigEndian(destination[28..], EffectiveFrom);
    }

    /// <summary>Decodes exactly 36 bytes.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <returns>The record.</returns>
    /// <exception cref="LedgerFormatException">Wrong length or version, or a u32 beyond 2^31−1.</exception>
    public static RulesRecord Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var record, out var error) ? record : throw new LedgerFormatException(error!);

    /// <summary>Decodes exactly 36 bytes without throwing.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="record">The record on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a rules record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out RulesRecord record, out string? error)
    {
        record = default;
        if (bytes.Length != Size)
        {
            error = $"rules record: expected {Size} bytes, got {bytes.Length}";
            return false;
        }

        if (bytes[0] != CurrentVersion)
        {
            error = $"rules record: unsupported version {bytes[0]} (expected {CurrentVersion})";
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
        error = null;
        return true;
    }

    /// <summary>
    /// Checks the record's values: rules version ≥ 1, a known-nonzero mechanism, positive interval length, lead not
    /// negative, 0 ≤ floor ≤ ceiling, effective-from aligned to the interval length.
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
            : null;
        return error is null;
    }
}
