using Microsoft.EntityFrameworkCore;

namespace Market.Web.Forecasting;

/// <summary>A household's expected surplus and need for its local today and tomorrow.</summary>
/// <param name="HouseholdId">The household.</param>
/// <param name="TimeZone">The household's time zone, in which "today" and "tomorrow" are meant.</param>
/// <param name="Today">The local date of today.</param>
/// <param name="IntervalSeconds">Length of each interval, seconds.</param>
/// <param name="ReadingsUsed">Meter readings (latest version of each interval) the forecast was made from.</param>
/// <param name="TodayIntervals">Every interval of today, the past ones included, in order.</param>
/// <param name="TomorrowIntervals">Every interval of tomorrow, in order.</param>
public sealed record HouseholdForecast(
    long HouseholdId,
    string TimeZone,
    DateOnly Today,
    long IntervalSeconds,
    int ReadingsUsed,
    IReadOnlyList<IntervalForecast> TodayIntervals,
    IReadOnlyList<IntervalForecast> TomorrowIntervals);

/// <summary>
/// Loads a household's meter history from the database and forecasts its today and tomorrow with
/// <see cref="HouseholdForecaster"/>. A household's readings are private (the trust model: no meter profile readable
/// by the public): whoever shows this must show it to that household, its operator or its auditor only.
/// </summary>
public sealed class ForecastService(IDbContextFactory<MarketDbContext> dbFactory, MarketClock clock)
{
    /// <summary>
    /// The forecast of <paramref name="householdId"/> for the local days of now, in the household's time zone (the
    /// community's when the household's is unknown on this machine); null when there is no such household. Each
    /// interval uses the latest version of each reading (a correction replaces what it corrects).
    /// </summary>
    public async Task<HouseholdForecast?> TodayAndTomorrowAsync(long householdId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var household = await db.Households.AsNoTracking().SingleOrDefaultAsync(h => h.Id == householdId, cancellationToken);
        if (household is null)
        {
            return null;
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(household.TimeZone, out var own) ? own : clock.TimeZone;
        var now = clock.NowSeconds;
        var length = clock.LengthOf(now);
        var today = HouseholdForecaster.LocalDate(now, zone);
        var targets = HouseholdForecaster.IntervalsOfDays(today, 2, length, zone);
        var method = ForecastMethod.Default;
        // A day more than the method looks back covers a daylight-saving hour and the zone's offset.
        var from = targets[0] - ((method.MaxDays + 1) * 86_400L);
        var rows = await db.MeterReadings.AsNoTracking()
            .Where(r => r.HouseholdId == householdId && r.IntervalStart >= from && r.IntervalStart < now)
            .Select(r => new { r.IntervalStart, r.Version, r.ImportWh, r.ExportWh })
            .ToListAsync(cancellationToken);
        var history = rows.GroupBy(r => r.IntervalStart)
            .Select(g => g.MaxBy(r => r.Version)!)
            .OrderBy(r => r.IntervalStart)
            .Select(r => new IntervalReading(r.IntervalStart, r.ImportWh, r.ExportWh))
            .ToList();
        var forecast = HouseholdForecaster.Forecast(history, new ForecastSite(household.PvPeakW, household.MaxImportW), length, zone, targets, method);
        return new HouseholdForecast(
            householdId,
            zone.Id,
            today,
            length,
            history.Count,
            forecast.Where(f => HouseholdForecaster.LocalDate(f.IntervalStart, zone) == today).ToList(),
            forecast.Where(f => HouseholdForecaster.LocalDate(f.IntervalStart, zone) != today).ToList());
    }
}
