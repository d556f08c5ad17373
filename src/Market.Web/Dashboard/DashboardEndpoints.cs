using System.Globalization;
using System.Text;

namespace Market.Web.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>The dashboard's interval series as CSV (public, like the dashboard).</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard/series.csv", async (string? range, DashboardService data, MarketClock clock, CancellationToken ct) =>
        {
            var (from, to) = data.Window(range ?? "24h");
            var points = await data.IntervalsAsync(from, to, ct);
            var csv = new StringBuilder("interval_start_utc,interval_end_utc,price_ct_per_kwh,volume_kwh,demand_kwh,supply_kwh,trades,active_households\n");
            foreach (var p in points)
            {
                csv.AppendLine(CultureInfo.InvariantCulture,
                    $"{DateTimeOffset.FromUnixTimeSeconds(p.Start):yyyy-MM-ddTHH:mm:ssZ},{DateTimeOffset.FromUnixTimeSeconds(clock.Next(p.Start)):yyyy-MM-ddTHH:mm:ssZ},{(p.Price is long pr ? (pr / 100m).ToString(CultureInfo.InvariantCulture) : "")},{p.VolumeWh / 1000m},{p.DemandWh / 1000m},{p.SupplyWh / 1000m},{p.Trades},{p.Households}");
            }

            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", $"clearing-{range ?? "24h"}.csv");
        }).ExcludeFromDescription();
        return app;
    }
}
