using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Notifications;

/// <summary>
/// Sends new notifications by e-mail and Web Push, as each household chose. A node first claims a notification
/// (a conditional update of <c>DispatchedAtMs</c>), so two nodes never both send it; a claimed notification is not
/// sent again, even when its push failed after its bounded retries (the in-app list still has it). Runs in its own
/// job, never in clearing.
/// </summary>
public sealed partial class NotificationDispatcher(
    IDbContextFactory<MarketDbContext> dbFactory,
    TimeProvider time,
    MarketClock clock,
    IMarketMail mail,
    WebPushSender push,
    PublicLinks links,
    IOptions<CommunityOptions> community,
    ILogger<NotificationDispatcher> logger)
{
    /// <summary>Notifications older than this are not sent any more (after an outage they are stale).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(6);

    /// <summary>Sends what is due; returns how many notifications were claimed by this node.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = now - (long)MaxAge.TotalMilliseconds;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.Notifications.AsNoTracking()
            .Where(n => n.DispatchedAtMs == null && n.CreatedAtMs >= from)
            .OrderBy(n => n.Id).Take(500).ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        var ids = due.Select(n => n.HouseholdId).Distinct().ToList();
        var preferences = await db.NotificationPreferences.AsNoTracking().Where(p => ids.Contains(p.HouseholdId)).ToDictionaryAsync(p => p.HouseholdId, cancellationToken);
        var addresses = await db.Households.AsNoTracking().Where(h => ids.Contains(h.Id))
            .Join(db.Users, h => h.UserId, u => u.Id, (h, u) => new { h.Id, u.Email, u.EmailConfirmed })
            .ToDictionaryAsync(a => a.Id, a => a.EmailConfirmed ? a.Email : null, cancellationToken);
        var culture = CultureInfo.GetCultureInfo(community.Value.Culture);
        var claimed = 0;
        foreach (var n in due)
        {
            var claim = await db.Notifications.Where(x => x.Id == n.Id && x.DispatchedAtMs == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.DispatchedAtMs, now), cancellationToken);
            if (claim == 0)
            {
                continue;
            }

            claimed++;
            var p = preferences.GetValueOrDefault(n.HouseholdId) ?? new NotificationPreferenceEntity { HouseholdId = n.HouseholdId };
            if (n.Kind == NotificationKind.PriceAlert && p.AlertQuiet)
            {
                continue;
            }

            var message = NotificationText.Describe(n, clock, community.Value.Currency, culture);
            var url = links.To("notifications");
            if (p.Email && addresses.GetValueOrDefault(n.HouseholdId) is { Length: > 0 } address)
            {
                await SendMailAsync(address, message, url);
            }

            if (p.Push)
            {
                await PushAsync(db, n.HouseholdId, message, url, cancellationToken);
            }
        }

        return claimed;
    }

    private async Task SendMailAsync(string address, NotificationMessage message, string url)
    {
        try
        {
            await mail.SendAsync(address, message.Title, $"{message.Body}\n\nYour notifications: {url}\n");
        }
        catch (IOException e)
        {
            LogMailFailed(logger, e);
        }
    }

    private async Task PushAsync(MarketDbContext db, long householdId, NotificationMessage message, string url, CancellationToken cancellationToken)
    {
        var devices = await db.PushSubscriptions.AsNoTracking().Where(s => s.HouseholdId == householdId).ToListAsync(cancellationToken);
        foreach (var device in devices)
        {
            if (await push.SendAsync(device, message.Title, message.Body, url, cancellationToken) == PushOutcome.Gone)
            {
                // The browser unsubscribed or the subscription expired: the push service will never take it again.
                await db.PushSubscriptions.Where(s => s.Id == device.Id).ExecuteDeleteAsync(cancellationToken);
                LogGone(logger, device.Id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A notification e-mail could not be written")]
    private static partial void LogMailFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push subscription {Id} is gone (404/410 from its push service); removed")]
    private static partial void LogGone(ILogger logger, long id);
}
