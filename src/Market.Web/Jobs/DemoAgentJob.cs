using Hangfire;
using Microsoft.Extensions.Options;

namespace Market.Web.Jobs;

/// <summary>
/// The recurring job: the simulated network operator sends its envelopes a day ahead, the agents post the coming
/// intervals' orders before their gates close, and the demo meters send the readings of the intervals that have been
/// delivered, which are then reconciled.
/// </summary>
public sealed class DemoAgentJob(
    DemoAgents agents,
    OrderService orders,
    MarketClock clock,
    DemoMeters meters,
    ReadingImportService import,
    ReconciliationService reconciliation,
    DemoNetwork network,
    DemoNetworkOperator networkOperator,
    GridStore grid,
    IOptions<DemoOptions> demo)
{
    public const string JobId = "demo-agents";

    /// <summary>Returns the number of orders stored.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (demo.Value.SimulatesGrid)
        {
            // Households that joined (a registration) get a connection before they trade.
            await network.EnsureConnectedAsync(grid, cancellationToken);
            await networkOperator.SendAsync(grid, clock, cancellationToken);
        }

        var posted = await agents.PostAsync(orders, clock, cancellationToken);
        if (await meters.ReadDeliveredAsync(import, clock, cancellationToken) > 0)
        {
            await reconciliation.ReconcileDueAsync(cancellationToken);
        }

        return posted;
    }
}
