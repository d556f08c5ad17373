using Microsoft.EntityFrameworkCore;

namespace Market.Web.Metering;

/// <summary>A meter gateway's account and the meters assigned to it.</summary>
/// <param name="UserId">The gateway's user id.</param>
/// <param name="UserName">Its user name (how operators and the API name it).</param>
/// <param name="Meters">Its meters, by meter id, with the household's name.</param>
public sealed record GatewayView(string UserId, string UserName, IReadOnlyList<(string MeterId, string Household)> Meters);

/// <summary>The outcome of replacing a gateway's meters: done, or why nothing changed.</summary>
/// <param name="Found">Whether the gateway exists (a user with the MeterGateway role).</param>
/// <param name="UnknownMeters">Meter ids no household has; nothing changed when there are any.</param>
/// <param name="Moved">Meters that were another gateway's until now.</param>
public sealed record GatewayAssignmentResult(bool Found, IReadOnlyList<string> UnknownMeters, IReadOnlyList<string> Moved)
{
    public bool Succeeded => Found && UnknownMeters.Count == 0;
}

/// <summary>
/// Which meters each meter gateway may send readings for (docs/adr/0021). Operators manage it; a meter is read
/// through at most one gateway, so assigning it to another moves it. Operators themselves may send any meter.
/// </summary>
public sealed class GatewayMeters(IDbContextFactory<MarketDbContext> dbFactory, TimeProvider time)
{
    /// <summary>Most meters one request may assign to a gateway.</summary>
    public const int MaxMeters = 100_000;

    /// <summary>Every gateway account with its meters, by user name.</summary>
    public async Task<IReadOnlyList<GatewayView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var gateways = await GatewaysQuery(db).OrderBy(u => u.UserName).Select(u => new { u.Id, u.UserName }).ToListAsync(cancellationToken);
        var meters = (await (from a in db.MeterGatewayMeters.AsNoTracking()
                             join h in db.Households.AsNoTracking() on a.HouseholdId equals h.Id
                             orderby h.MeterId
                             select new { a.GatewayUserId, h.MeterId, h.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(m => m.GatewayUserId);
        return [.. gateways.Select(g => new GatewayView(g.Id, g.UserName ?? g.Id, [.. meters[g.Id].Select(m => (m.MeterId!, m.Name))]))];
    }

    /// <summary>How many households have a meter that no gateway reads (only operators can send their readings).</summary>
    public async Task<int> UnassignedCountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Households.CountAsync(h => h.MeterId != null && !db.MeterGatewayMeters.Any(a => a.HouseholdId == h.Id), cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="meterIds"/> exactly the meters of the gateway named <paramref name="gatewayUserName"/>,
    /// all or nothing; meters another gateway had move to this one.
    /// </summary>
    public async Task<GatewayAssignmentResult> ReplaceAsync(string gatewayUserName, IEnumerable<string> meterIds, string operatorName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(meterIds);
        var wanted = meterIds.Select(m => m.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var gateway = await GatewaysQuery(db).Where(u => u.UserName == gatewayUserName).Select(u => u.Id).SingleOrDefaultAsync(cancellationToken);
        if (gateway is null)
        {
            return new GatewayAssignmentResult(false, [], []);
        }

        var households = await db.Households.AsNoTracking()
            .Where(h => h.MeterId != null && wanted.Contains(h.MeterId))
            .ToDictionaryAsync(h => h.MeterId!, h => h.Id, StringComparer.Ordinal, cancellationToken);
        var unknown = wanted.Where(m => !households.ContainsKey(m)).ToList();
        if (unknown.Count > 0)
        {
            return new GatewayAssignmentResult(true, unknown, []);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = households.Values.ToList();
        var existing = await db.MeterGatewayMeters.Where(a => a.GatewayUserId == gateway || ids.Contains(a.HouseholdId)).ToListAsync(cancellationToken);
        var meterOf = households.ToDictionary(kv => kv.Value, kv => kv.Key);
        var moved = existing.Where(a => a.GatewayUserId != gateway).Select(a => meterOf[a.HouseholdId]).Order(StringComparer.Ordinal).ToList();
        var keep = existing.Where(a => a.GatewayUserId == gateway && meterOf.ContainsKey(a.HouseholdId)).Select(a => a.HouseholdId).ToHashSet();
        db.MeterGatewayMeters.RemoveRange(existing.Where(a => !keep.Contains(a.HouseholdId) || a.GatewayUserId != gateway));
        await db.SaveChangesAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        db.MeterGatewayMeters.AddRange(ids.Where(id => !keep.Contains(id)).Select(id => new MeterGatewayMeterEntity
        {
            GatewayUserId = gateway, HouseholdId = id, AssignedBy = operatorName.Length <= 256 ? operatorName : operatorName[..256], AssignedAtMs = now,
        }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new GatewayAssignmentResult(true, [], moved);
    }

    private static IQueryable<MarketUser> GatewaysQuery(MarketDbContext db) =>
        from u in db.Users.AsNoTracking()
        where db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.MeterGateway))
        select u;
}
