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

        // The 30-day trends behind the managers' part of the dashboard: community totals per day, for managers and
        // operators only, like the utility view (docs/adr/0028).
        app.MapGet("/dashboard/trends.csv", async (TrendsService trends, CancellationToken ct) =>
        {
            var csv = new StringBuilder("day,reconciled_intervals,import_kwh,supplied_by_neighbours_kwh,self_sufficiency_percent,paid_to_neighbours,paid_to_utility,grid_only_paid_to_utility,kept_in_community\n");
            foreach (var d in await trends.DaysAsync(ct))
            {
                csv.AppendLine(CultureInfo.InvariantCulture,
                    $"{d.Day:yyyy-MM-dd},{d.Intervals},{d.ImportWh / 1000m},{d.LocalWh / 1000m},{(d.SelfSufficiencyPermille is int s ? (s / 10m).ToString(CultureInfo.InvariantCulture) : "")},{d.PaidToNeighbours / 10_000m},{d.PaidToUtility / 10_000m},{d.GridOnlyPaidToUtility / 10_000m},{d.Kept / 10_000m}");
            }

            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "community-trends-30d.csv");
        }).RequireAuthorization(p => p.RequireRole(Roles.Manager, Roles.Operator)).ExcludeFromDescription();
        return app;
    }
}
