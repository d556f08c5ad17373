using System.Diagnostics.Contracts;

namespace Market.Web.MyHome;

/// <summary>
/// A household's forecast summed over one local hour: the bars of My Home, which a phone can show for a whole day.
/// Energy in Wh; the band is the sum of the intervals' bands (each the 10th to 90th percentile of the past days).
/// </summary>
/// <param name="Start">Start of the hour's first interval, Unix seconds UTC.</param>
/// <param name="ExportWh">Expected export (surplus) over the hour.</param>
/// <param name="ExportLowWh">Sum of the intervals' low export ends.</param>
/// <param name="ExportHighWh">Sum of the intervals' high export ends.</param>
/// <param name="ImportWh">Expected import (need) over the hour.</param>
/// <param name="ImportLowWh">Sum of the intervals' low import ends.</param>
/// <param name="ImportHighWh">Sum of the intervals' high import ends.</param>
/// <param name="Days">The fewest past days any interval of the hour is made of; 0: no history for part of the hour.</param>
public readonly record struct ForecastHour(long Start, long ExportWh, long ExportLowWh, long ExportHighWh, long ImportWh, long ImportLowWh, long ImportHighWh, int Days);

/// <summary>Sums a forecast per local hour.</summary>
public static class ForecastHours
{
    /// <summary>
    /// The intervals of <paramref name="forecast"/> grouped by the local hour (in <paramref name="zone"/>) they start
    /// in, in order. The repeated hour when daylight saving ends stays two hours (they start at different instants).
    /// </summary>
    [Pure]
    public static IReadOnlyList<ForecastHour> Of(IEnumerable<IntervalForecast> forecast, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        ArgumentNullException.ThrowIfNull(zone);
        return forecast
            .GroupBy(f =>
            {
                var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(f.IntervalStart), zone);
                return f.IntervalStart - (local.Minute * 60L) - local.Second;
            })
            .OrderBy(g => g.Key)
            .Select(g => new ForecastHour(
                g.Min(f => f.IntervalStart),
                g.Sum(f => f.ExportWh),
                g.Sum(f => f.ExportLowWh),
                g.Sum(f => f.ExportHighWh),
                g.Sum(f => f.ImportWh),
                g.Sum(f => f.ImportLowWh),
                g.Sum(f => f.ImportHighWh),
                g.Min(f => f.Days)))
            .ToList();
    }
}
