namespace Market.Web.Notifications;

/// <summary>New notifications were written for these households (on this node).</summary>
public sealed record NotificationsAdded(IReadOnlySet<long> HouseholdIds);

/// <summary>
/// Singleton notifier of new personal notifications, like <see cref="MarketEvents"/>: each listener hears in the
/// culture of the circuit it subscribed from, and filters to its own household. It carries no per-user state.
/// </summary>
public sealed class NotificationEvents(ILogger<NotificationEvents> logger)
{
    public Notifier<NotificationsAdded> Added { get; } = new(logger);
}
