using Market.Ledger;
using Market.Replay;
using Market.Matching;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Dashboard;

/// <summary>One cleared interval on the price chart.</summary>
public sealed record IntervalPoint(long Start, long? Price, long VolumeWh, long DemandWh, long SupplyWh, int Trades, int Households);

/// <summary>One local day: how much of the demand posted in the market was met locally, and by how many households.</summary>
public sealed record DayPoint(DateOnly Day, long DemandWh, long LocalWh, int ActiveHouseholds)
{
    /// <summary>Share of posted demand met locally, in per-mille (integer; 1000 = all).</summary>
    public int SelfSufficiencyPermille => DemandWh == 0 ? 0 : (int)(LocalWh * 1000 / DemandWh);
}

/// <summary>How one household fared over the range (pseudonymous).</summary>
public sealed record HouseholdFairness(byte[] Pseudonym, long BenefitMoney, long AskedWh, long FilledWh, int Orders, int MarginalOrPriceLosses)
{
    public int FillRatePermille => AskedWh == 0 ? 0 : (int)(FilledWh * 1000 / AskedWh);
}

/// <summary>The same sealed order book cleared under one mechanism.</summary>
public sealed record MechanismOutcome(Mechanism Mechanism, long? Price, long VolumeWh, int Trades, long BuyersSurplus, long SellersSurplus)
{
    public long TotalSurplus => checked(BuyersSurplus + SellersSurplus);
}

/// <summary>The order book of one interval as sealed: curves, clearing point and a replay under each mechanism.</summary>
public sealed record IntervalBook(
    long Start,
    long OrderBookHeight,
    IReadOnlyList<CurvePoint> Demand,
    IReadOnlyList<CurvePoint> Supply,
    long? Price,
    long VolumeWh,
    IReadOnlyList<MechanismOutcome> Mechanisms);

/// <summary>Figures for the community manager's dashboard. All money and energy stay integers.</summary>
public sealed class DashboardService(IDbContextFactory<MarketDbContext> dbFactory, RulesBook rulesBook, MarketClock clock)
{
    /// <summary>The range ending where orders are still open (everything before has cleared): 24 h ("24h"), 7 ("7d") or 30 days ("30d").</summary>
    public (long From, long To) Window(string range)
    {
        var to = clock.FirstOpenInterval();
        var days = range switch { "7d" => 7, "30d" => 30, _ => 1 };
        return (to - (days * 86400L), to);
    }

    public async Task<IReadOnlyList<IntervalPoint>> IntervalsAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= from && c.IntervalStart < to)
            .OrderBy(c => c.IntervalStart)
            .Select(c => new IntervalPoint(c.IntervalStart, c.Price, c.VolumeWh, c.DemandWh, c.SupplyWh, c.TradeCount, c.ActiveHouseholds))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Per local day (community time zone): demand posted, met locally, and households active.</summary>
    public async Task<IReadOnlyList<DayPoint>> DaysAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        var zone = clock.TimeZone;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var intervals = await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= from && c.IntervalStart < to)
            .Select(c => new { c.IntervalStart, c.DemandWh, c.VolumeWh })
            .ToListAsync(cancellationToken);
        var active = await db.Orders.AsNoTracking()
            .Where(o => o.IntervalStart >= from && o.IntervalStart < to && o.Status != OrderStatus.Cancelled)
            .Select(o => new { o.IntervalStart, o.HouseholdId })
            .Distinct()
            .ToListAsync(cancellationToken);
        DateOnly Day(long s) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(s), zone).DateTime);
        var households = active.GroupBy(a => Day(a.IntervalStart)).ToDictionary(g => g.Key, g => g.Select(a => a.HouseholdId).Distinct().Count());
        return intervals
            .GroupBy(i => Day(i.IntervalStart))
            .OrderBy(g => g.Key)
            .Select(g => new DayPoint(g.Key, g.Sum(i => i.DemandWh), g.Sum(i => i.VolumeWh), households.GetValueOrDefault(g.Key)))
            .ToList();
    }

    /// <summary>Per household over the range: benefit against the grid, fill rate, and orders lost at the margin or on price.</summary>
    public async Task<IReadOnlyList<HouseholdFairness>> FairnessAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trades = await db.Trades.AsNoTracking()
            .Where(t => t.IntervalStart >= from && t.IntervalStart < to)
            .Select(t => new { t.BuyerHouseholdId, t.SellerHouseholdId, t.EnergyWh, t.Amount, t.SellAmount, t.IntervalStart })
            .ToListAsync(cancellationToken);
        var orders = await db.Orders.AsNoTracking()
            .Where(o => o.IntervalStart >= from && o.IntervalStart < to && o.Status != OrderStatus.Open && o.Status != OrderStatus.Cancelled)
            .Select(o => new { o.HouseholdId, o.EnergyWh, o.FilledWh, o.Outcome })
            .ToListAsync(cancellationToken);
        var benefit = new Dictionary<long, long>();
        foreach (var t in trades)
        {
            benefit[t.BuyerHouseholdId] = benefit.GetValueOrDefault(t.BuyerHouseholdId) + Money.Amount(t.EnergyWh, rulesBook.At(t.IntervalStart).PriceCeiling) - t.Amount;
            benefit[t.SellerHouseholdId] = benefit.GetValueOrDefault(t.SellerHouseholdId) + t.SellAmount - Money.Amount(t.EnergyWh, rulesBook.At(t.IntervalStart).PriceFloor);
        }

        var ids = orders.Select(o => o.HouseholdId).Concat(benefit.Keys).Distinct().ToList();
        var pseudonyms = await db.Households.AsNoTracking().Where(h => ids.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.Pseudonym, cancellationToken);
        var lossReasons = new[] { nameof(FillReason.PriceOnWrongSide), nameof(FillReason.MarginalPartialFill) };
        return ids.Select(id =>
            {
                var own = orders.Where(o => o.HouseholdId == id).ToList();
                return new HouseholdFairness(
                    pseudonyms[id],
                    benefit.GetValueOrDefault(id),
                    own.Sum(o => o.EnergyWh),
                    own.Sum(o => o.FilledWh),
                    own.Count,
                    own.Count(o => o.Outcome is not null && lossReasons.Contains(o.Outcome)));
            })
            .OrderByDescending(h => h.BenefitMoney)
            .ToList();
    }

    /// <summary>
    /// Gini coefficient of the households' benefits, in per-mille (0 = shared equally, 1000 = one household gets all).
    /// Negative benefits count as zero.
    /// </summary>
    public static int GiniPermille(IEnumerable<long> values)
    {
        var sorted = values.Select(v => Math.Max(0, v)).Order().ToList();
        var n = sorted.Count;
        var total = sorted.Sum();
        if (n == 0 || total == 0)
        {
            return 0;
        }

        // G = (2 Σ i·x_i) / (n Σ x) − (n + 1) / n, with i = 1..n over ascending x; evaluated in integers.
        Int128 weighted = 0;
        for (var i = 0; i < n; i++)
        {
            weighted += (Int128)(i + 1) * sorted[i];
        }

        var numerator = (2 * weighted) - ((Int128)(n + 1) * total);
        return (int)(numerator * 1000 / ((Int128)n * total));
    }

    /// <summary>The sealed order book of an interval, its curves, and its clearing under every mechanism.</summary>
    public async Task<IntervalBook?> BookAsync(long intervalStart, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var block = await db.Blocks.AsNoTracking()
            .Where(b => b.IntervalStart == intervalStart && b.Kind == (byte)BlockKind.OrderBook)
            .Select(b => new { b.Height })
            .SingleOrDefaultAsync(cancellationToken);
        if (block is null)
        {
            return null;
        }

        var leaves = await db.BlockLeaves.AsNoTracking().Where(l => l.BlockHeight == block.Height).OrderBy(l => l.Index).Select(l => l.Data).ToListAsync(cancellationToken);
        var orders = AuctionOrders.FromLeaves(leaves);
        var outcomes = new List<MechanismOutcome>();
        ClearingResult? uniform = null;
        foreach (var mechanism in new[] { Mechanism.UniformPrice, Mechanism.PayAsBid })
        {
            var result = DoubleAuction.Clear(orders, mechanism);
            uniform ??= result;
            outcomes.Add(Surplus(orders, result));
        }

        return new IntervalBook(intervalStart, block.Height, uniform!.DemandCurve, uniform.SupplyCurve, uniform.Price, uniform.VolumeWh, outcomes);
    }

    /// <summary>Buyers' surplus Σ(limit − price)·q and sellers' Σ(price − limit)·q, in money units.</summary>
    private static MechanismOutcome Surplus(Order[] orders, ClearingResult result)
    {
        long buyers = 0, sellers = 0;
        foreach (var t in result.Trades)
        {
            buyers += Money.Amount(t.EnergyWh, orders[t.BuyIndex].Price) - Money.Amount(t.EnergyWh, t.Price);
            sellers += Money.Amount(t.EnergyWh, t.Price) - Money.Amount(t.EnergyWh, orders[t.SellIndex].Price);
        }

        return new MechanismOutcome(result.Mechanism, result.Price, result.VolumeWh, result.Trades.Length, buyers, sellers);
    }

    public static OrderSide SideOf(Order o) => o.Side == Side.Buy ? OrderSide.Buy : OrderSide.Sell;
}
