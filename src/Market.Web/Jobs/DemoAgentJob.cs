using Hangfire;

namespace Market.Web.Jobs;

/// <summary>
/// The recurring job: the agents post the coming intervals' orders before their gates close, and the demo meters
/// send the readings of the intervals that have been delivered, which are then reconciled.
/// </summary>
public sealed class DemoAgentJob(DemoAgents agents, OrderService orders, MarketClock clock, DemoMeters meters, ReadingImportService import, ReconciliationService reconciliation)
{
    public const string JobId = "demo-agents";

    /// <summary>Returns the number of orders stored.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var posted = await agents.PostAsync(orders, clock, cancellationToken);
        if (await meters.ReadDeliveredAsync(import, clock, cancellationToken) > 0)
        {
            await reconciliation.ReconcileDueAsync(cancellationToken);
        }

        return posted;
    }
}
