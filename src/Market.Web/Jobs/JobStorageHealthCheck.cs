using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Market.Web.Jobs;

/// <summary>Ready when the job storage answers: without it no interval is ever cleared.</summary>
public sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // A real round trip to the storage (a query on PostgreSQL), cheap enough for a readiness probe.
            using var connection = storage.GetConnection();
            _ = connection.GetAllItemsFromSet("recurring-jobs");
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The message only: a connection string must never reach a public endpoint.
            return Task.FromResult(HealthCheckResult.Unhealthy("The job storage is not reachable."));
        }
    }
}
