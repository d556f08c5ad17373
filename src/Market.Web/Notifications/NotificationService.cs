using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Notifications;

/// <summary>One page of a household's notifications, newest first, and how many there are in all.</summary>
public sealed record NotificationPage(IReadOnlyList<NotificationEntity> Items, int Total, int Unread);

/// <summary>The settings a household changes on its notifications page.</summary>
public sealed record NotificationSettings(int Kinds, bool Email, bool Push, long? AlertAtOrAbove, long? AlertAtOrBelow, bool AlertQuiet);

/// <summary>
/// A household's notifications, settings and push subscriptions. Every method takes the household id of the caller
/// (from its session or token, never from input) and touches only that household's rows.
/// </summary>
public sealed class NotificationService(IDbContextFactory<MarketDbContext> dbFactory, TimeProvider time, PushEndpointPolicy endpoints)
{
    public const int MaxPageSize = 100;

    /// <summary>The highest price an alert may name (1/10,000 currency per kWh): 10,000 ct/kWh.</summary>
    public const long MaxAlertPrice = 1_000_000;

    public async Task<NotificationPage> PageAsync(long householdId, int page, int size, CancellationToken cancellationToken = default)
    {
        size = Math.Clamp(size, 1, MaxPageSize);
        page = Math.Max(page, 0);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var mine = db.Notifications.AsNoTracking().Where(n => n.HouseholdId == householdId);
        var total = await mine.CountAsync(cancellationToken);
        var unread = await mine.CountAsync(n => n.ReadAtMs == null, cancellationToken);
        var items = await mine.OrderByDescending(n => n.Id).Skip(page * size).Take(size).ToListAsync(cancellationToken);
        return new NotificationPage(items, total, unread);
    }

    public async Task<int> UnreadCountAsync(long householdId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Notifications.CountAsync(n => n.HouseholdId == householdId && n.ReadAtMs == null, cancellationToken);
    }

    /// <summary>The newest notification id of the household (0 for none): the toast shows only what comes after it.</summary>
    public async Task<long> LatestIdAsync(long householdId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Notifications.Where(n => n.HouseholdId == householdId).MaxAsync(n => (long?)n.Id, cancellationToken) ?? 0;
    }

    /// <summary>The household's unread notifications after <paramref name="afterId"/>, oldest first (at most <paramref name="take"/>).</summary>
    public async Task<IReadOnlyList<NotificationEntity>> NewerAsync(long householdId, long afterId, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Notifications.AsNoTracking()
            .Where(n => n.HouseholdId == householdId && n.Id > afterId && n.ReadAtMs == null)
            .OrderBy(n => n.Id).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>Marks one of the household's notifications read; false when it is not the household's.</summary>
    public async Task<bool> MarkReadAsync(long householdId, long id, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var mine = await db.Notifications.AnyAsync(n => n.Id == id && n.HouseholdId == householdId, cancellationToken);
        if (mine)
        {
            await db.Notifications.Where(n => n.Id == id && n.HouseholdId == householdId && n.ReadAtMs == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAtMs, now), cancellationToken);
        }

        return mine;
    }

    /// <summary>Marks all of the household's notifications read; returns how many were unread.</summary>
    public async Task<int> MarkAllReadAsync(long householdId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Notifications.Where(n => n.HouseholdId == householdId && n.ReadAtMs == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAtMs, now), cancellationToken);
    }

    /// <summary>The household's settings (the defaults when it has saved none).</summary>
    public async Task<NotificationPreferenceEntity> PreferencesAsync(long householdId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.NotificationPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.HouseholdId == householdId, cancellationToken)
            ?? new NotificationPreferenceEntity { HouseholdId = householdId };
    }

    /// <summary>Saves the household's settings; returns why not (and saves nothing) when a value is out of range.</summary>
    public async Task<string?> SavePreferencesAsync(long householdId, NotificationSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if ((settings.Kinds & ~NotificationPreferenceEntity.AllKinds) != 0)
        {
            return "Unknown notification kind.";
        }

        if (settings.AlertAtOrAbove is < 0 or > MaxAlertPrice || settings.AlertAtOrBelow is < 0 or > MaxAlertPrice)
        {
            return $"A price alert must be between {Units.Cents(0, CultureInfo.CurrentCulture)} and {Units.Cents(MaxAlertPrice, CultureInfo.CurrentCulture)} ct/kWh.";
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.HouseholdId == householdId, cancellationToken);
        if (row is null)
        {
            row = new NotificationPreferenceEntity { HouseholdId = householdId };
            db.NotificationPreferences.Add(row);
        }

        row.Kinds = settings.Kinds;
        row.Email = settings.Email;
        row.Push = settings.Push;
        row.AlertAtOrAbove = settings.AlertAtOrAbove;
        row.AlertAtOrBelow = settings.AlertAtOrBelow;
        row.AlertQuiet = settings.AlertQuiet;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (db.ChangeTracker.Entries<NotificationPreferenceEntity>().Any(e => e.State == EntityState.Added))
        {
            // Two saves at once (two tabs): the first made the row; this one tells the household to try again.
            return "Your settings were changed at the same time elsewhere; save again.";
        }

        return null;
    }

    /// <summary>
    /// Stores a device's push subscription for the household (an endpoint already known moves to this household:
    /// it is the same browser signed in as someone else). Returns why not, storing nothing, when
    /// <see cref="PushEndpointPolicy"/> refuses it.
    /// </summary>
    public async Task<string?> SubscribeAsync(long householdId, string? endpoint, string? p256dh, string? auth, CancellationToken cancellationToken = default)
    {
        if (endpoints.Check(endpoint, p256dh, auth) is { } error)
        {
            return error;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.PushSubscriptions.SingleOrDefaultAsync(s => s.Endpoint == endpoint, cancellationToken);
        if (row is null)
        {
            row = new PushSubscriptionEntity { Endpoint = endpoint! };
            db.PushSubscriptions.Add(row);
        }

        row.HouseholdId = householdId;
        row.P256dh = p256dh!.TrimEnd('=');
        row.Auth = auth!.TrimEnd('=');
        row.CreatedAtMs = now;
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>Forgets one of the household's devices; false when the household has no such subscription.</summary>
    public async Task<bool> UnsubscribeAsync(long householdId, string endpoint, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PushSubscriptions.Where(s => s.HouseholdId == householdId && s.Endpoint == endpoint).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<int> DeviceCountAsync(long householdId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PushSubscriptions.CountAsync(s => s.HouseholdId == householdId, cancellationToken);
    }
}
