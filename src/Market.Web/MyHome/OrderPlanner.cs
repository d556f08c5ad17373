using System.Diagnostics.Contracts;
using Market.Ledger;

namespace Market.Web.MyHome;

/// <summary>
/// One interval a household may post for, with the forecast behind the proposal. Energy in Wh.
/// </summary>
/// <param name="IntervalStart">Interval start, Unix seconds UTC.</param>
/// <param name="ProposedWh">What the planner proposes to post: the low end of the export band when selling, the
/// expected import when buying; capped at what one order of the site may carry.</param>
/// <param name="ExpectedWh">Expected export (selling) or import (buying).</param>
/// <param name="LowWh">Low end of the band (10th percentile of the past days).</param>
/// <param name="HighWh">High end of the band (90th percentile).</param>
/// <param name="Days">Past days the forecast is made of; 0: no history at this time of day.</param>
public readonly record struct PlanInterval(long IntervalStart, long ProposedWh, long ExpectedWh, long LowWh, long HighWh, int Days);

/// <summary>A cleared interval's uniform price, 1/10,000 currency per kWh.</summary>
public readonly record struct ClearedPrice(long IntervalStart, long Price);

/// <summary>Where a suggested price comes from.</summary>
public enum PriceBasis
{
    /// <summary>The median of the last days' clearing prices at the same local hours as the chosen intervals.</summary>
    SameHours,

    /// <summary>No interval at those hours cleared with a price: the median of the last days' prices at any hour.</summary>
    AnyHour,

    /// <summary>No clearing price at all in the last days: the middle of the price band.</summary>
    BandMiddle,
}

/// <summary>A suggested limit price (1/10,000 currency per kWh, inside the band) and what it is made of.</summary>
/// <param name="Price">The price, within [floor, ceiling].</param>
/// <param name="Samples">How many clearing prices it is the median of (0 for <see cref="PriceBasis.BandMiddle"/>).</param>
/// <param name="Basis">Which prices it is the median of.</param>
public sealed record PriceSuggestion(long Price, int Samples, PriceBasis Basis);

/// <summary>Why a planned order deserves a second look before it is posted.</summary>
public enum PlanWarning
{
    /// <summary>Selling more than the expected surplus of the interval.</summary>
    MoreThanForecast,

    /// <summary>Selling where no past day at this time of day had any surplus (night, or the home uses it all).</summary>
    NoSurplusExpected,

    /// <summary>No meter history at this time of day: the forecast cannot say anything.</summary>
    NoHistory,

    /// <summary>Buying more than the high end of the expected need.</summary>
    MoreThanNeed,
}

/// <summary>One order of a plan as the household edited it: energy in Wh, limit price in 1/10,000 currency per kWh.</summary>
public readonly record struct PlanLine(long IntervalStart, long EnergyWh, long Price);

/// <summary>
/// What a plan is worth if every order is filled at its limit: <see cref="Amount"/> is earned (selling) or at most
/// paid (buying); <see cref="GridAmount"/> is what the same energy earns at the feed-in tariff (selling) or costs at
/// the retail price (buying). Money in 1/10,000 of the currency.
/// </summary>
public sealed record PlanTotals(int Orders, long EnergyWh, long Amount, long GridAmount)
{
    /// <summary>How much better than the grid: more earned (selling) or less paid (buying). Never negative inside the band.</summary>
    public long BetterThanGrid(OrderSide side) => side == OrderSide.Sell ? Amount - GridAmount : GridAmount - Amount;
}

/// <summary>A run of consecutive open intervals the household could sell (or buy) in one action.</summary>
/// <param name="Side">Sell for surplus, buy for need.</param>
/// <param name="From">First interval's start, Unix seconds UTC.</param>
/// <param name="To">End of the last interval (exclusive), Unix seconds UTC.</param>
/// <param name="EnergyWh">What the planner would propose over the run, Wh.</param>
public sealed record PlanRun(OrderSide Side, long From, long To, long EnergyWh);

/// <summary>
/// Turns a household's forecast into orders it may post: per interval the energy to offer (or bid for), one suggested
/// price, the warnings a household should read before posting, and what the plan is worth against the grid. Pure:
/// no database, no clock; the page and <see cref="HomeService"/> give it the forecast, the open intervals and the
/// recent clearing prices (docs/adr/0023-my-home-forecast-and-suggested-price.md).
/// </summary>
public static class OrderPlanner
{
    /// <summary>How many days of clearing prices a suggestion looks back.</summary>
    public const int PriceLookbackDays = 7;

    /// <summary>
    /// The intervals of <paramref name="forecast"/> that are in <paramref name="openIntervals"/>, each with its proposal:
    /// selling, the low end of the export band (the 10th percentile: on about nine days in ten the home exported at
    /// least that much); buying, the expected import. Capped at <paramref name="maxWh"/>, what one order of the site
    /// may carry.
    /// </summary>
    [Pure]
    public static IReadOnlyList<PlanInterval> Propose(OrderSide side, IEnumerable<IntervalForecast> forecast, IReadOnlySet<long> openIntervals, long maxWh)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        ArgumentNullException.ThrowIfNull(openIntervals);
        return forecast
            .Where(f => openIntervals.Contains(f.IntervalStart))
            .Select(f => side == OrderSide.Sell
                ? new PlanInterval(f.IntervalStart, Math.Min(f.ExportLowWh, maxWh), f.ExportWh, f.ExportLowWh, f.ExportHighWh, f.Days)
                : new PlanInterval(f.IntervalStart, Math.Min(f.ImportWh, maxWh), f.ImportWh, f.ImportLowWh, f.ImportHighWh, f.Days))
            .ToList();
    }

    /// <summary>
    /// The suggested limit price for <paramref name="targets"/>: the median of <paramref name="recent"/> clearing prices
    /// whose interval starts at the same local hour (in <paramref name="zone"/>) as one of the targets; when none does,
    /// the median of all of them; when there are none, the middle of the band. Always within
    /// [<paramref name="floor"/>, <paramref name="ceiling"/>]. The median of an even count is the lower middle value
    /// (a price that really cleared, never an average of two).
    /// </summary>
    [Pure]
    public static PriceSuggestion SuggestPrice(IEnumerable<ClearedPrice> recent, IEnumerable<long> targets, TimeZoneInfo zone, long floor, long ceiling)
    {
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(floor, ceiling);
        var prices = recent.ToList();
        var hours = targets.Select(t => LocalHour(t, zone)).ToHashSet();
        var sameHours = prices.Where(p => hours.Contains(LocalHour(p.IntervalStart, zone))).Select(p => p.Price).ToList();
        if (sameHours.Count > 0)
        {
            return new PriceSuggestion(Math.Clamp(Median(sameHours), floor, ceiling), sameHours.Count, PriceBasis.SameHours);
        }

        if (prices.Count > 0)
        {
            return new PriceSuggestion(Math.Clamp(Median(prices.Select(p => p.Price).ToList()), floor, ceiling), prices.Count, PriceBasis.AnyHour);
        }

        return new PriceSuggestion(floor + ((ceiling - floor) / 2), 0, PriceBasis.BandMiddle);
    }

    /// <summary>
    /// What the household should read before posting <paramref name="energyWh"/> for <paramref name="interval"/>;
    /// empty when nothing. Selling: no history, no surplus on any past day at this time (night), or more than the
    /// expected surplus. Buying: more than the high end of the expected need.
    /// </summary>
    [Pure]
    public static IReadOnlyList<PlanWarning> Check(OrderSide side, PlanInterval interval, long energyWh)
    {
        if (energyWh <= 0)
        {
            return [];
        }

        if (interval.Days == 0)
        {
            return [PlanWarning.NoHistory];
        }

        if (side == OrderSide.Buy)
        {
            return energyWh > interval.HighWh ? [PlanWarning.MoreThanNeed] : [];
        }

        if (interval.HighWh == 0)
        {
            return [PlanWarning.NoSurplusExpected];
        }

        return energyWh > interval.ExpectedWh ? [PlanWarning.MoreThanForecast] : [];
    }

    /// <summary>
    /// What the plan's lines (those with energy) are worth if filled at their limit price, against the grid: the
    /// feed-in tariff <paramref name="feedIn"/> for selling, the retail price <paramref name="retail"/> for buying.
    /// Each line is rounded as a trade is (<see cref="Money.Amount"/>).
    /// </summary>
    [Pure]
    public static PlanTotals Totals(OrderSide side, IEnumerable<PlanLine> lines, long feedIn, long retail)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var orders = 0;
        long energy = 0, amount = 0, grid = 0;
        foreach (var line in lines.Where(l => l.EnergyWh > 0))
        {
            orders++;
            energy = checked(energy + line.EnergyWh);
            amount = checked(amount + Money.Amount(line.EnergyWh, line.Price));
            grid = checked(grid + Money.Amount(line.EnergyWh, side == OrderSide.Sell ? feedIn : retail));
        }

        return new PlanTotals(orders, energy, amount, grid);
    }

    /// <summary>
    /// The best run of consecutive open intervals to sell: the one with the most proposed energy among the runs whose
    /// every interval has a proposal of at least <paramref name="minimumWh"/> and no open offer of the household yet
    /// (<paramref name="alreadyPosted"/>), at most <paramref name="maxIntervals"/> long (a longer stretch is cut into
    /// runs of that length). Null when there is none. Ties: the earlier run.
    /// </summary>
    [Pure]
    public static PlanRun? BestRun(OrderSide side, IReadOnlyList<PlanInterval> intervals, IReadOnlySet<long> alreadyPosted, long intervalSeconds, long minimumWh, int maxIntervals = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        ArgumentNullException.ThrowIfNull(alreadyPosted);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervalSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIntervals);
        PlanRun? best = null;
        long? from = null;
        long energy = 0, previousEnd = long.MinValue;
        var length = 0;
        foreach (var i in intervals.OrderBy(x => x.IntervalStart).Append(new PlanInterval(long.MaxValue, 0, 0, 0, 0, 0)))
        {
            var usable = i.IntervalStart != long.MaxValue && i.ProposedWh >= Math.Max(1, minimumWh) && !alreadyPosted.Contains(i.IntervalStart);
            if (from is { } start && (!usable || i.IntervalStart != previousEnd || length == maxIntervals))
            {
                if (best is null || energy > best.EnergyWh)
                {
                    best = new PlanRun(side, start, previousEnd, energy);
                }

                from = null;
                energy = 0;
                length = 0;
            }

            if (usable)
            {
                from ??= i.IntervalStart;
                energy += i.ProposedWh;
                length++;
                previousEnd = i.IntervalStart + intervalSeconds;
            }
        }

        return best;
    }

    private static long Median(List<long> values)
    {
        values.Sort();
        return values[(values.Count - 1) / 2];
    }

    private static int LocalHour(long unixSeconds, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), zone).Hour;
}
