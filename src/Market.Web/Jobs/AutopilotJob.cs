using Hangfire;

namespace Market.Web.Jobs;

/// <summary>The recurring job: every household's autopilot that is on posts for the intervals within its lead time.</summary>
public sealed class AutopilotJob(AutopilotEngine engine)
{
    public const string JobId = "autopilot";

    /// <summary>Returns the orders posted.</summary>
    /// <remarks>
    /// One run at a time across nodes (the lock lives in the shared job storage); even without it, two runs never post
    /// an interval twice under the same settings (a unique index) nor after a pause (the posting transaction checks
    /// the settings' version).
    /// </remarks>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => engine.RunAsync(cancellationToken);
}
