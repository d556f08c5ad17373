using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Demo;

/// <summary>
/// What the demo households' meters measure: the energy each household forecast (and traded on), deviating from
/// that forecast as real delivery does. PV: usually a few percent either way, sometimes a cloud takes 20–40 % of it.
/// Load: a smaller deviation either way. Every draw is a stateless hash of (seed, household, interval, purpose), so
/// the backfill and any restart produce the same readings.
/// </summary>
public sealed class DeliveryModel(int seed)
{
    /// <summary>PV without a cloud: delivered = forecast × (1 ± up to this many permille), uniform.</summary>
    public const int PvUsualPermille = 40;

    /// <summary>Chance, in permille, that a cloud passes over a household in an interval.</summary>
    public const int CloudChancePermille = 125;

    /// <summary>A cloud takes between this many permille of the forecast PV…</summary>
    public const int CloudLossMinPermille = 200;

    /// <summary>…and this many (uniform).</summary>
    public const int CloudLossMaxPermille = 400;

    /// <summary>Load: delivered = forecast × (1 ± up to this many permille), uniform.</summary>
    public const int LoadDeviationPermille = 50;

    /// <summary>The PV delivered against the forecast, in permille: −400…+40.</summary>
    public int PvDeviation(AgentProfile agent, long intervalStart)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return DemoRandom.Draw(seed, agent.Number, intervalStart, 6, 0, 999) < CloudChancePermille
            ? -DemoRandom.Draw(seed, agent.Number, intervalStart, 7, CloudLossMinPermille, CloudLossMaxPermille)
            : DemoRandom.Draw(seed, agent.Number, intervalStart, 7, -PvUsualPermille, PvUsualPermille);
    }

    /// <summary>The load delivered against the forecast, in permille: −50…+50.</summary>
    public int LoadDeviation(AgentProfile agent, long intervalStart)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return DemoRandom.Draw(seed, agent.Number, intervalStart, 8, -LoadDeviationPermille, LoadDeviationPermille);
    }

    /// <summary>The load and PV that really happened, Wh, from the household's forecast of them.</summary>
    public (long LoadWh, long PvWh) Delivered(AgentProfile agent, long intervalStart, long forecastLoadWh, long forecastPvWh) =>
        (forecastLoadWh * (1000 + LoadDeviation(agent, intervalStart)) / 1000,
         forecastPvWh * (1000 + PvDeviation(agent, intervalStart)) / 1000);

    /// <summary>
    /// One bidirectional meter over one interval: the PV first covers the household's own load, the rest is
    /// exported; what it does not cover is imported. One of the two is always 0.
    /// </summary>
    public static (long ImportWh, long ExportWh) Meter(long loadWh, long pvWh) =>
        pvWh >= loadWh ? (0, pvWh - loadWh) : (loadWh - pvWh, 0);
}

/// <summary>
/// The demo households' meters: after each cleared interval has ended, one reading per agent household and one for
/// Anna's house (traded by hand), imported through <see cref="ReadingImportService"/> like any meter gateway's
/// upload. Live it runs in the agents' job on the app's clock; the backfill runs it on a simulated one.
/// </summary>
public sealed partial class DemoMeters(
    IDbContextFactory<MarketDbContext> dbFactory,
    DemoCommunity community,
    IOptions<DemoOptions> options,
    ILogger<DemoMeters> logger)
{
    /// <summary>The source the readings are stored under.</summary>
    public const string Source = "demo-meters";

    /// <summary>
    /// Imports the readings of every cleared interval that has ended since the newest interval the agent households
    /// have a reading for (at most <c>BackfillDays</c>, or one day, back), one upload per interval, oldest first.
    /// An interval with readings is never read again, so a restart stores nothing twice. Returns the readings stored.
    /// </summary>
    public async Task<int> ReadDeliveredAsync(ReadingImportService import, MarketClock clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.NowSeconds;
        Dictionary<string, Household> households;
        List<long> cleared;
        HashSet<(long HouseholdId, long IntervalStart)> read = [];
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            households = await community.MeteredHouseholdsAsync(db, cancellationToken);
            if (households.Count == 0)
            {
                return 0;
            }

            var ids = households.Values.Select(h => h.Id).ToList();
            // The demo meters' own readings only: an operator's upload (say, for Anna) must not move the mark past
            // intervals the demo meters have not read yet.
            var newest = await db.MeterReadings.AsNoTracking()
                .Where(r => ids.Contains(r.HouseholdId) && r.Source == Source)
                .MaxAsync(r => (long?)r.IntervalStart, cancellationToken);
            var from = Math.Max(newest + 1 ?? long.MinValue, now - (Math.Max(options.Value.BackfillDays, 1) * 86_400L));
            cleared = await db.ClearedIntervals.AsNoTracking()
                .Where(c => c.IntervalStart >= from && c.IntervalStart < now)
                .OrderBy(c => c.IntervalStart)
                .Select(c => c.IntervalStart)
                .ToListAsync(cancellationToken);
            if (cleared.Count > 0)
            {
                // A meter that already has a reading for an interval (an operator's upload) is not read again: that
                // would be a correction of someone else's reading.
                var (first, last) = (cleared[0], cleared[^1]);
                read = await StoredMeterReadings.ReadIntervalsAsync(db, ids, first, last, cancellationToken);
            }
        }

        var meters = community.Meters
            .Where(a => households.TryGetValue(a.Email, out var h) && h.MeterId is not null)
            .Select(a => (Agent: a, households[a.Email].Id, MeterId: households[a.Email].MeterId!))
            .ToList();
        var stored = 0;
        foreach (var start in cleared)
        {
            var length = clock.LengthOf(start);
            if (start + length > now)
            {
                break;
            }

            var readings = meters.Where(m => !read.Contains((m.Id, start))).Select((m, i) =>
            {
                var (importWh, exportWh) = community.Reading(m.Agent, start, length);
                return new UploadedReading(i + 1, m.MeterId, start, importWh, exportWh);
            }).ToList();
            if (readings.Count == 0)
            {
                continue;
            }

            var result = await import.ImportAsync(new ParsedReadings(readings, []), Source, cancellationToken);
            if (!result.Succeeded)
            {
                // Stop at the first interval that fails: later ones would skip it. The next run tries again.
                LogRejected(logger, start, result.ErrorCount, result.Errors.Count > 0 ? result.Errors[0].Message : "");
                break;
            }

            stored += result.Stored + result.Corrections;
        }

        return stored;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo meters' readings of interval {Start} were not stored: {Count} errors, e.g. {Error}")]
    private static partial void LogRejected(ILogger logger, long start, int count, string error);
}
