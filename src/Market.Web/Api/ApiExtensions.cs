using Market.Web.LedgerStore;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Market.Web.Api;

public static class ApiExtensions
{
    public static IEndpointRouteBuilder MapMarketApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });

        var ledger = app.MapGroup("/api/ledger").WithTags("Ledger");
        ledger.MapGet("/blocks", async (LedgerReader reader, long? before, int? limit, CancellationToken ct) =>
        {
            var take = Math.Clamp(limit ?? 50, 1, 500);
            var blocks = await reader.ListAsync(before, take, ct);
            return Results.Ok(blocks.Select(BlockDto.From));
        });
        ledger.MapGet("/blocks/{height:long}", async (LedgerReader reader, long height, CancellationToken ct) =>
        {
            var block = await reader.GetAsync(height, ct);
            return block is null
                ? Results.Problem(statusCode: 404, title: "No such block", detail: $"The ledger has no block at height {height}.")
                : Results.Ok(BlockDetailDto.From(block));
        });
        return app;
    }
}
