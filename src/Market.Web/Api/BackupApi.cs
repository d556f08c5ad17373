using Microsoft.Extensions.Options;

namespace Market.Web.Api;

/// <summary>
/// <c>GET /api/operator/backup</c>: a consistent copy of the SQLite database for an operator's token. The app holds
/// its SQLite file for itself (<see cref="SqliteOwnership"/>), so <c>market backup URL</c> fetches the copy from here
/// while the market keeps running. PostgreSQL is backed up with <c>pg_dump</c>.
/// </summary>
public static class BackupApi
{
    public static IEndpointRouteBuilder MapDatabaseBackup(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/operator/backup", BackUpAsync)
            .RequireRateLimiting(OrderApi.RateLimitPolicy)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Roles.Operator))
            .WithTags("Operators")
            .WithSummary("Operators: a consistent copy of the market's SQLite database (use `market backup URL FILE`); PostgreSQL uses pg_dump")
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.sqlite3")
            .ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> BackUpAsync(DataFolder folder, IOptions<MarketOptions> options, CancellationToken ct)
    {
        if (options.Value.Database != MarketDatabase.Sqlite)
        {
            return OrderApi.Problem(409, "Not a SQLite market", "This market runs on PostgreSQL: back it up with pg_dump (docs/deployment.md).");
        }

        // Into the temp folder, not the data folder: a backup must not be what fills the database's disk.
        var path = Path.Combine(Path.GetTempPath(), $"market-backup-{Guid.NewGuid():N}.db");
        try
        {
            await Task.Run(() => SqliteOwnership.BackUp(folder.ConnectionString, path), ct);
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        var copy = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        return Results.File(copy, "application/vnd.sqlite3", "market.db");
    }
}
