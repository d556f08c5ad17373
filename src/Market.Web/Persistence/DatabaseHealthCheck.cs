using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Market.Web.Persistence;

/// <summary>Ready when the database answers and the ledger has its genesis block.</summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<MarketDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var hasGenesis = await db.Blocks.AnyAsync(b => b.Height == 0, cancellationToken);
            return hasGenesis ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The ledger has no genesis block yet.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The message only: a connection string or path must never reach a public endpoint.
            return HealthCheckResult.Unhealthy("The database is not reachable.");
        }
    }
}
