using Hangfire;

namespace Market.Web.Jobs;

/// <summary>The recurring job: clears every interval whose gate has closed. Safe to run concurrently and to re-run.</summary>
public sealed class ClearingJob(ClearingService clearing, StandingOrderService standing, ReconciliationService reconciliation, StorageHealth storage)
{
    /// <summary>Makes standing orders' next orders, clears what is due, then reconciles intervals whose readings are in; returns the intervals cleared.</summary>
    /// <remarks>
    /// No Hangfire distributed lock: the ledger lock (one transaction at a time, across nodes) already serialises
    /// clearing, and a job lock left behind by a killed node would hold clearing back until it expired.
    /// </remarks>
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await standing.MaterializeAllAsync(cancellationToken);
            var cleared = await clearing.ClearDueIntervalsAsync(cancellationToken);
            // Intervals whose readings came in (or were corrected) since the last run.
            await reconciliation.ReconcileDueAsync(cancellationToken);
            return cleared;
        }
        catch (Exception e)
        {
            // Each interval is cleared in one transaction, so a failure leaves nothing half-written; the job fails
            // and runs again (retried, and every minute). A storage fault also makes the app report not ready.
            storage.Observe(e);
            throw;
        }
    }
}
