using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>One of a household's trades, from its own side.</summary>
public sealed record MyTrade(long Id, long IntervalStart, OrderSide Side, long EnergyWh, long Price, long Amount, byte[] Counterparty, long BlockHeight);

/// <summary>A cleared interval as shown publicly.</summary>
public sealed record IntervalSummary(long IntervalStart, long? Price, long VolumeWh, int TradeCount);

/// <summary>Read-only queries behind the pages; one context per call.</summary>
public sealed class MarketQueries(IDbContextFactory<MarketDbContext> dbFactory)
{
    public async Task<IReadOnlyList<MyTrade>> TradesOfAsync(long householdId, int take = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Trades.AsNoTracking()
            .Where(t => t.BuyerHouseholdId == householdId || t.SellerHouseholdId == householdId)
            .OrderByDescending(t => t.Id)
            .Take(take)
            .Select(t => new { t.Id, t.IntervalStart, t.BuyerHouseholdId, t.SellerHouseholdId, t.EnergyWh, t.Price, t.Amount, t.BlockHeight })
            .ToListAsync(cancellationToken);
        var others = rows.Select(r => r.BuyerHouseholdId == householdId ? r.SellerHouseholdId : r.BuyerHouseholdId).Distinct().ToList();
        var pseudonyms = await db.Households.AsNoTracking().Where(h => others.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.Pseudonym, cancellationToken);
        return rows.Select(r =>
        {
            var buying = r.BuyerHouseholdId == householdId;
            return new MyTrade(r.Id, r.IntervalStart, buying ? OrderSide.Buy : OrderSide.Sell, r.EnergyWh, r.Price, r.Amount,
                pseudonyms[buying ? r.SellerHouseholdId : r.BuyerHouseholdId], r.BlockHeight);
        }).ToList();
    }

    /// <summary>Sum of the household's postings, in 1/10,000 of the currency.</summary>
    public async Task<long> BalanceOfAsync(long householdId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Postings.Where(p => p.HouseholdId == householdId).SumAsync(p => (long?)p.Amount, cancellationToken) ?? 0;
    }

    /// <summary>The most recent cleared intervals, newest first.</summary>
    public async Task<IReadOnlyList<IntervalSummary>> RecentIntervalsAsync(int take, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ClearedIntervals.AsNoTracking()
            .OrderByDescending(c => c.IntervalStart)
            .Take(take)
            .Select(c => new IntervalSummary(c.IntervalStart, c.Price, c.VolumeWh, c.TradeCount))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The latest uniform clearing price, if any interval has had one.</summary>
    public async Task<IntervalSummary?> LastPricedIntervalAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.Price != null)
            .OrderByDescending(c => c.IntervalStart)
            .Select(c => new IntervalSummary(c.IntervalStart, c.Price, c.VolumeWh, c.TradeCount))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Uniform clearing prices of the given intervals (absent when not cleared or no price).</summary>
    public async Task<Dictionary<long, long>> ClearingPricesAsync(IEnumerable<long> intervalStarts, CancellationToken cancellationToken = default)
    {
        var starts = intervalStarts.Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ClearedIntervals.AsNoTracking()
            .Where(c => starts.Contains(c.IntervalStart) && c.Price != null)
            .ToDictionaryAsync(c => c.IntervalStart, c => c.Price!.Value, cancellationToken);
    }

    /// <summary>Open orders per upcoming interval (count of bids and offers), for the market page.</summary>
    public async Task<Dictionary<long, (int Bids, int Offers)>> OpenBookDepthAsync(long fromStart, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Orders.AsNoTracking()
            .Where(o => o.IntervalStart >= fromStart && o.Status == OrderStatus.Open)
            .GroupBy(o => new { o.IntervalStart, o.Side })
            .Select(g => new { g.Key.IntervalStart, g.Key.Side, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var result = new Dictionary<long, (int Bids, int Offers)>();
        foreach (var r in rows)
        {
            result.TryGetValue(r.IntervalStart, out var d);
            result[r.IntervalStart] = r.Side == OrderSide.Buy ? (d.Bids + r.Count, d.Offers) : (d.Bids, d.Offers + r.Count);
        }

        return result;
    }
}
