using System.Diagnostics.Contracts;

namespace Market.Web.Autopilot;

/// <summary>A household's autopilot limits, as the decision reads them.</summary>
/// <param name="Sell">Whether it may offer.</param>
/// <param name="Buy">Whether it may bid.</param>
/// <param name="MinSellPrice">Lowest price it offers at, 1/10,000 of the currency per kWh.</param>
/// <param name="MaxBuyPrice">Highest price it bids, 1/10,000 of the currency per kWh.</param>
/// <param name="MaxEnergyWh">Most energy per order, Wh.</param>
/// <param name="FromHour">First local hour it trades (0–23).</param>
/// <param name="ToHour">End local hour (1–24, exclusive).</param>
/// <param name="Until">Intervals starting at or after this (Unix seconds) are not traded; null: no end.</param>
public readonly record struct AutopilotLimits(bool Sell, bool Buy, long MinSellPrice, long MaxBuyPrice, long MaxEnergyWh, int FromHour, int ToHour, long? Until)
{
    /// <summary>The limits of stored settings.</summary>
    public static AutopilotLimits Of(AutopilotSettingsEntity settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(settings.Sell, settings.Buy, settings.MinSellPrice, settings.MaxBuyPrice, settings.MaxEnergyWh, settings.FromHour, settings.ToHour, settings.Until);
    }
}

/// <summary>What the decision knows about one interval.</summary>
/// <param name="IntervalStart">Interval start, Unix seconds UTC.</param>
/// <param name="LocalHour">The hour (0–23) the interval starts in, in the household's time zone.</param>
/// <param name="Forecast">The household's forecast of the interval.</param>
/// <param name="MedianPrice">Last week's median clearing price at this local hour; null when nothing cleared at a price.</param>
/// <param name="MedianCount">Cleared intervals that median was taken over.</param>
/// <param name="PriceFloor">The community's lowest price for the interval (feed-in tariff).</param>
/// <param name="PriceCeiling">The community's highest price (retail).</param>
/// <param name="SellCapWh">The most one offer of this site may carry (PV peak × length), Wh.</param>
/// <param name="BuyCapWh">The most one bid may carry (maximum import × length), Wh.</param>
public readonly record struct IntervalFacts(
    long IntervalStart,
    int LocalHour,
    IntervalForecast Forecast,
    long? MedianPrice,
    int MedianCount,
    long PriceFloor,
    long PriceCeiling,
    long SellCapWh,
    long BuyCapWh);

/// <summary>Why the autopilot posts nothing for an interval.</summary>
public enum AutopilotSkip
{
    None = 0,
    OutsideHours,
    Ended,
    NoHistory,
    NothingExpected,
    LimitOutsideBand,
}

/// <summary>The decision for one interval: an order and why, or why not.</summary>
public sealed record AutopilotDecision(
    long IntervalStart,
    AutopilotSkip Skip,
    OrderSide Side,
    long EnergyWh,
    long Price,
    AutopilotEnergyReason EnergyReason,
    AutopilotPriceReason PriceReason,
    long ForecastWh,
    long BandLowWh,
    long BandHighWh,
    int ForecastDays,
    long? MedianPrice,
    int MedianCount,
    long HouseholdLimitPrice)
{
    public bool Posts => Skip == AutopilotSkip.None;

    /// <summary>The stored explanation of the order this decision posts.</summary>
    public AutopilotOrderEntity ToEntity(long householdId, int settingsVersion, long createdAtMs) => new()
    {
        HouseholdId = householdId,
        IntervalStart = IntervalStart,
        SettingsVersion = settingsVersion,
        Side = Side,
        ForecastWh = ForecastWh,
        BandLowWh = BandLowWh,
        BandHighWh = BandHighWh,
        ForecastDays = ForecastDays,
        EnergyWh = EnergyWh,
        EnergyReason = EnergyReason,
        MedianPrice = MedianPrice,
        MedianCount = MedianCount,
        Price = Price,
        PriceReason = PriceReason,
        HouseholdLimitPrice = HouseholdLimitPrice,
        CreatedAtMs = createdAtMs,
    };
}

/// <summary>
/// The autopilot's decision for one interval, pure: no database, no clock. It never leaves the household's limits:
/// an offer is at or above the lowest sell price, a bid at or below the highest buy price, every price inside the
/// community's band, the energy more than 0 and at most the household's and the site's limit per interval, and only
/// enabled sides, hours and intervals before the end are traded (docs/adr/0024-autopilot.md).
/// </summary>
public static class AutopilotDecider
{
    /// <summary>Less than this is not worth an order, Wh (as for the demo's agents).</summary>
    public const long MinOrderWh = 10;

    /// <summary>The decision for one interval under <paramref name="limits"/>.</summary>
    [Pure]
    public static AutopilotDecision Decide(AutopilotLimits limits, IntervalFacts facts)
    {
        var f = facts.Forecast;
        var skip = new AutopilotDecision(facts.IntervalStart, AutopilotSkip.None, OrderSide.Sell, 0, 0, AutopilotEnergyReason.CautiousEnd, AutopilotPriceReason.Median, 0, 0, 0, f.Days, facts.MedianPrice, facts.MedianCount, 0);
        if (limits.Until is long until && facts.IntervalStart >= until)
        {
            return skip with { Skip = AutopilotSkip.Ended };
        }

        if (facts.LocalHour < limits.FromHour || facts.LocalHour >= limits.ToHour)
        {
            return skip with { Skip = AutopilotSkip.OutsideHours };
        }

        if (f.Days <= 0)
        {
            return skip with { Skip = AutopilotSkip.NoHistory };
        }

        // The cautious end of the band: what the household exports (or imports) in about nine days in ten.
        var sell = limits.Sell ? Energy(f.ExportLowWh, limits.MaxEnergyWh, facts.SellCapWh) : (0, AutopilotEnergyReason.CautiousEnd);
        var buy = limits.Buy ? Energy(f.ImportLowWh, limits.MaxEnergyWh, facts.BuyCapWh) : (0, AutopilotEnergyReason.CautiousEnd);
        if (sell.Wh < MinOrderWh && buy.Wh < MinOrderWh)
        {
            var side = limits.Sell && (!limits.Buy || f.ExportWh >= f.ImportWh) ? OrderSide.Sell : OrderSide.Buy;
            return skip with
            {
                Skip = AutopilotSkip.NothingExpected,
                Side = side,
                ForecastWh = side == OrderSide.Sell ? f.ExportWh : f.ImportWh,
                BandLowWh = side == OrderSide.Sell ? f.ExportLowWh : f.ImportLowWh,
                BandHighWh = side == OrderSide.Sell ? f.ExportHighWh : f.ImportHighWh,
            };
        }

        if (sell.Wh >= buy.Wh)
        {
            var (price, reason) = SellPrice(limits.MinSellPrice, facts);
            return skip with
            {
                Skip = price is null ? AutopilotSkip.LimitOutsideBand : AutopilotSkip.None,
                Side = OrderSide.Sell,
                EnergyWh = sell.Wh,
                EnergyReason = sell.Reason,
                Price = price ?? 0,
                PriceReason = reason,
                ForecastWh = f.ExportWh,
                BandLowWh = f.ExportLowWh,
                BandHighWh = f.ExportHighWh,
                HouseholdLimitPrice = limits.MinSellPrice,
            };
        }

        var (bid, bidReason) = BuyPrice(limits.MaxBuyPrice, facts);
        return skip with
        {
            Skip = bid is null ? AutopilotSkip.LimitOutsideBand : AutopilotSkip.None,
            Side = OrderSide.Buy,
            EnergyWh = buy.Wh,
            EnergyReason = buy.Reason,
            Price = bid ?? 0,
            PriceReason = bidReason,
            ForecastWh = f.ImportWh,
            BandLowWh = f.ImportLowWh,
            BandHighWh = f.ImportHighWh,
            HouseholdLimitPrice = limits.MaxBuyPrice,
        };
    }

    /// <summary>Median of the prices (the mean of the two middle ones, rounded down, for an even count); null when empty.</summary>
    [Pure]
    public static long? Median(IReadOnlyList<long> prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        if (prices.Count == 0)
        {
            return null;
        }

        var sorted = prices.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static (long Wh, AutopilotEnergyReason Reason) Energy(long cautiousWh, long householdMaxWh, long siteCapWh)
    {
        var wh = Math.Max(0, cautiousWh);
        var reason = AutopilotEnergyReason.CautiousEnd;
        if (wh > householdMaxWh)
        {
            (wh, reason) = (householdMaxWh, AutopilotEnergyReason.HouseholdLimit);
        }

        if (wh > siteCapWh)
        {
            (wh, reason) = (siteCapWh, AutopilotEnergyReason.SiteLimit);
        }

        return (Math.Max(0, wh), reason);
    }

    /// <summary>Offer at last week's median, never below the household's floor, inside the band; null when the floor is above the band.</summary>
    private static (long? Price, AutopilotPriceReason Reason) SellPrice(long minSell, IntervalFacts facts)
    {
        if (minSell > facts.PriceCeiling)
        {
            return (null, AutopilotPriceReason.AtLimit);
        }

        var (price, reason) = facts.MedianPrice switch
        {
            null => (minSell, AutopilotPriceReason.NoHistory),
            long m when m < minSell => (minSell, AutopilotPriceReason.AtLimit),
            long m => (m, AutopilotPriceReason.Median),
        };
        if (price > facts.PriceCeiling || price < facts.PriceFloor)
        {
            return (Math.Clamp(price, facts.PriceFloor, facts.PriceCeiling), AutopilotPriceReason.Band);
        }

        return (price, reason);
    }

    /// <summary>Bid at last week's median, never above the household's ceiling, inside the band; null when the ceiling is below the band.</summary>
    private static (long? Price, AutopilotPriceReason Reason) BuyPrice(long maxBuy, IntervalFacts facts)
    {
        if (maxBuy < facts.PriceFloor)
        {
            return (null, AutopilotPriceReason.AtLimit);
        }

        var (price, reason) = facts.MedianPrice switch
        {
            null => (maxBuy, AutopilotPriceReason.NoHistory),
            long m when m > maxBuy => (maxBuy, AutopilotPriceReason.AtLimit),
            long m => (m, AutopilotPriceReason.Median),
        };
        if (price > facts.PriceCeiling || price < facts.PriceFloor)
        {
            return (Math.Clamp(price, facts.PriceFloor, facts.PriceCeiling), AutopilotPriceReason.Band);
        }

        return (price, reason);
    }
}
