using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Autopilot;

/// <summary>
/// Runs every household's autopilot that is on: for each open interval within the lead time, in its hours and before
/// its end, that it has not posted under its current settings yet, it decides with <see cref="AutopilotDecider"/>
/// from the household's forecast and last week's clearing prices, and posts through <see cref="OrderService"/>
/// together with the explanation. Live it runs on the app's clock (a recurring job); the demo's backfill builds it
/// with the simulated clock.
/// </summary>
/// <remarks>
/// Safe on several nodes: an order and its explanation are stored in one transaction that first updates the
/// settings row under the version the decision was made for (so a pause or change committed meanwhile refuses it,
/// and on PostgreSQL the row lock orders the two), and a unique index on (household, interval, version) keeps one
/// order per interval even when two nodes decide at the same moment.
/// </remarks>
public sealed partial class AutopilotEngine(
    IDbContextFactory<MarketDbContext> dbFactory,
    ForecastService forecasts,
    OrderService orders,
    MarketClock clock,
    RulesBook rules,
    IOptions<AutopilotOptions> options,
    ILogger<AutopilotEngine> logger)
{
    /// <summary>Never post for a gate closer than this: an order stored while its interval is being cleared would miss the book.</summary>
    public const int MarginSeconds = 30;

    /// <summary>Posts what every running autopilot decides for the intervals whose gate closes within the lead time. Returns the orders stored.</summary>
    public Task<int> RunAsync(CancellationToken cancellationToken = default) =>
        RunAsync(options.Value.LeadMinutes * 60L, cancellationToken);

    /// <summary>As <see cref="RunAsync(CancellationToken)"/> with gates up to <paramref name="leadSeconds"/> (after the margin) ahead.</summary>
    public async Task<int> RunAsync(long leadSeconds, CancellationToken cancellationToken = default)
    {
        var intervals = Intervals(leadSeconds);
        if (intervals.Count == 0)
        {
            return 0;
        }

        List<AutopilotSettingsEntity> running;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var first = intervals[0];
            running = await db.Autopilots.AsNoTracking()
                .Where(a => a.IsOn && (a.Until == null || a.Until > first))
                .OrderBy(a => a.HouseholdId)
                .ToListAsync(cancellationToken);
        }

        if (running.Count == 0)
        {
            return 0;
        }

        var prices = await ClearedPricesAsync(intervals[0], cancellationToken);
        var posted = 0;
        foreach (var settings in running)
        {
            posted += await PostForAsync(settings, intervals, prices, cancellationToken);
        }

        return posted;
    }

    /// <summary>
    /// The next decisions of a household's autopilot for the open intervals within the lead time (posted or not),
    /// without posting anything: what the status shows. Empty when it has no settings.
    /// </summary>
    public async Task<IReadOnlyList<AutopilotDecision>> PreviewAsync(long householdId, CancellationToken cancellationToken = default)
    {
        AutopilotSettingsEntity? settings;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            settings = await db.Autopilots.AsNoTracking().SingleOrDefaultAsync(a => a.HouseholdId == householdId, cancellationToken);
        }

        var intervals = Intervals(options.Value.LeadMinutes * 60L);
        if (settings is null || intervals.Count == 0)
        {
            return [];
        }

        var prices = await ClearedPricesAsync(intervals[0], cancellationToken);
        return await PlanAsync(settings, intervals, prices, cancellationToken) ?? [];
    }

    /// <summary>Open intervals whose gate closes in <c>(now + margin, now + margin + lead]</c>.</summary>
    private List<long> Intervals(long leadSeconds)
    {
        var from = clock.NowSeconds + MarginSeconds;
        var until = from + leadSeconds;
        var intervals = new List<long>();
        for (var start = clock.FirstOpenInterval(); clock.GateClosure(start) <= until; start = clock.Next(start))
        {
            if (clock.GateClosure(start) > from)
            {
                intervals.Add(start);
            }
        }

        return intervals;
    }

    private async Task<int> PostForAsync(AutopilotSettingsEntity settings, List<long> intervals, List<(long Start, long Price)> prices, CancellationToken cancellationToken)
    {
        HashSet<long> done;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var (first, last) = (intervals[0], intervals[^1]);
            done = (await db.AutopilotOrders.AsNoTracking()
                .Where(a => a.HouseholdId == settings.HouseholdId && a.SettingsVersion == settings.Version && a.IntervalStart >= first && a.IntervalStart <= last)
                .Select(a => a.IntervalStart)
                .ToListAsync(cancellationToken)).ToHashSet();
        }

        var todo = intervals.Where(i => !done.Contains(i)).ToList();
        if (todo.Count == 0)
        {
            return 0;
        }

        var plan = await PlanAsync(settings, todo, prices, cancellationToken);
        if (plan is null)
        {
            return 0;
        }

        var posted = 0;
        foreach (var decision in plan.Where(d => d.Posts))
        {
            try
            {
                var result = await orders.PlaceGuardedAsync(
                    settings.HouseholdId,
                    new PlaceOrder(decision.Side, decision.EnergyWh, decision.Price, decision.IntervalStart).Under(settings.MandateId!),
                    (db, order, ct) => AttachAsync(db, order, settings, decision, ct),
                    cancellationToken);
                if (result.Succeeded)
                {
                    posted++;
                }
                else if (result.Field == "guard")
                {
                    // Paused or changed since this run read the settings: the next run decides under the new ones.
                    return posted;
                }
                else
                {
                    LogRejected(logger, settings.HouseholdId, decision.IntervalStart, result.Error ?? "");
                }
            }
            catch (DbUpdateException)
            {
                // Another node posted this interval under the same settings first: the unique index keeps one.
            }
        }

        return posted;
    }

    private async Task<string?> AttachAsync(MarketDbContext db, OrderEntity order, AutopilotSettingsEntity settings, AutopilotDecision decision, CancellationToken cancellationToken)
    {
        var nowMs = clock.Now.ToUnixTimeMilliseconds();
        var current = await db.Autopilots
            .Where(a => a.HouseholdId == settings.HouseholdId && a.Version == settings.Version && a.IsOn)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastPostedAtMs, nowMs), cancellationToken);
        if (current == 0)
        {
            return "The autopilot was paused or changed meanwhile.";
        }

        var explanation = decision.ToEntity(settings.HouseholdId, settings.Version, nowMs);
        explanation.Order = order;
        db.AutopilotOrders.Add(explanation);
        return null;
    }

    private async Task<IReadOnlyList<AutopilotDecision>?> PlanAsync(AutopilotSettingsEntity settings, List<long> intervals, List<(long Start, long Price)> prices, CancellationToken cancellationToken)
    {
        Household? household;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            household = await db.Households.AsNoTracking().SingleOrDefaultAsync(h => h.Id == settings.HouseholdId, cancellationToken);
        }

        var forecast = household is null ? null : await forecasts.TodayAndTomorrowAsync(household.Id, cancellationToken);
        if (household is null || forecast is null)
        {
            return null;
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(forecast.TimeZone, out var own) ? own : clock.TimeZone;
        var byStart = forecast.TodayIntervals.Concat(forecast.TomorrowIntervals).ToDictionary(f => f.IntervalStart);
        var limits = AutopilotLimits.Of(settings);
        var historySeconds = options.Value.PriceHistoryDays * 86_400L;
        var decisions = new List<AutopilotDecision>(intervals.Count);
        foreach (var start in intervals)
        {
            var hour = LocalHour(start, zone);
            var sameHour = prices
                .Where(p => p.Start >= start - historySeconds && p.Start < start && LocalHour(p.Start, zone) == hour)
                .Select(p => p.Price)
                .ToList();
            var inEffect = rules.At(start);
            var facts = new IntervalFacts(
                start,
                hour,
                byStart.GetValueOrDefault(start, new IntervalForecast(start, 0, 0, 0, 0, 0, 0, 0)),
                AutopilotDecider.Median(sameHour),
                sameHour.Count,
                inEffect.PriceFloor,
                inEffect.PriceCeiling,
                OrderService.MaxEnergyWh(household, OrderSide.Sell, inEffect.IntervalLengthSeconds),
                OrderService.MaxEnergyWh(household, OrderSide.Buy, inEffect.IntervalLengthSeconds));
            decisions.Add(AutopilotDecider.Decide(limits, facts));
        }

        return decisions;
    }

    /// <summary>Every cleared interval with a price since the history window before <paramref name="firstTarget"/>, up to now.</summary>
    private async Task<List<(long Start, long Price)>> ClearedPricesAsync(long firstTarget, CancellationToken cancellationToken)
    {
        var from = firstTarget - (options.Value.PriceHistoryDays * 86_400L);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= from && c.Price != null)
            .Select(c => new { c.IntervalStart, c.Price })
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.IntervalStart, r.Price!.Value)).ToList();
    }

    /// <summary>The local hour (0–23) an interval starts in.</summary>
    public static int LocalHour(long unixSeconds, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), zone).Hour;

    [LoggerMessage(Level = LogLevel.Warning, Message = "An autopilot order of household {HouseholdId} for {IntervalStart} was rejected: {Error}")]
    private static partial void LogRejected(ILogger logger, long householdId, long intervalStart, string error);
}
