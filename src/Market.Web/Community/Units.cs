using System.Globalization;

namespace Market.Web.Community;

/// <summary>
/// Display and reading of the integer units (energy in Wh, prices in 1/10,000 currency per kWh, money in 1/10,000
/// currency) in the household's culture: the request's, which the pages and their circuits run in.
/// </summary>
public static class Units
{
    public const long PriceScale = 10_000;

    /// <summary>
    /// Energy in kWh with exactly three decimals (whole Wh), in the current culture's marks: "2.150 kWh" in English,
    /// "2,150 kWh" in German for 2150 Wh, "0.400 kWh" for 400 Wh. One unit and one width for every row of a column,
    /// and never a bare "55.851" that a German reader takes for fifty-five thousand.
    /// </summary>
    public static string Energy(long wh) => Energy(wh, CultureInfo.CurrentCulture);

    /// <inheritdoc cref="Energy(long)"/>
    public static string Energy(long wh, IFormatProvider? culture) =>
        (wh / 1000m).ToString("#,0.000", culture) + " kWh";

    /// <summary>A power in kW with up to three decimals in the culture's marks ("6 kW", "5.5 kW"; "5,5 kW" in German).</summary>
    public static string Power(long watts, IFormatProvider? culture = null) =>
        (watts / 1000m).ToString("#,0.###", culture ?? CultureInfo.CurrentCulture) + " kW";

    /// <summary>"21.50 ct/kWh" for 2150 (prices are shown in cents of the currency), "21,50 ct/kWh" in German.</summary>
    public static string Price(long price) => Price(price, CultureInfo.CurrentCulture);

    /// <inheritdoc cref="Price(long)"/>
    public static string Price(long price, IFormatProvider? culture) => Cents(price, culture) + " ct/kWh";

    /// <summary>A price as the number a person would type for it in ct/kWh: "21.50" for 2150, "21,50" in German.</summary>
    public static string Cents(long price, IFormatProvider? culture = null) =>
        (price / 100m).ToString("#,0.00", culture ?? CultureInfo.CurrentCulture);

    /// <summary>
    /// Money to the cent as households read it, in the current culture's convention: "€0.99" and "−€2.54" in English,
    /// "0,99 €" and "−2,54 €" in German for 9860 and −25431. Rounded half away from zero for display only; the
    /// ledger, the CSV exports and the API keep the full 1/10,000 (see <see cref="MoneyExact(long, string)"/>).
    /// </summary>
    public static string Money(long amount, string currency) => Money(amount, currency, CultureInfo.CurrentCulture);

    /// <inheritdoc cref="Money(long, string)"/>
    public static string Money(long amount, string currency, IFormatProvider? culture) =>
        Currency(Math.Round(amount / (decimal)PriceScale, 2, MidpointRounding.AwayFromZero), "#,0.00", currency, culture);

    /// <summary>
    /// Money with all four decimals of the unit ("€0.3970", "−€1.5086"; "0,3970 €" in German), for the pages that show
    /// what the ledger holds to the last unit: blocks, receipts and the operator's corrections.
    /// </summary>
    public static string MoneyExact(long amount, string currency) => MoneyExact(amount, currency, CultureInfo.CurrentCulture);

    /// <inheritdoc cref="MoneyExact(long, string)"/>
    public static string MoneyExact(long amount, string currency, IFormatProvider? culture) =>
        Currency(amount / (decimal)PriceScale, "#,0.0000", currency, culture);

    // The culture places the symbol (before or after, with or without a space); the sign is always a leading minus
    // sign (U+2212), which reads the same in every culture and cannot be taken for a hyphen in a table.
    private static string Currency(decimal value, string format, string currency, IFormatProvider? culture)
    {
        var marks = NumberFormatInfo.GetInstance(culture);
        var symbol = currency switch { "EUR" => "€", "GBP" => "£", "USD" => "$", "AUD" => "A$", _ => currency };
        var number = Math.Abs(value).ToString(format, marks);
        var text = marks.CurrencyPositivePattern switch
        {
            1 => number + symbol,
            2 => symbol + "\u00a0" + number,
            3 => number + "\u00a0" + symbol,
            _ => currency.Length == 3 && symbol == currency ? symbol + "\u00a0" + number : symbol + number,
        };
        return (value < 0 ? "−" : "") + text;
    }

    /// <summary>
    /// Reads a number a person typed in <paramref name="culture"/>'s marks ("1.5", "-2", "1,000.25" in English;
    /// "1,5", "1.000,25" in German: an optional sign, digits with optional group separators, an optional decimal mark
    /// and decimals) into whole units of 10^-<paramref name="decimals"/> (Wh for kWh with 3, 1/10,000 currency per
    /// kWh for ct/kWh with 2). Exact, never rounded, and it never throws, however long the text: non-zero decimals
    /// beyond <paramref name="decimals"/> are <see cref="NumberEntry.TooPrecise"/>, and a number a <see cref="long"/>
    /// cannot hold in those units is <see cref="NumberEntry.OutOfRange"/>. A group separator must separate groups of
    /// exactly three digits after a first group of one to three: "0,1" in English is
    /// <see cref="NumberEntry.WrongDecimalMark"/>, never 1 (nor 0.1: the text is refused, not guessed).
    /// </summary>
    public static NumberEntry ReadScaled(string? text, int decimals, IFormatProvider? culture, out long value)
    {
        var marks = NumberFormatInfo.GetInstance(culture);
        return ReadScaled(text, decimals, Mark(marks.NumberDecimalSeparator, '.'), Mark(marks.NumberGroupSeparator, ','), out value);

        // Every culture the app offers has one-character marks; anything longer falls back to the invariant ones.
        static char Mark(string mark, char otherwise) => mark.Length == 1 ? mark[0] : otherwise;
    }

    /// <summary>
    /// <see cref="ReadScaled(string?, int, IFormatProvider?, out long)"/> with the marks given: <paramref name="decimalMark"/>
    /// before the decimals, <paramref name="groupMark"/> between groups of three digits.
    /// </summary>
    public static NumberEntry ReadScaled(string? text, int decimals, char decimalMark, char groupMark, out long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        if (decimalMark == groupMark || char.IsAsciiDigit(decimalMark) || char.IsAsciiDigit(groupMark))
        {
            throw new ArgumentException("The decimal mark and the group separator must be two different non-digits.", nameof(groupMark));
        }

        value = 0;
        var number = text.AsSpan().Trim();
        var negative = number.StartsWith('-');
        if (negative || number.StartsWith('+'))
        {
            number = number[1..];
        }

        var point = number.IndexOf(decimalMark);
        var whole = point < 0 ? number : number[..point];
        var fraction = point < 0 ? [] : number[(point + 1)..];
        if (!OnlyDigitsAnd(whole, groupMark) || fraction.ContainsAnyExceptInRange('0', '9') || whole.StartsWith(groupMark)
            || whole.EndsWith(groupMark)
            || !(whole.ContainsAnyInRange('0', '9') || fraction.ContainsAnyInRange('0', '9')))
        {
            return NumberEntry.NotANumber;
        }

        if (whole.Contains(groupMark) && !GroupedInThrees(whole, groupMark))
        {
            return NumberEntry.WrongDecimalMark;
        }

        fraction = fraction.TrimEnd('0');
        long magnitude = 0;
        foreach (var digit in whole)
        {
            if (digit != groupMark && !Append(ref magnitude, digit - '0'))
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

        static bool OnlyDigitsAnd(ReadOnlySpan<char> span, char mark)
        {
            foreach (var c in span)
            {
                if (!char.IsAsciiDigit(c) && c != mark)
                {
                    return false;
                }
            }

            return true;
        }

        // "1,000,000": a first group of one to three digits, then groups of exactly three.
        static bool GroupedInThrees(ReadOnlySpan<char> whole, char mark)
        {
            var first = whole.IndexOf(mark);
            if (first is < 1 or > 3)
            {
                return false;
            }

            var rest = whole[first..];
            while (!rest.IsEmpty)
            {
                if (rest.Length < 4 || rest[0] != mark || rest[1..4].Contains(mark))
                {
                    return false;
                }

                rest = rest[4..];
            }

            return true;
        }

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

    /// <summary>
    /// What to tell a person whose number used the group separator where the decimal mark belongs ("0,1" in English):
    /// "Use a point for decimals, e.g. 0.1; a comma only separates thousands (1,000)."
    /// </summary>
    public static string DecimalMarkHint(IFormatProvider? culture = null)
    {
        var marks = NumberFormatInfo.GetInstance(culture ?? CultureInfo.CurrentCulture);
        return $"Use {Name(marks.NumberDecimalSeparator)} for decimals, e.g. {0.1m.ToString("0.0", marks)}; "
            + $"{Name(marks.NumberGroupSeparator)} only separates thousands ({1000.ToString("#,0", marks)}).";

        static string Name(string mark) => mark switch { "." => "a point", "," => "a comma", _ => $"\"{mark}\"" };
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A short, readable form of a pseudonym or hash: the first 12 hex digits.</summary>
    public static string Abbrev(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes[..Math.Min(6, bytes.Length)]);
}

/// <summary>What <see cref="Units.ReadScaled(string?, int, IFormatProvider?, out long)"/> made of a number a person typed.</summary>
public enum NumberEntry
{
    /// <summary>A number the unit holds exactly.</summary>
    Valid,

    /// <summary>Not a number: empty, letters, "NaN", "1e5", two points…</summary>
    NotANumber,

    /// <summary>More decimals than the unit has (1.0005 kWh is a fraction of a Wh).</summary>
    TooPrecise,

    /// <summary>
    /// The group separator where the decimal mark belongs: "0,1" or "1,5" in English, "0.1" in German. Refused rather
    /// than read as 1 or 15 (or guessed to be 0.1).
    /// </summary>
    WrongDecimalMark,

    /// <summary>Beyond what the app can hold at all (about ±9.2 × 10^15 kWh, ±9.2 × 10^16 ct/kWh).</summary>
    OutOfRange,
}
