using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Demo;

/// <summary>
/// Posts the agent households' orders through <see cref="OrderService"/>, the same validation people's orders go
/// through. Live it runs on the app's clock; the backfill runs it on a simulated one.
/// </summary>
public sealed partial class DemoAgents(
    IDbContextFactory<MarketDbContext> dbFactory,
    DemoCommunity community,
    IOptions<DemoOptions> options,
    IOptions<CommunityOptions> rules,
    DemoDeviceKeys deviceKeys,
    ILogger<DemoAgents> logger)
{
    /// <summary>
    /// Agents never post for a gate closer than this: an order stored while its interval is being cleared would miss
    /// the sealed book. A run covers gates in <c>(now + margin, now + margin + lead]</c>, so runs one lead apart
    /// leave no gap.
    /// </summary>
    public const int MarginSeconds = 30;

    /// <summary>
    /// Posts the orders of every interval whose gate closes within the lead time (after the margin) and that the
    /// agents have not posted for yet. Returns the number of orders stored.
    /// </summary>
    public async Task<int> PostAsync(OrderService orders, MarketClock clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(clock);
        var from = clock.NowSeconds + MarginSeconds;
        var until = from + (options.Value.AgentLeadMinutes * 60L);
        var intervals = new List<long>();
        for (var start = clock.FirstOpenInterval(); clock.GateClosure(start) <= until; start += clock.IntervalSeconds)
        {
            if (clock.GateClosure(start) > from)
            {
                intervals.Add(start);
            }
        }

        if (intervals.Count == 0)
        {
            return 0;
        }

        Dictionary<string, Household> households;
        HashSet<long> posted;
        List<RulesRecord> sealedRules;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            households = await community.HouseholdsAsync(db, cancellationToken);
            sealedRules = await SealedRulesAsync(db, cancellationToken);
            var ids = households.Values.Select(h => h.Id).ToList();
            var (first, last) = (intervals[0], intervals[^1]);
            posted = (await db.Orders.AsNoTracking()
                .Where(o => ids.Contains(o.HouseholdId) && o.IntervalStart >= first && o.IntervalStart <= last)
                .Select(o => o.IntervalStart)
                .Distinct()
                .ToListAsync(cancellationToken)).ToHashSet();
        }

        var batch = intervals
            .Where(s => !posted.Contains(s))
            .SelectMany(s => community.Plan(households, s, clock.IntervalSeconds, Band(sealedRules, s), orders))
            .ToList();
        if (batch.Count == 0)
        {
            return 0;
        }

        // Every agent order is signed by its household's device key, enrolled before its first order.
        await deviceKeys.EnsureEnrolledAsync(households.Values, cancellationToken);
        var signed = await deviceKeys.SignAsync(batch, households.Values.ToDictionary(h => h.Id), clock, cancellationToken);
        var results = await orders.PlaceBatchAsync(signed, cancellationToken);
        var rejected = results.Where(r => !r.Succeeded).ToList();
        if (rejected.Count > 0)
        {
            // Only a gate closing while the batch was on its way can cause this; the strategy stays inside the rules.
            LogRejected(logger, rejected.Count, rejected[0].Error ?? "");
        }

        return results.Count - rejected.Count;
    }

    /// <summary>The rules blocks' records in ledger order: the ledger, not the configuration, is the record of the band.</summary>
    private static async Task<List<RulesRecord>> SealedRulesAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        var leaves = await db.Blocks.AsNoTracking()
            .Where(b => b.Kind == (byte)BlockKind.Rules)
            .Join(db.BlockLeaves.AsNoTracking(), b => b.Height, l => l.BlockHeight, (b, l) => new { b.Height, l.Index, l.Data })
            .OrderBy(x => x.Height).ThenBy(x => x.Index)
            .Select(x => x.Data)
            .ToListAsync(cancellationToken);
        return leaves.Select(l => RulesRecord.Decode(l)).ToList();
    }

    /// <summary>The band of the newest rules in effect at the interval's start; the configured band before any.</summary>
    private PriceBand Band(List<RulesRecord> sealedRules, long intervalStart)
    {
        for (var i = sealedRules.Count - 1; i >= 0; i--)
        {
            if (sealedRules[i].EffectiveFrom <= intervalStart)
            {
                return new PriceBand(sealedRules[i].PriceFloor, sealedRules[i].PriceCeiling);
            }
        }

        return new PriceBand(rules.Value.PriceFloor, rules.Value.PriceCeiling);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} agent orders were rejected, e.g. {Error}")]
    private static partial void LogRejected(ILogger logger, int count, string error);
}
