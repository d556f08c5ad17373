using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>One of a household's trades, from its own side.</summary>
/// <param name="Id">The trade's id in the ledger.</param>
/// <param name="IntervalStart">Unix seconds UTC.</param>
/// <param name="Side">Bought or sold.</param>
/// <param name="EnergyWh">Energy traded, Wh.</param>
/// <param name="Price">The household's own price: the buyer's or, for a sale, the seller's (they differ under the grid's mechanism).</param>
/// <param name="Amount">What the household paid or, for a sale, received, 1/10,000 of the currency.</param>
/// <param name="Counterparty">The other household's pseudonym.</param>
/// <param name="BlockHeight">The block that sealed the trade.</param>
/// <param name="Grid">Both sides' prices and the network fee, for a trade cleared under the grid's mechanism; null otherwise.</param>
public sealed record MyTrade(long Id, long IntervalStart, OrderSide Side, long EnergyWh, long Price, long Amount, byte[] Counterparty, long BlockHeight, TradeGridPrices? Grid = null);

/// <summary>The prices of a trade cleared under the grid's mechanism, each 1/10,000 of the currency per kWh.</summary>
/// <param name="BuyPrice">The buyer's zone price: what the buyer paid.</param>
/// <param name="SellPrice">The seller's zone price: what the seller received.</param>
/// <param name="FeePrice">The network fee of the trade's path; <c>BuyPrice − SellPrice − FeePrice</c> is the congestion rent.</param>
public sealed record TradeGridPrices(long BuyPrice, long SellPrice, long FeePrice);

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
            .ToListAsync(cancellationToken);
        var others = rows.Select(r => r.BuyerHouseholdId == householdId ? r.SellerHouseholdId : r.BuyerHouseholdId).Distinct().ToList();
        var pseudonyms = await db.Households.AsNoTracking().Where(h => others.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.Pseudonym, cancellationToken);
        return rows.Select(r => Mine(r, householdId, pseudonyms)).ToList();
    }

    /// <summary>
    /// A page of the household's orders matching <paramref name="filter"/>, newest delivery interval first (then
    /// newest id), after <paramref name="after"/> (from the start when null); at most <paramref name="limit"/> rows.
    /// </summary>
    public async Task<ListPage<OrderEntity>> OrdersPageAsync(long householdId, OrderFilter filter, PageCursor? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Orders.AsNoTracking().Where(o => o.HouseholdId == householdId);
        if (filter.Statuses is { } statuses)
        {
            var list = statuses.ToList();
            query = query.Where(o => list.Contains(o.Status));
        }

        if (filter.Side is { } side)
        {
            query = query.Where(o => o.Side == side);
        }

        if (after is { } c)
        {
            query = query.Where(o => o.IntervalStart < c.IntervalStart || (o.IntervalStart == c.IntervalStart && o.Id < c.Id));
        }

        var rows = await query.OrderByDescending(o => o.IntervalStart).ThenByDescending(o => o.Id).Take(limit + 1).ToListAsync(cancellationToken);
        return Cut(rows, limit, o => new PageCursor(o.IntervalStart, o.Id));
    }

    /// <summary>
    /// A page of the household's trades, newest delivery interval first (then newest id), on <paramref name="side"/>
    /// (both when null: bought is the household as buyer), after <paramref name="after"/>; at most <paramref name="limit"/>.
    /// </summary>
    public async Task<ListPage<MyTrade>> TradesPageAsync(long householdId, OrderSide? side, PageCursor? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = side switch
        {
            OrderSide.Buy => db.Trades.AsNoTracking().Where(t => t.BuyerHouseholdId == householdId),
            OrderSide.Sell => db.Trades.AsNoTracking().Where(t => t.SellerHouseholdId == householdId),
            _ => db.Trades.AsNoTracking().Where(t => t.BuyerHouseholdId == householdId || t.SellerHouseholdId == householdId),
        };
        if (after is { } c)
        {
            query = query.Where(t => t.IntervalStart < c.IntervalStart || (t.IntervalStart == c.IntervalStart && t.Id < c.Id));
        }

        var rows = await query.OrderByDescending(t => t.IntervalStart).ThenByDescending(t => t.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var page = Cut(rows, limit, t => new PageCursor(t.IntervalStart, t.Id));
        var others = page.Items.Select(r => r.BuyerHouseholdId == householdId ? r.SellerHouseholdId : r.BuyerHouseholdId).Distinct().ToList();
        var pseudonyms = await db.Households.AsNoTracking().Where(h => others.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.Pseudonym, cancellationToken);
        var trades = page.Items.Select(r => Mine(r, householdId, pseudonyms)).ToList();
        return new ListPage<MyTrade>(trades, page.Next);
    }

    /// <summary>A trade from the household's side: a seller's own price and amount are the seller's (under the grid's mechanism the buyer pays more).</summary>
    private static MyTrade Mine(TradeEntity t, long householdId, Dictionary<long, byte[]> pseudonyms)
    {
        var buying = t.BuyerHouseholdId == householdId;
        return new MyTrade(t.Id, t.IntervalStart, buying ? OrderSide.Buy : OrderSide.Sell, t.EnergyWh,
            buying ? t.Price : t.SellPrice, buying ? t.Amount : t.SellAmount,
            pseudonyms[buying ? t.SellerHouseholdId : t.BuyerHouseholdId], t.BlockHeight,
            t.MeetNode is null ? null : new TradeGridPrices(t.Price, t.SellPrice, t.FeePrice));
    }

    /// <summary>
    /// What the grid's clearing stored about the given orders' intervals: for each order a line cut
    /// (<see cref="OrderEntity.LimitingNode"/>), that line's row in its interval, and every grid interval's length.
    /// Keyed by order id; orders cleared otherwise are absent.
    /// </summary>
    public async Task<Dictionary<long, OrderGridFacts>> GridFactsAsync(IReadOnlyCollection<OrderEntity> orders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var zoned = orders.Where(o => o.ZonePrice is not null).ToList();
        if (zoned.Count == 0)
        {
            return [];
        }

        var starts = zoned.Select(o => o.IntervalStart).Distinct().ToList();
        var nodes = zoned.Where(o => o.LimitingNode is not null).Select(o => o.LimitingNode!.Value).Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lengths = await db.ClearedIntervals.AsNoTracking().Where(c => starts.Contains(c.IntervalStart))
            .ToDictionaryAsync(c => c.IntervalStart, c => c.IntervalEnd - c.IntervalStart, cancellationToken);
        var lines = nodes.Count == 0
            ? []
            : await db.GridNodeResults.AsNoTracking().Where(n => starts.Contains(n.IntervalStart) && nodes.Contains(n.Node)).ToListAsync(cancellationToken);
        var byKey = lines.ToDictionary(n => (n.IntervalStart, n.Node));
        return zoned.ToDictionary(o => o.Id, o => new OrderGridFacts(
            o.LimitingNode is int node && byKey.TryGetValue((o.IntervalStart, node), out var line) ? line : null,
            lengths.GetValueOrDefault(o.IntervalStart)));
    }

    /// <summary>The first <paramref name="limit"/> rows, and a cursor after the last of them when one more row was read.</summary>
    private static ListPage<T> Cut<T>(List<T> rows, int limit, Func<T, PageCursor> position) =>
        rows.Count > limit ? new ListPage<T>(rows.GetRange(0, limit), position(rows[limit - 1])) : new ListPage<T>(rows, null);

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
