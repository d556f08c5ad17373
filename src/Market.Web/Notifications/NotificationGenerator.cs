using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Notifications;

/// <summary>
/// Writes personal notifications from what the database already holds, each exactly once: the orders of a cleared
/// interval (filled, partly filled, expired) and its price alerts in one transaction that also records the interval
/// in <c>NotifiedIntervals</c>; cancelled orders and daily summaries by a sweep. Every insert is
/// <c>ON CONFLICT DO NOTHING</c> against the unique (household, kind, interval, order), so two nodes, a listener
/// and the recurring job, or a re-run after a crash can all run it and no notification is written twice; since it
/// only reads committed facts, running it again later loses nothing.
/// </summary>
public sealed partial class NotificationGenerator(
    IDbContextFactory<MarketDbContext> dbFactory,
    TimeProvider time,
    RulesBook rules,
    NotificationEvents events,
    IOptions<NotificationOptions> options,
    ILogger<NotificationGenerator> logger)
{
    /// <summary>Cleared intervals older than this are not notified (a first start on a market with history).</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(1);

    /// <summary>Cancelled orders are looked for in intervals from this long ago (cancelling is only possible before the gate).</summary>
    public static readonly TimeSpan CancelledLookBack = TimeSpan.FromHours(2);

    private const string Insert =
        "INSERT INTO \"Notifications\" (\"HouseholdId\", \"Kind\", \"IntervalStart\", \"OrderId\", \"Side\", \"EnergyWh\", \"OrderEnergyWh\", \"Amount\", \"Price\", \"GridGain\", \"CreatedAtMs\") ";

    // The household wants the kind unless its preferences say otherwise.
    private static string Wants(string household, NotificationKind kind) =>
        $"NOT EXISTS (SELECT 1 FROM \"NotificationPreferences\" p WHERE p.\"HouseholdId\" = {household} AND (p.\"Kinds\" & {1 << (int)kind}) = 0)";

    // Orders the household's autopilot posted: their fills are news, their expiries and the cancellations a pause or a
    // change of limits makes are not (every quarter hour of a night it bids and nothing sells; the autopilot page
    // lists them all).
    private const string NotTheAutopilots = "NOT EXISTS (SELECT 1 FROM \"AutopilotOrders\" a WHERE a.\"OrderId\" = o.\"Id\")";

    // Each order's money: the sum of its trades (as buyer or seller) in the interval.
    private static string OrderNotices(NotificationKind kind, OrderStatus status, bool autopilotToo = true) =>
        Insert +
        $"SELECT o.\"HouseholdId\", {(int)kind}, o.\"IntervalStart\", o.\"Id\", o.\"Side\", o.\"FilledWh\", o.\"EnergyWh\", COALESCE(m.\"Amount\", 0), COALESCE(c.\"Price\", 0), 0, {{1}} " +
        "FROM \"Orders\" o " +
        "JOIN \"ClearedIntervals\" c ON c.\"IntervalStart\" = o.\"IntervalStart\" " +
        "LEFT JOIN (SELECT u.\"OrderId\", SUM(u.\"Amount\") AS \"Amount\" FROM (" +
        "SELECT \"BuyOrderId\" AS \"OrderId\", \"Amount\" FROM \"Trades\" WHERE \"IntervalStart\" = {0} UNION ALL " +
        "SELECT \"SellOrderId\", \"Amount\" FROM \"Trades\" WHERE \"IntervalStart\" = {0}) u GROUP BY u.\"OrderId\") m ON m.\"OrderId\" = o.\"Id\" " +
        $"WHERE o.\"IntervalStart\" = {{0}} AND o.\"Status\" = {(int)status} AND {Wants("o.\"HouseholdId\"", kind)} " +
        (autopilotToo ? "" : $"AND {NotTheAutopilots} ") +
        "ON CONFLICT DO NOTHING";

    private static readonly string Filled = OrderNotices(NotificationKind.Filled, OrderStatus.Filled);
    private static readonly string PartlyFilled = OrderNotices(NotificationKind.PartlyFilled, OrderStatus.PartiallyFilled);
    private static readonly string Expired = OrderNotices(NotificationKind.Expired, OrderStatus.Unmatched, autopilotToo: false);

    private static readonly string PriceAlerts =
        Insert +
        $"SELECT p.\"HouseholdId\", {(int)NotificationKind.PriceAlert}, c.\"IntervalStart\", 0, 0, 0, 0, 0, c.\"Price\", 0, {{1}} " +
        "FROM \"NotificationPreferences\" p JOIN \"ClearedIntervals\" c ON c.\"IntervalStart\" = {0} " +
        $"WHERE c.\"Price\" IS NOT NULL AND (p.\"Kinds\" & {1 << (int)NotificationKind.PriceAlert}) <> 0 " +
        "AND ((p.\"AlertAtOrAbove\" IS NOT NULL AND c.\"Price\" >= p.\"AlertAtOrAbove\") OR (p.\"AlertAtOrBelow\" IS NOT NULL AND c.\"Price\" <= p.\"AlertAtOrBelow\")) " +
        "ON CONFLICT DO NOTHING";

    private static readonly string Cancelled =
        Insert +
        $"SELECT o.\"HouseholdId\", {(int)NotificationKind.Cancelled}, o.\"IntervalStart\", o.\"Id\", o.\"Side\", 0, o.\"EnergyWh\", 0, o.\"LimitPrice\", 0, {{1}} " +
        $"FROM \"Orders\" o WHERE o.\"IntervalStart\" >= {{0}} AND o.\"Status\" = {(int)OrderStatus.Cancelled} AND {Wants("o.\"HouseholdId\"", NotificationKind.Cancelled)} AND {NotTheAutopilots} " +
        "ON CONFLICT DO NOTHING";

    private const string MarkNotified = "INSERT INTO \"NotifiedIntervals\" (\"IntervalStart\", \"AtMs\") VALUES ({0}, {1}) ON CONFLICT DO NOTHING";

    /// <summary>
    /// Writes the notifications of every cleared interval not yet notified (from the last <see cref="LookBack"/>),
    /// cancelled orders, and due daily summaries; tells open pages. Returns how many notifications were written.
    /// </summary>
    public async Task<int> GenerateDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var written = 0;
        var households = new HashSet<long>();
        List<long> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var from = now.Add(-LookBack).ToUnixTimeSeconds();
            due = await db.ClearedIntervals.AsNoTracking()
                .Where(c => c.IntervalStart >= from && !db.NotifiedIntervals.Any(n => n.IntervalStart == c.IntervalStart))
                .OrderBy(c => c.IntervalStart)
                .Select(c => c.IntervalStart)
                .Take(500)
                .ToListAsync(cancellationToken);
        }

        foreach (var start in due)
        {
            written += await IntervalCoreAsync(start, households, cancellationToken);
        }

        written += await CancelledCoreAsync(households, cancellationToken);
        written += await DailySummariesCoreAsync(households, cancellationToken);
        Raise(households);
        return written;
    }

    /// <summary>Writes the notifications of one cleared interval (nothing if they were written before); tells open pages.</summary>
    public async Task<int> GenerateForIntervalAsync(long intervalStart, CancellationToken cancellationToken = default)
    {
        var households = new HashSet<long>();
        var written = await IntervalCoreAsync(intervalStart, households, cancellationToken);
        Raise(households);
        return written;
    }

    /// <summary>Writes notifications for orders cancelled recently (nothing for those already told); tells open pages.</summary>
    public async Task<int> GenerateCancelledAsync(CancellationToken cancellationToken = default)
    {
        var households = new HashSet<long>();
        var written = await CancelledCoreAsync(households, cancellationToken);
        Raise(households);
        return written;
    }

    private async Task<int> IntervalCoreAsync(long start, HashSet<long> households, CancellationToken cancellationToken)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.ClearedIntervals.AnyAsync(c => c.IntervalStart == start, cancellationToken))
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The interval's marker first: a second generator (another node) waits here and then writes nothing.
        if (await db.Database.ExecuteSqlRawAsync(MarkNotified, [start, nowMs], cancellationToken) == 0)
        {
            return 0;
        }

        var written = 0;
        foreach (var sql in new[] { Filled, PartlyFilled, Expired, PriceAlerts })
        {
            written += await db.Database.ExecuteSqlRawAsync(sql, [start, nowMs], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (written > 0)
        {
            households.UnionWith(await db.Notifications.AsNoTracking()
                .Where(n => n.IntervalStart == start && n.CreatedAtMs == nowMs)
                .Select(n => n.HouseholdId).Distinct().ToListAsync(cancellationToken));
            LogInterval(logger, start, written);
        }

        return written;
    }

    private async Task<int> CancelledCoreAsync(HashSet<long> households, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var from = now.Add(-CancelledLookBack).ToUnixTimeSeconds();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var written = await db.Database.ExecuteSqlRawAsync(Cancelled, [from, nowMs], cancellationToken);
        if (written > 0)
        {
            households.UnionWith(await db.Notifications.AsNoTracking()
                .Where(n => n.Kind == NotificationKind.Cancelled && n.CreatedAtMs == nowMs)
                .Select(n => n.HouseholdId).Distinct().ToListAsync(cancellationToken));
        }

        return written;
    }

    /// <summary>
    /// For every household whose local time has passed <see cref="NotificationOptions.DailySummaryHour"/> and that
    /// traded today (local day), the day's summary: bought and sold, paid and received, and what that gained against
    /// the grid alone (buying at retail, selling at the feed-in tariff of the rules in force).
    /// </summary>
    private async Task<int> DailySummariesCoreAsync(HashSet<long> households, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var hour = options.Value.DailySummaryHour;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.Households.AsNoTracking()
            .Where(h => !db.NotificationPreferences.Any(p => p.HouseholdId == h.Id && (p.Kinds & (1 << (int)NotificationKind.DailySummary)) == 0))
            .Select(h => new { h.Id, h.TimeZone })
            .ToListAsync(cancellationToken);
        var written = 0;
        foreach (var group in candidates.GroupBy(c => c.TimeZone))
        {
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(group.Key, out var z) ? z : TimeZoneInfo.Utc;
            var local = TimeZoneInfo.ConvertTime(now, zone);
            if (local.Hour < hour)
            {
                continue;
            }

            var dayStart = LocalMidnight(local.Date, zone);
            var dayEnd = LocalMidnight(local.Date.AddDays(1), zone);
            var ids = group.Select(g => g.Id).ToList();
            var done = await db.Notifications.AsNoTracking()
                .Where(n => n.Kind == NotificationKind.DailySummary && n.IntervalStart == dayStart && ids.Contains(n.HouseholdId))
                .Select(n => n.HouseholdId).ToListAsync(cancellationToken);
            var open = ids.Except(done).ToList();
            if (open.Count == 0)
            {
                continue;
            }

            var trades = await db.Trades.AsNoTracking()
                .Where(t => t.IntervalStart >= dayStart && t.IntervalStart < dayEnd && (open.Contains(t.BuyerHouseholdId) || open.Contains(t.SellerHouseholdId)))
                .Select(t => new { t.IntervalStart, t.BuyerHouseholdId, t.SellerHouseholdId, t.EnergyWh, t.Amount, t.SellAmount })
                .ToListAsync(cancellationToken);
            foreach (var id in open)
            {
                var summary = new NotificationEntity { HouseholdId = id, Kind = NotificationKind.DailySummary, IntervalStart = dayStart, CreatedAtMs = nowMs };
                foreach (var t in trades)
                {
                    var inForce = rules.At(t.IntervalStart);
                    if (t.SellerHouseholdId == id)
                    {
                        summary.EnergyWh = checked(summary.EnergyWh + t.EnergyWh);
                        summary.Amount = checked(summary.Amount + t.SellAmount);
                        summary.GridGain = checked(summary.GridGain + t.SellAmount - Money.Amount(t.EnergyWh, inForce.PriceFloor));
                    }

                    if (t.BuyerHouseholdId == id)
                    {
                        summary.OrderEnergyWh = checked(summary.OrderEnergyWh + t.EnergyWh);
                        summary.Price = checked(summary.Price + t.Amount);
                        summary.GridGain = checked(summary.GridGain + Money.Amount(t.EnergyWh, inForce.PriceCeiling) - t.Amount);
                    }
                }

                if (summary.EnergyWh == 0 && summary.OrderEnergyWh == 0)
                {
                    continue;
                }

                written += await db.Database.ExecuteSqlRawAsync(
                    Insert + "VALUES ({0}, {1}, {2}, 0, 0, {3}, {4}, {5}, {6}, {7}, {8}) ON CONFLICT DO NOTHING",
                    [id, (int)NotificationKind.DailySummary, dayStart, summary.EnergyWh, summary.OrderEnergyWh, summary.Amount, summary.Price, summary.GridGain, nowMs],
                    cancellationToken);
                households.Add(id);
            }
        }

        return written;
    }

    private static long LocalMidnight(DateTime date, TimeZoneInfo zone)
    {
        var midnight = DateTime.SpecifyKind(date, DateTimeKind.Unspecified);
        // A day that starts in a DST gap starts at the first valid local time after it.
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }

        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight)).ToUnixTimeSeconds();
    }

    private void Raise(HashSet<long> households)
    {
        if (households.Count > 0)
        {
            events.Added.Raise(new NotificationsAdded(households));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} notifications for interval {Start}")]
    private static partial void LogInterval(ILogger logger, long start, int count);
}
