using System.Diagnostics.Contracts;

namespace Market.Web.Forecasting;

/// <summary>One metered interval of a household: what it imported from and exported to the grid, Wh.</summary>
/// <param name="IntervalStart">Interval start, Unix seconds UTC.</param>
/// <param name="ImportWh">Metered import in the interval, Wh (≥ 0).</param>
/// <param name="ExportWh">Metered export in the interval, Wh (≥ 0).</param>
public readonly record struct IntervalReading(long IntervalStart, long ImportWh, long ExportWh);

/// <summary>What the household's connection can carry: the forecast never exceeds it.</summary>
/// <param name="PvPeakW">Declared PV peak, W: caps the export of one interval at <c>PvPeakW × length</c>.</param>
/// <param name="MaxImportW">Declared maximum import, W: caps the import of one interval at <c>MaxImportW × length</c>.</param>
public readonly record struct ForecastSite(long PvPeakW, long MaxImportW);

/// <summary>
/// The expected surplus (export) and need (import) of one interval, Wh, each with a band that about four in five
/// past days at this time of day fell into. Low ≤ expected ≤ high always holds.
/// </summary>
/// <param name="IntervalStart">Interval start, Unix seconds UTC.</param>
/// <param name="ExportWh">Expected export (surplus), Wh.</param>
/// <param name="ExportLowWh">Low end of the export band (weighted 10th percentile of the past days), Wh.</param>
/// <param name="ExportHighWh">High end of the export band (weighted 90th percentile), Wh.</param>
/// <param name="ImportWh">Expected import (need), Wh.</param>
/// <param name="ImportLowWh">Low end of the import band, Wh.</param>
/// <param name="ImportHighWh">High end of the import band, Wh.</param>
/// <param name="Days">Past days with a reading at this time of day that the forecast is made of; 0 means no history
/// (then every figure is 0 and says nothing).</param>
public readonly record struct IntervalForecast(
    long IntervalStart,
    long ExportWh,
    long ExportLowWh,
    long ExportHighWh,
    long ImportWh,
    long ImportLowWh,
    long ImportHighWh,
    int Days);

/// <summary>The method's few numbers. <see cref="Default"/> is the one measured in docs/forecast.md.</summary>
/// <param name="MaxDays">How many past days are looked at (1–60).</param>
/// <param name="DecayPermille">Weight of each day relative to the day after it, ‰: 1000 weighs all days alike.</param>
/// <param name="OtherDayTypePermille">Weight factor, ‰, of a past day of the other kind (weekday against
/// Saturday/Sunday) than the target day: 1000 ignores the day of the week.</param>
/// <param name="LastDayLevelPermille">How far, ‰, the expected export of a day moves from the weighted days' daily
/// export towards the last day's: 0 keeps the weighted days' level, 1000 takes the last day's (sunny spells last).</param>
public sealed record ForecastMethod(int MaxDays, int DecayPermille, int OtherDayTypePermille, int LastDayLevelPermille)
{
    public static readonly ForecastMethod Default = new(MaxDays: 14, DecayPermille: 800, OtherDayTypePermille: 1000, LastDayLevelPermille: 500);
}

/// <summary>
/// A household's expected export and import per interval, from its own meter history and its site alone: no
/// weather service, no clock, no database. Deterministic and integer: the same inputs give the same forecast.
/// </summary>
/// <remarks>
/// <para>How it is made (docs/forecast.md has the figures): for a target interval, take the readings of the past days
/// at the same local time of day (the household's routine and the sun follow the local clock, so a day with a
/// daylight-saving change still lines up), cap each at what the site can carry, and combine them with weights that
/// fall by <see cref="ForecastMethod.DecayPermille"/> per day back, so yesterday counts most and a day two weeks ago
/// little. Export and import are forecast separately: a bidirectional meter reads one or the other, and on a day
/// that may be sunny or cloudy the expected value of each is not zero. The band is the weighted 10th and 90th
/// percentile of the same past values. Weather runs in spells, so the expected export is then moved
/// <see cref="ForecastMethod.LastDayLevelPermille"/> of the way from the weighted days' daily export towards the last
/// day's.</para>
/// <para>Why not "same as yesterday": one day's readings carry that day's clouds and that day's chance load; the
/// weighted average of several days keeps the daily shape and averages the chance out, which lowers the mean
/// absolute error on the demo's real profiles (measured by <c>ForecastOnDemoProfilesTests</c>).</para>
/// </remarks>
public static class HouseholdForecaster
{
    /// <summary>The band's low end: the weighted 10th percentile of the past values, ‰.</summary>
    public const int LowQuantilePermille = 100;

    /// <summary>The band's high end: the weighted 90th percentile, ‰.</summary>
    public const int HighQuantilePermille = 900;

    /// <summary>
    /// The forecast of every interval in <paramref name="targets"/>, in their order.
    /// </summary>
    /// <param name="history">Past readings, any order; readings on or after a target's local date are not used for
    /// that target. Two readings at the same local date and time (the repeated hour when daylight saving ends): the
    /// later in the list counts.</param>
    /// <param name="site">The caps: export ≤ PV peak × length, import ≤ maximum import × length.</param>
    /// <param name="intervalSeconds">Length of every interval, seconds (&gt; 0).</param>
    /// <param name="zone">The household's time zone: days and times of day are taken there.</param>
    /// <param name="targets">Interval starts to forecast, Unix seconds UTC.</param>
    /// <param name="method">The method's numbers; <see cref="ForecastMethod.Default"/> when null.</param>
    [Pure]
    public static IReadOnlyList<IntervalForecast> Forecast(
        IEnumerable<IntervalReading> history,
        ForecastSite site,
        long intervalSeconds,
        TimeZoneInfo zone,
        IEnumerable<long> targets,
        ForecastMethod? method = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervalSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(site.PvPeakW);
        ArgumentOutOfRangeException.ThrowIfNegative(site.MaxImportW);
        method ??= ForecastMethod.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(method.MaxDays, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(method.MaxDays, 60);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(method.DecayPermille);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(method.DecayPermille, 1000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(method.OtherDayTypePermille);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(method.OtherDayTypePermille, 1000);
        ArgumentOutOfRangeException.ThrowIfNegative(method.LastDayLevelPermille);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(method.LastDayLevelPermille, 1000);

        var exportCap = checked(site.PvPeakW * intervalSeconds) / 3600;
        var importCap = checked(site.MaxImportW * intervalSeconds) / 3600;
        var past = new Dictionary<(int Day, int Second), IntervalReading>();
        foreach (var reading in history)
        {
            past[LocalSlot(reading.IntervalStart, zone)] = reading;
        }

        var dayExport = new Dictionary<int, long>();
        foreach (var ((day, _), reading) in past)
        {
            dayExport[day] = dayExport.GetValueOrDefault(day) + Math.Clamp(reading.ExportWh, 0, exportCap);
        }

        // Day k back weighs decay^(k − 1), in integers: 1000, 800, 640, … for 800 ‰; never below 1.
        var recency = new long[method.MaxDays + 1];
        recency[1] = 1000;
        for (var k = 2; k <= method.MaxDays; k++)
        {
            recency[k] = Math.Max(1, recency[k - 1] * method.DecayPermille / 1000);
        }

        var result = new List<IntervalForecast>();
        var exports = new List<(long Value, long Weight)>(method.MaxDays);
        var imports = new List<(long Value, long Weight)>(method.MaxDays);
        foreach (var start in targets)
        {
            var (day, second) = LocalSlot(start, zone);
            var weekend = IsWeekend(day);
            exports.Clear();
            imports.Clear();
            for (var k = 1; k <= method.MaxDays; k++)
            {
                if (!past.TryGetValue((day - k, second), out var reading))
                {
                    continue;
                }

                var weight = IsWeekend(day - k) == weekend ? recency[k] : Math.Max(1, recency[k] * method.OtherDayTypePermille / 1000);
                exports.Add((Math.Clamp(reading.ExportWh, 0, exportCap), weight));
                imports.Add((Math.Clamp(reading.ImportWh, 0, importCap), weight));
            }

            if (exports.Count == 0)
            {
                result.Add(new IntervalForecast(start, 0, 0, 0, 0, 0, 0, 0));
                continue;
            }

            var (export, exportLow, exportHigh) = Estimate(exports);
            if (LevelTowardsLastDay(dayExport, day, recency, method) is var (levelNumerator, levelDenominator) && levelDenominator > 0)
            {
                export = Math.Min(exportCap, (long)((Int128)export * levelNumerator / levelDenominator));
                exportLow = Math.Min(exportLow, export);
                exportHigh = Math.Max(exportHigh, export);
            }

            var (import, importLow, importHigh) = Estimate(imports);
            result.Add(new IntervalForecast(start, export, exportLow, exportHigh, import, importLow, importHigh, exports.Count));
        }

        return result;
    }

    /// <summary>
    /// The intervals of local days <paramref name="firstDay"/> and the <paramref name="days"/> − 1 after it in
    /// <paramref name="zone"/>, aligned to <paramref name="intervalSeconds"/> in UTC: 96 a day at 15 minutes, 92 or
    /// 100 on the days daylight saving starts or ends.
    /// </summary>
    [Pure]
    public static IReadOnlyList<long> IntervalsOfDays(DateOnly firstDay, int days, long intervalSeconds, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervalSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var from = AlignDown(StartOfDay(firstDay, zone), intervalSeconds);
        var to = AlignDown(StartOfDay(firstDay.AddDays(days), zone), intervalSeconds);
        var starts = new List<long>();
        for (var start = from; start < to; start += intervalSeconds)
        {
            starts.Add(start);
        }

        return starts;
    }

    /// <summary>The local date of an instant in <paramref name="zone"/>.</summary>
    [Pure]
    public static DateOnly LocalDate(long unixSeconds, TimeZoneInfo zone) =>
        DateOnly.FromDayNumber(LocalSlot(unixSeconds, zone).Day);

    /// <summary>(local day number, local second of the day) of an instant.</summary>
    private static (int Day, int Second) LocalSlot(long unixSeconds, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), zone).DateTime;
        return (DateOnly.FromDateTime(local).DayNumber, (int)(local.TimeOfDay.Ticks / TimeSpan.TicksPerSecond));
    }

    /// <summary>Unix seconds of the first instant of a local date (a midnight skipped by daylight saving: the first hour after it).</summary>
    private static long StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(15);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(midnight, zone)).ToUnixTimeSeconds();
    }

    /// <summary>
    /// The factor (numerator, denominator) that moves the expected export of a day from the weighted days' daily
    /// export L towards the last day's E by the method's share p: <c>1 + p × (E / L − 1)</c>. (0, 0) when the past
    /// days exported nothing or the method keeps the level.
    /// </summary>
    private static (Int128 Numerator, Int128 Denominator) LevelTowardsLastDay(Dictionary<int, long> dayExport, int day, long[] recency, ForecastMethod method)
    {
        if (method.LastDayLevelPermille == 0)
        {
            return (0, 0);
        }

        Int128 weights = 0;
        Int128 weighted = 0;
        long? last = null;
        for (var k = 1; k <= method.MaxDays; k++)
        {
            if (dayExport.TryGetValue(day - k, out var total))
            {
                last ??= total;
                weights += recency[k];
                weighted += recency[k] * (Int128)total;
            }
        }

        if (last is not { } lastDay || weighted == 0)
        {
            return (0, 0);
        }

        // L = weighted / weights, so 1 + p × (E / L − 1) = (1000 × weighted + p × (E × weights − weighted)) / (1000 × weighted).
        return ((1000 * weighted) + (method.LastDayLevelPermille * ((lastDay * weights) - weighted)), 1000 * weighted);
    }

    private static long AlignDown(long unixSeconds, long length) => unixSeconds - (((unixSeconds % length) + length) % length);

    private static bool IsWeekend(int dayNumber) => DateOnly.FromDayNumber(dayNumber).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>Weighted mean (rounded half up) and the weighted 10th and 90th percentiles of non-negative values.</summary>
    private static (long Expected, long Low, long High) Estimate(List<(long Value, long Weight)> values)
    {
        long total = 0;
        long sum = 0;
        foreach (var (value, weight) in values)
        {
            total += weight;
            sum = checked(sum + (value * weight));
        }

        var expected = ((2 * sum) + total) / (2 * total);
        values.Sort((a, b) => a.Value.CompareTo(b.Value));
        var low = Quantile(values, total, LowQuantilePermille);
        var high = Quantile(values, total, HighQuantilePermille);
        return (expected, Math.Min(low, expected), Math.Max(high, expected));
    }

    /// <summary>The smallest value whose cumulative weight reaches <paramref name="permille"/> of the total (values sorted).</summary>
    private static long Quantile(List<(long Value, long Weight)> sorted, long total, int permille)
    {
        long cumulative = 0;
        foreach (var (value, weight) in sorted)
        {
            cumulative += weight;
            if (cumulative * 1000 >= total * permille)
            {
                return value;
            }
        }

        return sorted[^1].Value;
    }
}
