using Market.Ledger;
using Market.Matching.Settlement;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Dashboard;

/// <summary>
/// One local day of the community's delivered energy and money, over its reconciled intervals only (definitions in
/// docs/adr/0028-rules-preview-and-trends.md). Energy in Wh, money in 1/10,000 of the currency.
/// </summary>
/// <param name="Day">The community's local day.</param>
/// <param name="Intervals">Reconciled intervals of the day; the figures cover these only.</param>
/// <param name="ImportWh">What the households' meters drew from the wires.</param>
/// <param name="LocalWh">Of that, what neighbours supplied (traded in the market or netted after delivery): each household's import minus what it bought from the utility.</param>
/// <param name="PaidToNeighbours">What households paid each other: trades and neighbour cover after delivery.</param>
/// <param name="PaidToUtility">What the community paid the utility on balance (retail purchases minus feed-in earnings).</param>
/// <param name="GridOnlyPaidToUtility">What it would have paid with the grid alone: every meter's import at retail minus its export at the feed-in tariff.</param>
public sealed record TrendDay(DateOnly Day, int Intervals, long ImportWh, long LocalWh, long PaidToNeighbours, long PaidToUtility, long GridOnlyPaidToUtility)
{
    /// <summary>Share of the households' import that neighbours supplied, per-mille; null without import.</summary>
    public int? SelfSufficiencyPermille => ImportWh == 0 ? null : (int)(LocalWh * 1000 / ImportWh);

    /// <summary>Money kept in the community: what it paid the utility less than with the grid alone.</summary>
    public long Kept => checked(GridOnlyPaidToUtility - PaidToUtility);
}

/// <summary>The managers' 30-day trends: self-sufficiency and money kept in the community per day, from settled data.</summary>
public sealed class TrendsService(IDbContextFactory<MarketDbContext> dbFactory, RulesBook rules, MarketClock clock)
{
    /// <summary>Days the trends cover, today included.</summary>
    public const int Days = 30;

    /// <summary>The last <see cref="Days"/> local days, oldest first, one row per day (days without reconciled intervals have zeros).</summary>
    public async Task<IReadOnlyList<TrendDay>> DaysAsync(CancellationToken cancellationToken = default)
    {
        var zone = clock.TimeZone;
        var today = DateOnly.FromDateTime(clock.ToLocal(clock.NowSeconds).DateTime);
        var first = today.AddDays(1 - Days);
        var from = Midnight(first, zone);
        var to = Midnight(today.AddDays(1), zone);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        var latest = (await db.Reconciliations.AsNoTracking()
                .Where(r => r.IntervalStart >= from && r.IntervalStart < to)
                .Select(r => new { r.IntervalStart, r.Version, r.LastReadingId })
                .ToListAsync(cancellationToken))
            .GroupBy(r => r.IntervalStart)
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.Version)!);

        // The reading each household's latest reconciliation used: its newest version stored before it was sealed.
        var readings = (await db.MeterReadings.AsNoTracking()
                .Where(r => r.IntervalStart >= from && r.IntervalStart < to)
                .Select(r => new { r.Id, r.IntervalStart, r.HouseholdId, r.Version, r.ImportWh, r.ExportWh })
                .ToListAsync(cancellationToken))
            .Where(r => latest.TryGetValue(r.IntervalStart, out var l) && r.Id <= l.LastReadingId)
            .GroupBy(r => (r.IntervalStart, r.HouseholdId))
            .Select(g => g.MaxBy(r => r.Version)!)
            .ToList();

        var postings = (await db.ImbalancePostings.AsNoTracking()
                .Where(p => p.IntervalStart >= from && p.IntervalStart < to && !p.Reversal && p.HouseholdId != null)
                .Select(p => new { p.IntervalStart, p.Version, p.HouseholdId, p.Kind, p.EnergyWh, p.Amount })
                .ToListAsync(cancellationToken))
            .Where(p => latest.TryGetValue(p.IntervalStart, out var l) && p.Version == l.Version)
            .ToList();
        var boughtFromUtility = postings
            .Where(p => p.Kind == (byte)PostingKind.UtilityPurchase)
            .GroupBy(p => (p.IntervalStart, HouseholdId: p.HouseholdId!.Value))
            .ToDictionary(g => g.Key, g => g.Sum(p => p.EnergyWh));

        var trades = await db.Trades.AsNoTracking()
            .Where(t => t.IntervalStart >= from && t.IntervalStart < to)
            .GroupBy(t => t.IntervalStart)
            .Select(g => new { IntervalStart = g.Key, Amount = g.Sum(t => t.Amount) })
            .ToListAsync(cancellationToken);

        DateOnly Day(long start) => DateOnly.FromDateTime(clock.ToLocal(start).DateTime);
        var days = Enumerable.Range(0, Days).Select(i => first.AddDays(i))
            .ToDictionary(d => d, d => new Accumulator());
        foreach (var start in latest.Keys)
        {
            if (days.TryGetValue(Day(start), out var a))
            {
                a.Intervals++;
            }
        }

        foreach (var r in readings)
        {
            var a = days[Day(r.IntervalStart)];
            var inForce = rules.At(r.IntervalStart);
            var fromUtility = boughtFromUtility.GetValueOrDefault((r.IntervalStart, r.HouseholdId));
            a.Import += r.ImportWh;
            a.Local += r.ImportWh - Math.Min(r.ImportWh, fromUtility);
            a.GridOnly += Money.Amount(r.ImportWh, inForce.PriceCeiling) - Money.Amount(r.ExportWh, inForce.PriceFloor);
        }

        foreach (var p in postings)
        {
            var a = days[Day(p.IntervalStart)];
            switch ((PostingKind)p.Kind)
            {
                // The payer's side of a cover has energy > 0 and amount < 0 (ReconciliationService); count it once.
                case PostingKind.NeighbourCover when p.EnergyWh > 0: a.Neighbours -= p.Amount; break;
                // Purchases are paid (amount < 0), feed-in is earned (amount > 0): together what went to the utility.
                case PostingKind.UtilityPurchase or PostingKind.UtilityFeedIn: a.Utility -= p.Amount; break;
                default: break;
            }
        }

        foreach (var t in trades.Where(t => latest.ContainsKey(t.IntervalStart)))
        {
            days[Day(t.IntervalStart)].Neighbours += t.Amount;
        }

        return [.. days.OrderBy(d => d.Key).Select(d => new TrendDay(d.Key, d.Value.Intervals, d.Value.Import, d.Value.Local, d.Value.Neighbours, d.Value.Utility, d.Value.GridOnly))];
    }

    private static long Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUnixTimeSeconds();
    }

    private sealed class Accumulator
    {
        public int Intervals { get; set; }

        public long Import { get; set; }

        public long Local { get; set; }

        public long Neighbours { get; set; }

        public long Utility { get; set; }

        public long GridOnly { get; set; }
    }
}
