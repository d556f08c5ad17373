using System.Buffers;
using System.Globalization;

namespace Market.Web.Community;

/// <summary>Display of the integer units: energy in Wh, prices in 1/10,000 currency per kWh, money in 1/10,000 currency.</summary>
public static class Units
{
    public const long PriceScale = 10_000;

    private static readonly SearchValues<char> WholeDigits = SearchValues.Create("0123456789,");

    /// <summary>"2.150 kWh" for 2150 Wh.</summary>
    public static string Energy(long wh) =>
        wh >= 1000 || wh <= -1000
            ? (wh / 1000m).ToString("#,0.###", CultureInfo.InvariantCulture) + " kWh"
            : wh.ToString(CultureInfo.InvariantCulture) + " Wh";

    /// <summary>"21.50 ct/kWh" for 2150 (prices are shown in cents of the currency).</summary>
    public static string Price(long price) => (price / 100m).ToString("0.00", CultureInfo.InvariantCulture) + " ct/kWh";

    /// <summary>"€0.7350" style money, with 4 decimals when needed, 2 otherwise.</summary>
    public static string Money(long amount, string currency)
    {
        var value = amount / (decimal)PriceScale;
        var symbol = currency switch { "EUR" => "€", "GBP" => "£", "USD" => "$", "AUD" => "A$", _ => currency + " " };
        var text = Math.Abs(value).ToString(amount % 100 == 0 ? "#,0.00" : "#,0.00##", CultureInfo.InvariantCulture);
        return (amount < 0 ? "−" : "") + symbol + text;
    }

    /// <summary>
    /// Reads a number a person typed ("1.5", "-2", "1,000.25": an optional sign, digits with optional thousands
    /// commas, an optional point and decimals) into whole units of 10^-<paramref name="decimals"/> (Wh for kWh with
    /// 3, 1/10,000 currency per kWh for ct/kWh with 2). Exact, never rounded, and it never throws, however long the
    /// text: non-zero decimals beyond <paramref name="decimals"/> are <see cref="NumberEntry.TooPrecise"/>, and a
    /// number a <see cref="long"/> cannot hold in those units is <see cref="NumberEntry.OutOfRange"/>.
    /// </summary>
    public static NumberEntry ReadScaled(string? text, int decimals, out long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        value = 0;
        var number = text.AsSpan().Trim();
        var negative = number.StartsWith('-');
        if (negative || number.StartsWith('+'))
        {
            number = number[1..];
        }

        var point = number.IndexOf('.');
        var whole = point < 0 ? number : number[..point];
        var fraction = point < 0 ? [] : number[(point + 1)..];
        if (whole.ContainsAnyExcept(WholeDigits) || fraction.ContainsAnyExceptInRange('0', '9') || whole.StartsWith(',')
            || !(whole.ContainsAnyInRange('0', '9') || fraction.ContainsAnyInRange('0', '9')))
        {
            return NumberEntry.NotANumber;
        }

        fraction = fraction.TrimEnd('0');
        long magnitude = 0;
        foreach (var digit in whole)
        {
            if (digit != ',' && !Append(ref magnitude, digit - '0'))
            {
                return NumberEntry.OutOfRange;
            }
        }

        for (var i = 0; i < decimals; i++)
        {
            if (!Append(ref magnitude, i < fraction.Length ? fraction[i] - '0' : 0))
            {
                return NumberEntry.OutOfRange;
            }
        }

        if (fraction.Length > decimals)
        {
            return NumberEntry.TooPrecise;
        }

        value = negative ? -magnitude : magnitude;
        return NumberEntry.Valid;

        static bool Append(ref long magnitude, int digit)
        {
            if (magnitude > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            magnitude = (magnitude * 10) + digit;
            return true;
        }
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A short, readable form of a pseudonym or hash: the first 12 hex digits.</summary>
    public static string Abbrev(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes[..Math.Min(6, bytes.Length)]);
}

/// <summary>What <see cref="Units.ReadScaled"/> made of a number a person typed.</summary>
public enum NumberEntry
{
    /// <summary>A number the unit holds exactly.</summary>
    Valid,

    /// <summary>Not a number: empty, letters, "NaN", "1e5", two points…</summary>
    NotANumber,

    /// <summary>More decimals than the unit has (1.0005 kWh is a fraction of a Wh).</summary>
    TooPrecise,

    /// <summary>Beyond what the app can hold at all (about ±9.2 × 10^15 kWh, ±9.2 × 10^16 ct/kWh).</summary>
    OutOfRange,
}
