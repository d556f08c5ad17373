using System.Globalization;

namespace Market.Web.Api;

/// <summary>
/// The range of intervals a per-interval export covers (<c>?from=&amp;to=</c>): the intervals that start in
/// <c>[from, to)</c>, at most <see cref="MaxDays"/> days of them.
/// </summary>
public static class IntervalRange
{
    /// <summary>The longest range one request covers, in days.</summary>
    public const int MaxDays = 7;

    /// <summary>
    /// Reads <paramref name="from"/> and <paramref name="to"/>: each an ISO 8601 instant (2026-06-15T10:00:00Z) or a
    /// day of the community (yyyy-MM-dd, its local midnight). Null when either is missing or malformed, they are
    /// reversed or equal, or more than <see cref="MaxDays"/> days apart (a day of 25 hours at a clock change counts as one).
    /// </summary>
    /// <returns>Unix seconds UTC, or the reason they were refused.</returns>
    public static ((long From, long To)? Range, string? Problem) Parse(string? from, string? to, MarketClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (!TryInstant(from, clock, out var start) || !TryInstant(to, clock, out var end))
        {
            return (null, "Give from and to as ISO 8601 instants (2026-06-15T10:00:00Z) or as the community's days (2026-06-15).");
        }

        if (end <= start)
        {
            return (null, "from must be before to.");
        }

        if (end - start > (MaxDays * 86_400L) + 3600)
        {
            return (null, $"A request covers at most {MaxDays} days; ask for a shorter range.");
        }

        return ((start, end), null);
    }

    /// <summary>
    /// Reads <c>?format=</c>: true for <c>csv</c>, false for <c>json</c> or none (either case); null for anything else.
    /// </summary>
    public static bool? IsCsv(string? format) =>
        string.IsNullOrEmpty(format) || format.Equals("json", StringComparison.OrdinalIgnoreCase) ? false
        : format.Equals("csv", StringComparison.OrdinalIgnoreCase) ? true
        : null;

    private static bool TryInstant(string? text, MarketClock clock, out long seconds)
    {
        seconds = 0;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            // Days at the ends of the calendar have no local midnight in every zone: refused, not a server error.
            if (day.Year is < 1970 or > 9000)
            {
                return false;
            }

            seconds = UtilityEndpoints.LocalMidnight(day, clock.TimeZone);
            return true;
        }

        if (string.IsNullOrWhiteSpace(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return false;
        }

        seconds = at.ToUnixTimeSeconds();
        return true;
    }
}
