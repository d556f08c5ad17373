using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Market.Ledger;

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
