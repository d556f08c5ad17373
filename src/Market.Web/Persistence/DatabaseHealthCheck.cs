using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Market.Web.Persistence;

/// <summary>
/// Ready when the database answers, the ledger has its genesis block and the market can write (the outcome of the
/// last writes, <see cref="StorageHealth"/>; nothing is written to find out).
/// </summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<MarketDbContext> dbFactory, StorageHealth storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (storage.Fault is { } fault)
        {
            return HealthCheckResult.Unhealthy($"The database cannot be written: {fault.Reason}.");
        }

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
