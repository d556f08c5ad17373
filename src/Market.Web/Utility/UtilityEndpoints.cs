using System.Globalization;
using System.Text;

namespace Market.Web.Utility;

/// <summary>The utility's view of the community: per interval, the aggregate metered and settled energy.</summary>
public static class UtilityEndpoints
{
    /// <summary>Longest range one request covers, in days.</summary>
    public const int MaxDays = 31;

    /// <summary>
    /// Local days <c>[from, to)</c> in the community's time zone as Unix seconds. <paramref name="from"/> and
    /// <paramref name="to"/> are dates (yyyy-MM-dd); without <paramref name="to"/> one day, without either the
    /// community's current day. Null when the dates do not parse, are reversed or span more than <see cref="MaxDays"/>.
    /// </summary>
    public static (long From, long To)? Range(string? from, string? to, MarketClock clock)
    {
        var today = DateOnly.FromDateTime(clock.ToLocal(clock.Now.ToUnixTimeSeconds()).DateTime);
        if (!TryDate(from, today, out var first) || !TryDate(to, first.AddDays(1), out var end) || end <= first || end.DayNumber - first.DayNumber > MaxDays)
        {
            return null;
        }

        return (LocalMidnight(first, clock.TimeZone), LocalMidnight(end, clock.TimeZone));
    }

    public static long LocalMidnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUnixTimeSeconds();
    }

    /// <summary>The intervals as CSV: UTC times, kWh and the currency with a dot; metered figures empty until reconciled.</summary>
    public static string ToCsv(IReadOnlyList<CommunityInterval> intervals, MarketClock clock, string currency)
    {
        var csv = new StringBuilder();
        csv.AppendLine(CultureInfo.InvariantCulture,
            $"interval_start_utc,interval_end_utc,reconciliation_version,households,import_kwh,export_kwh,traded_locally_kwh,netted_between_neighbours_kwh,bought_from_utility_kwh,bought_from_utility_{currency},sold_to_utility_kwh,sold_to_utility_{currency},net_from_utility_kwh");
        foreach (var i in intervals)
        {
            var times = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.FromUnixTimeSeconds(i.IntervalStart):yyyy-MM-ddTHH:mm:ssZ},{DateTimeOffset.FromUnixTimeSeconds(clock.Next(i.IntervalStart)):yyyy-MM-ddTHH:mm:ssZ}");
            csv.AppendLine(i.Reconciled
                ? string.Create(CultureInfo.InvariantCulture, $"{times},{i.Version},{i.Households},{i.ImportWh / 1000m},{i.ExportWh / 1000m},{i.TradedWh / 1000m},{i.NettedWh / 1000m},{i.BoughtFromUtilityWh / 1000m},{i.BoughtFromUtilityAmount / 10_000m},{i.SoldToUtilityWh / 1000m},{i.SoldToUtilityAmount / 10_000m},{i.NetFromUtilityWh / 1000m}")
                : string.Create(CultureInfo.InvariantCulture, $"{times},,,,,{i.TradedWh / 1000m},,,,,,"));
        }

        return csv.ToString();
    }

    public static IEndpointRouteBuilder MapUtilityView(this IEndpointRouteBuilder app)
    {
        app.MapGet("/utility/intervals.csv", async (string? from, string? to, SettlementQueries settlement, MarketClock clock, Microsoft.Extensions.Options.IOptions<CommunityOptions> options, CancellationToken ct) =>
        {
            if (Range(from, to, clock) is not var (start, end))
            {
                return Results.Problem(statusCode: 400, title: "No such range",
                    detail: $"Use from and to as dates (yyyy-MM-dd, the community's days, to exclusive), at most {MaxDays} days apart.");
            }

            var intervals = await settlement.CommunityAsync(start, end, ct);
            var csv = ToCsv(intervals, clock, options.Value.Currency);
            return Results.File(Encoding.UTF8.GetBytes(csv), "text/csv", string.Create(CultureInfo.InvariantCulture, $"community-intervals-{from ?? "today"}.csv"));
        }).RequireAuthorization(p => p.RequireRole(Roles.Manager, Roles.Operator)).ExcludeFromDescription();
        return app;
    }

    private static bool TryDate(string? text, DateOnly fallback, out DateOnly day)
    {
        if (string.IsNullOrEmpty(text))
        {
            day = fallback;
            return true;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
