using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Scalar.AspNetCore;

namespace Market.Web.Api;

public static class ApiExtensions
{
    public const string MetricsPath = TokenPaths.Metrics;

    public static WebApplicationBuilder AddMarketApi(this WebApplicationBuilder builder)
    {
        builder.AddMarketRateLimits();
        builder.AddApiProblems();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new() { Title = "Community energy market API", Version = "v1", Description = "Post bids and offers, read trades and prices. Authenticate with a personal access token: Authorization: Bearer mkt_…. Energy in Wh; prices in 1/10,000 of the currency per kWh; money in 1/10,000 of the currency." };
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapMarketApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/api/docs", o => o
            .WithTitle("Community energy market API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            // The vendor's AI chat ("Ask AI") and its toolbar ("Share", "Deploy") would offer its services, not ours.
            .DisableAgent()
            .HideDeveloperTools()
            .AddHeadContent(ApiReferenceHeader.Style)
            .AddHeaderContent(ApiReferenceHeader.Markup));
        app.MapOrderApi();
        app.MapHouseholdKeyApi();
        app.MapDatabaseBackup();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });

        var ledger = app.MapGroup("/api/ledger").WithTags("Ledger").RequireRateLimiting(RateLimits.Ledger);
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
        ledger.MapGet("/checkpoint", async (LedgerPublication publication, CancellationToken ct) =>
            await publication.LatestCheckpointAsync(ct) is { } checkpoint ? Results.Ok(CheckpointDto.From(checkpoint)) : NoCheckpoint())
            .WithSummary("The latest signed checkpoint of the ledger-wide tree");
        ledger.MapGet("/consistency", async (LedgerPublication publication, long from, long to, CancellationToken ct) =>
        {
            var proof = await publication.ConsistencyProofAsync(from, to, ct);
            return proof is null
                ? Results.Problem(statusCode: 400, title: "Bad sizes", detail: "Need 0 <= from <= to <= the ledger's size.")
                : Results.Ok(new { from, to, proof = proof.Select(Convert.ToHexStringLower) });
        }).WithSummary("RFC 9162 consistency proof between two tree sizes");
        ledger.MapGet("/export", async (LedgerPublication publication, long? from, long? to, CancellationToken ct) =>
        {
            var checkpoint = to is { } size ? await publication.CheckpointAsync(size, ct) : await publication.LatestCheckpointAsync(ct);
            if (checkpoint is null)
            {
                return to is null
                    ? NoCheckpoint()
                    : Results.Problem(statusCode: 404, title: "No such checkpoint", detail: $"The ledger has no checkpoint of {to} blocks.");
            }

            return from is < 0 || from > checkpoint.Size
                ? Results.Problem(statusCode: 400, title: "Bad range", detail: $"Need 0 <= from <= {checkpoint.Size}.")
                : Results.Stream(s => publication.WriteExportAsync(s, checkpoint, from ?? 0, ct), "application/x-ndjson", "ledger-export.jsonl");
        })
            .WithSummary("The whole ledger as one self-contained JSON Lines file; with from and to, the blocks [from, to) and the checkpoint of size to (what a replica fetches)");
        ledger.MapGet("/trades/{id:long}/proof", async (LedgerPublication publication, long id, CancellationToken ct) =>
        {
            var receipt = await publication.ReceiptAsync(id, ct);
            return receipt is null
                ? Results.Problem(statusCode: 404, title: "No such trade", detail: $"The ledger has no trade {id}.")
                : Results.Text(receipt.ToJson(), "application/json");
        }).WithSummary("A receipt proving one trade is in the ledger (verify with `market ledger receipt`)");
        ledger.MapGet("/books/{start:long}", async (LedgerPublication publication, long start, CancellationToken ct) =>
        {
            var proof = await publication.BookProofAsync(start, ct);
            return proof is null
                ? Results.Problem(statusCode: 404, title: "No sealed book", detail: $"The interval starting at {start} has no order book covered by a checkpoint yet.")
                : Results.Text(proof, "application/json");
        }).WithSummary("An interval's sealed order book with its signature, the checkpoint and the header's proof: what a household checks its receipts against");
        ledger.MapPost("/key-rotations", async (KeyRotationService rotation, CancellationToken ct) =>
            Results.Ok(await rotation.RotateAsync(ct)))
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Roles.Operator))
            .WithSummary("Operators: replace the signing key; a key event signed by the current key introduces the new one (docs/deployment.md)")
            .Produces<KeyRotated>();
        // Prometheus text for a scraper with an operator's token.
        app.MapPrometheusScrapingEndpoint(MetricsPath)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Roles.Operator));
        return app;
    }

    // Only between a new database's first start and its genesis checkpoint, or on a node reading before any signed.
    private static IResult NoCheckpoint() =>
        Results.Problem(statusCode: 503, title: "No checkpoint yet", detail: "The ledger has no signed checkpoint yet; try again in a moment.");
}

/// <summary>A checkpoint as published.</summary>
public sealed record CheckpointDto(long Size, string Root, long Time, string KeyId, string Signature)
{
    public static CheckpointDto From(Market.Ledger.Checkpoint c) =>
        new(c.Size, Convert.ToHexStringLower(c.Root), c.TimestampUnixMs, Convert.ToHexStringLower(c.KeyId), Convert.ToHexStringLower(c.Signature));
}
