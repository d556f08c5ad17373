using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.MyHome;

/// <summary>
/// What a household sees on My Home: this month's statement (money against grid-only), its forecast for today and
/// tomorrow, its open orders and latest fills, and what to do next. Private to the household: build it only for the
/// household of the signed-in user.
/// </summary>
/// <param name="Currency">The community's currency code.</param>
/// <param name="Zone">The household's time zone (the community's when the household's is unknown here).</param>
/// <param name="Month">This month's statement in the household's time zone (read-only from <see cref="StatementService"/>).</param>
/// <param name="Forecast">Today's and tomorrow's expected surplus and need; null when the household is gone.</param>
/// <param name="OpenOrders">Open orders, soonest interval first.</param>
/// <param name="LatestFills">The latest trades, newest first.</param>
/// <param name="Next">The best run of open hours to sell (or, with no surplus ahead, to cover); null when neither.</param>
public sealed record HomeSummary(
    string Currency,
    TimeZoneInfo Zone,
    Statement Month,
    HouseholdForecast? Forecast,
    IReadOnlyList<OrderEntity> OpenOrders,
    IReadOnlyList<MyTrade> LatestFills,
    PlanRun? Next);

/// <summary>The intervals a household may post for now, with proposals from its forecast, and the suggested price.</summary>
/// <param name="Side">Sell (surplus) or buy (need).</param>
/// <param name="Intervals">Open intervals of today and tomorrow (gate still open, within the horizon), in order.</param>
/// <param name="Recent">The clearing prices of the last <see cref="OrderPlanner.PriceLookbackDays"/> days.</param>
/// <param name="Zone">The household's time zone.</param>
/// <param name="Today">The household's local date.</param>
/// <param name="IntervalSeconds">Length of an interval now, seconds.</param>
public sealed record OrderPlan(OrderSide Side, IReadOnlyList<PlanInterval> Intervals, IReadOnlyList<ClearedPrice> Recent, TimeZoneInfo Zone, DateOnly Today, long IntervalSeconds);

/// <summary>Loads My Home and plans and posts the household's orders from its forecast; every order goes through <see cref="OrderService"/>.</summary>
public sealed class HomeService(
    IDbContextFactory<MarketDbContext> dbFactory,
    ForecastService forecasts,
    StatementService statements,
    OrderService orders,
    MarketQueries queries,
    MarketClock clock,
    IOptions<CommunityOptions> options)
{
    /// <summary>How many of the latest fills My Home shows.</summary>
    public const int LatestFillCount = 5;

    /// <summary>The longest run of need "what to do next" proposes to cover in one go: four hours of intervals.</summary>
    private const long NeedRunSeconds = 4 * 3600;

    public TimeZoneInfo ZoneOf(Household household)
    {
        ArgumentNullException.ThrowIfNull(household);
        return TimeZoneInfo.TryFindSystemTimeZoneById(household.TimeZone, out var zone) ? zone : clock.TimeZone;
    }

    public async Task<HomeSummary> SummaryAsync(Household household, CancellationToken cancellationToken = default)
    {
        var zone = ZoneOf(household);
        var local = TimeZoneInfo.ConvertTime(clock.Now, zone);
        var month = await statements.MonthAsync(household, local.Year, local.Month, cancellationToken);
        var forecast = await forecasts.TodayAndTomorrowAsync(household.Id, cancellationToken);
        var open = (await orders.ListAsync(household.Id, 500, cancellationToken))
            .Where(o => o.Status == OrderStatus.Open)
            .OrderBy(o => o.IntervalStart).ThenBy(o => o.Id)
            .ToList();
        var fills = await queries.TradesOfAsync(household.Id, LatestFillCount, cancellationToken);
        var next = forecast is null ? null : NextStep(household, forecast, open);
        return new HomeSummary(options.Value.Currency, zone, month, forecast, open, fills, next);
    }

    /// <summary>The plan for <paramref name="side"/> from the household's forecast; null when the household is gone.</summary>
    public async Task<OrderPlan?> PlanAsync(Household household, OrderSide side, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        var forecast = await forecasts.TodayAndTomorrowAsync(household.Id, cancellationToken);
        if (forecast is null)
        {
            return null;
        }

        var intervals = Propose(household, side, forecast);
        return new OrderPlan(side, intervals, await RecentPricesAsync(cancellationToken), ZoneOf(household), forecast.Today, clock.IntervalSeconds);
    }

    /// <summary>The uniform clearing prices of the last <see cref="OrderPlanner.PriceLookbackDays"/> days.</summary>
    public async Task<IReadOnlyList<ClearedPrice>> RecentPricesAsync(CancellationToken cancellationToken = default)
    {
        var from = clock.NowSeconds - (OrderPlanner.PriceLookbackDays * 86_400L);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= from && c.Price != null)
            .OrderBy(c => c.IntervalStart)
            .Select(c => new ClearedPrice(c.IntervalStart, c.Price!.Value))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Posts the plan's lines that carry energy as orders of <paramref name="side"/>, each validated by
    /// <see cref="OrderService"/> exactly as the order form's and the API's are; a refused line changes nothing and
    /// does not stop the others. One result per posted line, in order.
    /// </summary>
    /// <remarks>
    /// <c>sign</c> signs the orders on the household's device (one submission) and returns them signed.
    /// </remarks>
    public async Task<IReadOnlyList<(PlanLine Line, OrderResult Result)>> PostAsync(
        Household household, OrderSide side, IReadOnlyList<PlanLine> lines, Func<IReadOnlyList<PlaceOrder>, Task<IReadOnlyList<PlaceOrder>>> sign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(sign);
        var posted = lines.Where(l => l.EnergyWh > 0).ToList();
        var signed = await sign(posted.Select(l => new PlaceOrder(side, l.EnergyWh, l.Price, l.IntervalStart)).ToList());
        var results = await orders.PlaceBatchAsync(signed.Select(o => new BatchOrder(household.Id, o)).ToList(), cancellationToken);
        return posted.Zip(results).ToList();
    }

    private List<PlanInterval> Propose(Household household, OrderSide side, HouseholdForecast forecast)
    {
        var open = clock.OpenIntervals().ToHashSet();
        var max = OrderService.MaxEnergyWh(household, side, clock.IntervalSeconds);
        return [.. OrderPlanner.Propose(side, forecast.TodayIntervals.Concat(forecast.TomorrowIntervals), open, max)];
    }

    // Sell first: surplus sold locally earns more than the feed-in tariff. A run must carry at least a twentieth of what
    // the site can carry per interval, so a few stray watt-hours at dusk are not called a surplus.
    private PlanRun? NextStep(Household household, HouseholdForecast forecast, List<OrderEntity> open)
    {
        var length = clock.IntervalSeconds;
        var sell = OrderPlanner.BestRun(OrderSide.Sell, Propose(household, OrderSide.Sell, forecast),
            open.Where(o => o.Side == OrderSide.Sell).Select(o => o.IntervalStart).ToHashSet(), length,
            OrderService.MaxEnergyWh(household, OrderSide.Sell, length) / 20);
        if (sell is not null)
        {
            return sell;
        }

        return OrderPlanner.BestRun(OrderSide.Buy, Propose(household, OrderSide.Buy, forecast),
            open.Where(o => o.Side == OrderSide.Buy).Select(o => o.IntervalStart).ToHashSet(), length,
            OrderService.MaxEnergyWh(household, OrderSide.Buy, length) / 20, (int)(NeedRunSeconds / length));
    }
}
