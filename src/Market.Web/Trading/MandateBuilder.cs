using System.Security.Cryptography;
using Market.Ledger;

namespace Market.Web.Trading;

/// <summary>
/// The mandates the app's automatic traders run under (docs/ledger-format.md §3.1): what a standing order or the
/// autopilot may post for a household without asking each time, signed once by the household's device.
/// </summary>
public static class MandateBuilder
{
    /// <summary>How long a mandate without an end of its own runs: it can be revoked at any time.</summary>
    public const long DefaultYears = 5;

    /// <summary>
    /// A mandate for <paramref name="sell"/>/<paramref name="buy"/>, at most <paramref name="maxEnergyWh"/> per interval,
    /// selling at no less than <paramref name="lowestSellPrice"/> and buying at no more than
    /// <paramref name="highestBuyPrice"/>, on the days of <paramref name="dayOfWeekMask"/> (bit = <see cref="DayOfWeek"/>)
    /// and the local hours [<paramref name="fromHour"/>, <paramref name="toHour"/>) in <paramref name="timeZone"/>.
    /// </summary>
    public static MandateTerms Terms(
        bool sell, bool buy, long maxEnergyWh, long lowestSellPrice, long highestBuyPrice, long validFrom, long? validUntil, int dayOfWeekMask, int fromHour, int toHour, string timeZone)
    {
        var days = 0;
        for (var dow = 0; dow < 7; dow++)
        {
            if ((dayOfWeekMask & (1 << dow)) != 0)
            {
                days |= 1 << ((dow + 6) % 7); // the ledger counts from Monday
            }
        }

        uint hours = 0;
        for (var h = Math.Max(0, fromHour); h < Math.Min(24, toHour); h++)
        {
            hours |= 1u << h;
        }

        return new MandateTerms(
            (byte)((buy ? 1 : 0) | (sell ? 2 : 0)),
            maxEnergyWh,
            sell ? lowestSellPrice : 0,
            buy ? highestBuyPrice : 0,
            validFrom,
            validUntil ?? validFrom + (DefaultYears * 365 * 86_400),
            (byte)days,
            hours,
            RandomNumberGenerator.GetBytes(16),
            timeZone);
    }

    /// <summary>
    /// An order made under a mandate: the mandate's id and a placeholder nonce; the order book derives its nonce from
    /// the mandate, the interval and the order's sequence when it is sealed.
    /// </summary>
    public static PlaceOrder Under(this PlaceOrder order, byte[] mandateId)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order with { Nonce = RandomNumberGenerator.GetBytes(16), Authorization = new MandateOrder(mandateId) };
    }
}
