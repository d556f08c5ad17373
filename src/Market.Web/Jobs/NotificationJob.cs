using Hangfire;

namespace Market.Web.Jobs;

/// <summary>
/// The recurring notifications job: writes what clearing, cancellations and the day left to tell (exactly once,
/// whichever node runs it), then sends e-mail and Web Push. Apart from clearing, so a slow push service never
/// holds an interval back.
/// </summary>
public sealed class NotificationJob(NotificationGenerator generator, NotificationDispatcher dispatcher)
{
    public const string JobId = "notifications";

    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var written = await generator.GenerateDueAsync(cancellationToken);
        await dispatcher.DispatchDueAsync(cancellationToken);
        return written;
    }
}
