using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Accounts;

/// <summary>
/// The household of a user, kept in memory for <see cref="Lifetime"/> so the API does not read it for every order.
/// Saving a household's site on this node (<see cref="AccountService.UpdateSiteAsync"/>) drops the entry at once;
/// another node sees the change within <see cref="Lifetime"/>. Entries are shared: callers must not change them.
/// </summary>
public sealed class HouseholdCache(IDbContextFactory<MarketDbContext> dbFactory, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Entry> _byUser = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>The household of <paramref name="userId"/>, or null when the user has none (not cached).</summary>
    public async Task<Household?> FindAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetTimestamp();
        if (_byUser.TryGetValue(userId, out var entry) && time.GetElapsedTime(entry.LoadedAt, now) < Lifetime)
        {
            return entry.Household;
        }

        var version = Volatile.Read(ref _version);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var household = await db.Households.AsNoTracking().SingleOrDefaultAsync(h => h.UserId == userId, cancellationToken);
        // A save that happened while we read may have dropped the entry already: do not put the old state back.
        if (household is not null && Volatile.Read(ref _version) == version)
        {
            _byUser[userId] = new Entry(household, now);
        }

        return household;
    }

    /// <summary>Drops the cached household of <paramref name="userId"/>: the next order reads the saved site.</summary>
    public void Invalidate(string userId)
    {
        Interlocked.Increment(ref _version);
        _byUser.TryRemove(userId, out _);
    }

    private sealed record Entry(Household Household, long LoadedAt);
}
