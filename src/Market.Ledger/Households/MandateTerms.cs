using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Market.Ledger;

/// <summary>
/// A mandate's body (docs/ledger-format.md §3.1): the limits within which the market may place orders for a household
/// without a signature of their own (its autopilot, ADR 29). Big-endian:
/// <c>side mask u8 ‖ most energy per interval i64 ‖ lowest sell price i64 ‖ highest buy price i64 ‖ valid from i64 ‖
/// valid until i64 ‖ days u8 ‖ hours u32 ‖ nonce [16] ‖ time zone length u8 ‖ time zone (ASCII)</c>, 63 + length bytes
/// (its fields add up to 63 bytes before the name).
/// </summary>
/// <param name="SideMask">Bit 0 buy, bit 1 sell; 1, 2 or 3.</param>
/// <param name="MaxEnergyWh">The most energy of the household's orders under the mandate in one interval, Wh (&gt; 0).</param>
/// <param name="LowestSellPrice">A sell order's limit is at least this.</param>
/// <param name="HighestBuyPrice">A buy order's limit is at most this.</param>
/// <param name="ValidFromUnix">First interval start allowed, Unix seconds.</param>
/// <param name="ValidUntilUnix">Interval starts before this are allowed (exclusive; after <paramref name="ValidFromUnix"/>).</param>
/// <param name="Days">Bit 0 Monday … bit 6 Sunday of the interval start's local day; bit 7 zero; not 0.</param>
/// <param name="Hours">Bit h = local hour h (0 … 23) of the interval start; bits 24–31 zero; not 0.</param>
/// <param name="Nonce">16 bytes chosen by the household (two identical mandates have different ids).</param>
/// <param name="TimeZone">IANA time zone name, 1 … 64 characters of <c>A-Z a-z 0-9 / _ + -</c>, known to the verifier.</param>
public sealed record MandateTerms(
    byte SideMask,
    long MaxEnergyWh,
    long LowestSellPrice,
    long HighestBuyPrice,
    long ValidFromUnix,
    long ValidUntilUnix,
    byte Days,
    uint Hours,
    byte[] Nonce,
    string TimeZone)
{
    /// <summary>Length of the body without the time zone name (its length byte included).</summary>
    public const int FixedSize = 63;

    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Zones = new(StringComparer.Ordinal);

    /// <summary>The canonical body bytes.</summary>
    /// <returns>63 + time zone length bytes.</returns>
    /// <exception cref="InvalidOperationException">Terms that <see cref="TryDecodeBody"/> would reject.</exception>
    public byte[] EncodeBody()
    {
        ArgumentNullException.ThrowIfNull(Nonce);
        ArgumentNullException.ThrowIfNull(TimeZone);
        var body = new byte[FixedSize + TimeZone.Length];
        body[0] = SideMask;
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(1), MaxEnergyWh);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(9), LowestSellPrice);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(17), HighestBuyPrice);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(25), ValidFromUnix);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(33), ValidUntilUnix);
        body[41] = Days;
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(42), Hours);
        if (Nonce.Length != Statement.NonceSize)
        {
            throw new InvalidOperationException("a mandate's nonce is 16 bytes");
        }

        Nonce.CopyTo(body.AsSpan(46));
        body[62] = (byte)TimeZone.Length;
        for (var i = 0; i < TimeZone.Length; i++)
        {
            body[FixedSize + i] = TimeZone[i] < 128 ? (byte)TimeZone[i] : (byte)0;
        }

        return TryDecodeBody(body, out _, out var error) ? body : throw new InvalidOperationException(error);
    }

    /// <summary>Decodes and validates a mandate body: masks, energy &gt; 0, valid until &gt; valid from, the time zone's
    /// length, characters and that the verifier knows it (<see cref="TimeZoneInfo.FindSystemTimeZoneById"/>).</summary>
    /// <param name="body">The body bytes.</param>
    /// <param name="terms">The terms on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the body is a valid mandate.</returns>
    public static bool TryDecodeBody(ReadOnlySpan<byte> body, [NotNullWhen(true)] out MandateTerms? terms, out string? error)
    {
        terms = null;
        if (body.Length < FixedSize + 1 || body.Length != FixedSize + body[62])
        {
            error = "mandate: the body is 63 bytes and a 1 … 64 byte time zone name";
            return false;
        }

        var mask = body[0];
        var maxEnergy = BinaryPrimitives.ReadInt64BigEndian(body[1..]);
        var from = BinaryPrimitives.ReadInt64BigEndian(body[25..]);
        var until = BinaryPrimitives.ReadInt64BigEndian(body[33..]);
        var days = body[41];
        var hours = BinaryPrimitives.ReadUInt32BigEndian(body[42..]);
        var zone = body[FixedSize..];
        error = mask is < 1 or > 3 ? $"mandate: side mask must be 1, 2 or 3, got {mask}"
            : maxEnergy <= 0 ? "mandate: the most energy per interval must be positive"
            : until <= from ? "mandate: valid until must be after valid from"
            : days == 0 || days > 0x7F ? "mandate: days must name at least one of Monday … Sunday (bits 0 … 6)"
            : hours == 0 || hours > 0xFFFFFF ? "mandate: hours must name at least one of 0 … 23 (bits 0 … 23)"
            : zone.Length > 64 || zone.IndexOfAnyExcept(ZoneCharacters) >= 0 ? "mandate: the time zone is 1 … 64 characters of A-Z a-z 0-9 / _ + -"
            : null;
        if (error is not null)
        {
            return false;
        }

        var name = System.Text.Encoding.ASCII.GetString(zone);
        if (Zone(name) is null)
        {
            error = $"mandate: unknown time zone \"{name}\"";
            return false;
        }

        terms = new MandateTerms(mask, maxEnergy, BinaryPrimitives.ReadInt64BigEndian(body[9..]), BinaryPrimitives.ReadInt64BigEndian(body[17..]),
            from, until, days, hours, body[46..62].ToArray(), name);
        return true;
    }

    /// <summary>
    /// Why the mandate does not allow an order, or null when it does: the side in the mask, the interval start in
    /// [valid from, valid until), its local day and hour in the masks, a sell limit at least the lowest sell price, a
    /// buy limit at most the highest buy price. (The energy per interval is summed over a book by the verifier.)
    /// </summary>
    /// <param name="intervalStart">The order's interval start, Unix seconds.</param>
    /// <param name="side">The order's side.</param>
    /// <param name="limitPrice">The order's limit price.</param>
    /// <returns>Null when allowed, else a plain reason.</returns>
    public string? Refuses(long intervalStart, OrderSide side, long limitPrice)
    {
        var bit = side == OrderSide.Buy ? 1 : side == OrderSide.Sell ? 2 : 0;
        if ((SideMask & bit) == 0)
        {
            return $"the mandate does not allow {(side == OrderSide.Buy ? "buying" : "selling")}";
        }

        if (intervalStart < ValidFromUnix || intervalStart >= ValidUntilUnix)
        {
            return $"the interval starting {intervalStart} is outside the mandate's validity [{ValidFromUnix}, {ValidUntilUnix})";
        }

        var zone = Zone(TimeZone);
        if (zone is null)
        {
            return $"unknown time zone \"{TimeZone}\"";
        }

        if (intervalStart < -62_135_596_800 || intervalStart > 253_402_300_799)
        {
            return "the interval start is outside the calendar";
        }

        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(intervalStart), zone);
        var day = ((int)local.DayOfWeek + 6) % 7;
        if ((Days & (1 << day)) == 0)
        {
            return $"the mandate does not allow {local.DayOfWeek} ({TimeZone})";
        }

        if ((Hours & (1u << local.Hour)) == 0)
        {
            return $"the mandate does not allow the hour {local.Hour}:00 ({TimeZone})";
        }

        if (side == OrderSide.Sell && limitPrice < LowestSellPrice)
        {
            return $"sell limit {limitPrice} below the mandate's lowest sell price {LowestSellPrice}";
        }

        if (side == OrderSide.Buy && limitPrice > HighestBuyPrice)
        {
            return $"buy limit {limitPrice} above the mandate's highest buy price {HighestBuyPrice}";
        }

        return null;
    }

    /// <summary>Value equality, the nonce byte by byte.</summary>
    /// <param name="other">The other terms.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(MandateTerms? other) => other is not null && SideMask == other.SideMask && MaxEnergyWh == other.MaxEnergyWh
        && LowestSellPrice == other.LowestSellPrice && HighestBuyPrice == other.HighestBuyPrice && ValidFromUnix == other.ValidFromUnix
        && ValidUntilUnix == other.ValidUntilUnix && Days == other.Days && Hours == other.Hours
        && Nonce.AsSpan().SequenceEqual(other.Nonce) && TimeZone == other.TimeZone;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SideMask, MaxEnergyWh, ValidFromUnix, TimeZone);

    private static readonly System.Buffers.SearchValues<byte> ZoneCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-"u8);

    private static TimeZoneInfo? Zone(string name) => Zones.GetOrAdd(name, static n =>
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(n);
        }
        catch (TimeZoneNotFoundException)
        {
            return null;
        }
        catch (InvalidTimeZoneException)
        {
            return null;
        }
    });
}
