using System.Globalization;

namespace Market.Web.Community;

/// <summary>Display of the integer units: energy in Wh, prices in 1/10,000 currency per kWh, money in 1/10,000 currency.</summary>
public static class Units
{
    public const long PriceScale = 10_000;

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

    /// <summary>Parses "21.5" (ct/kWh) into 2150; null when not a number or not representable exactly.</summary>
    public static long? ParseCents(string? text)
    {
        if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var cents))
        {
            return null;
        }

        var scaled = cents * 100m;
        return scaled == decimal.Truncate(scaled) && scaled is >= long.MinValue and <= long.MaxValue ? (long)scaled : null;
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A short, readable form of a pseudonym or hash: the first 12 hex digits.</summary>
    public static string Abbrev(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes[..Math.Min(6, bytes.Length)]);
}
