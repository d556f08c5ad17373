namespace Market.Web.Notifications;

/// <summary>
/// One circuit's (one browser tab's) notification state shared by its bell and its notifications page: when the page
/// marks something read, the bell counts again. Scoped, so it never crosses users.
/// </summary>
public sealed class NotificationCircuit
{
    public event Func<Task>? Changed;

    public Task NotifyChangedAsync() => Changed?.Invoke() ?? Task.CompletedTask;
}
