using Market.Matching.Settlement;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Metering;

/// <summary>
/// One household's settled interval: the latest reconciliation version and the household's outcome in it, and, when
/// that version corrected an earlier one the household was part of, its outcome in the version before.
/// </summary>
public sealed record SettledInterval(long IntervalStart, int Version, HouseholdReconciliation Outcome, HouseholdReconciliation? Previous = null);

/// <summary>
/// The community's aggregate for one cleared interval, as a utility or network operator sees it. Energy in Wh, money
/// in 1/10,000 of the currency. Metered and imbalance figures are those of the latest reconciliation version; they are
/// zero while <see cref="Version"/> is null (not reconciled yet).
/// </summary>
public sealed record CommunityInterval(
    long IntervalStart,
    int? Version,
    int Households,
    long ImportWh,
    long ExportWh,
    long TradedWh,
    long NettedWh,
    long BoughtFromUtilityWh,
    long BoughtFromUtilityAmount,
    long SoldToUtilityWh,
    long SoldToUtilityAmount)
{
    public bool Reconciled => Version is not null;

    /// <summary>Energy the utility delivered minus what it took, Wh (negative: the community exported on balance).</summary>
    public long NetFromUtilityWh => BoughtFromUtilityWh - SoldToUtilityWh;
}

/// <summary>A household that traded in an interval which has ended and has no reading from it yet.</summary>
public sealed record MissingReading(long IntervalStart, string MeterId, string Household, long HouseholdId = 0);

/// <summary>
/// What keeps intervals from being reconciled: the first <see cref="Missing"/> rows, oldest first, of
/// <see cref="Total"/> missing readings over <see cref="Intervals"/> intervals (counted up to
/// <see cref="SettlementQueries.MissingCap"/>; <see cref="Capped"/> when there were more).
/// </summary>
public sealed record ReadingsWaiting(IReadOnlyList<MissingReading> Missing, int Total, int Intervals, bool Capped);

/// <summary>
/// Reads settled reconciliations back from the stored imbalance postings (the rows <see cref="ReconciliationService"/>
/// writes with each version) and the readings that version used; the local/grid split comes from
/// <see cref="HouseholdReconciliation.FromSettled"/>, the same code that <see cref="Reconciliation.Reconcile"/> uses.
/// </summary>
public sealed class SettlementQueries(IDbContextFactory<MarketDbContext> dbFactory, RulesBook rules)
{
    /// <summary>A household's reconciled intervals in <c>[from, to)</c> (Unix seconds), oldest first.</summary>
    public async Task<IReadOnlyList<SettledInterval>> HouseholdAsync(long householdId, long from, long to, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latest = await LatestAsync(db, from, to, cancellationToken);
        if (latest.Count == 0)
        {
            return [];
        }

        var readings = await db.MeterReadings.AsNoTracking()
            .Where(r => r.HouseholdId == householdId && r.IntervalStart >= from && r.IntervalStart < to)
            .Select(r => new { r.Id, r.IntervalStart, r.Version, r.ImportWh, r.ExportWh })
            .ToListAsync(cancellationToken);
        var trades = await db.Trades.AsNoTracking()
            .Where(t => (t.BuyerHouseholdId == householdId || t.SellerHouseholdId == householdId) && t.IntervalStart >= from && t.IntervalStart < to)
            .Select(t => new { t.IntervalStart, t.BuyerHouseholdId, t.SellerHouseholdId, t.EnergyWh, t.Amount })
            .ToListAsync(cancellationToken);
        var postings = await db.ImbalancePostings.AsNoTracking()
            .Where(p => p.HouseholdId == householdId && p.IntervalStart >= from && p.IntervalStart < to && !p.Reversal)
            .Select(p => new { p.IntervalStart, p.Version, p.Kind, p.EnergyWh, p.Amount })
            .ToListAsync(cancellationToken);

        // The household's outcome under one version: the reading that version used (the newest one stored before it
        // was sealed) and that version's postings. None: the household neither traded nor sent a reading by then, so
        // it had no part in that version.
        HouseholdReconciliation? Outcome(long start, int version, long lastReadingId)
        {
            var reading = readings.Where(r => r.IntervalStart == start && r.Id <= lastReadingId).MaxBy(r => r.Version);
            if (reading is null)
            {
                return null;
            }

            long sold = 0, bought = 0, soldAmount = 0, boughtAmount = 0;
            foreach (var t in trades.Where(t => t.IntervalStart == start))
            {
                if (t.SellerHouseholdId == householdId)
                {
                    sold = checked(sold + t.EnergyWh);
                    soldAmount = checked(soldAmount + t.Amount);
                }

                if (t.BuyerHouseholdId == householdId)
                {
                    bought = checked(bought + t.EnergyWh);
                    boughtAmount = checked(boughtAmount + t.Amount);
                }
            }

            // Rows as ReconciliationService writes them: the payer's side has energy > 0 and amount < 0, the payee's
            // side the opposite.
            EnergyAmount covered = default, fromUtility = default, provided = default, toUtility = default;
            foreach (var p in postings.Where(p => p.IntervalStart == start && p.Version == version))
            {
                var received = new EnergyAmount(Math.Abs(p.EnergyWh), Math.Abs(p.Amount));
                switch ((PostingKind)p.Kind, p.EnergyWh > 0)
                {
                    case (PostingKind.NeighbourCover, true): covered = Add(covered, received); break;
                    case (PostingKind.NeighbourCover, false): provided = Add(provided, received); break;
                    case (PostingKind.UtilityPurchase, _): fromUtility = Add(fromUtility, received); break;
                    case (PostingKind.UtilityFeedIn, _): toUtility = Add(toUtility, received); break;
                    default: throw new InvalidOperationException($"unknown imbalance posting kind {p.Kind}");
                }
            }

            var inEffect = rules.At(start);
            var position = new HouseholdPosition(sold, bought, soldAmount, boughtAmount, reading.ExportWh, reading.ImportWh);
            return HouseholdReconciliation.FromSettled(0, position, new IntervalPrices(null, inEffect.PriceCeiling, inEffect.PriceFloor), covered, fromUtility, provided, toUtility);
        }

        var result = new List<SettledInterval>();
        foreach (var (start, l) in latest.OrderBy(l => l.Key))
        {
            if (Outcome(start, l.Version, l.LastReadingId) is { } outcome)
            {
                var previous = l.PreviousLastReadingId is { } before ? Outcome(start, l.Version - 1, before) : null;
                result.Add(new SettledInterval(start, l.Version, outcome, previous));
            }
        }

        return result;
    }

    /// <summary>The community's cleared intervals in <c>[from, to)</c>, oldest first, with their latest reconciliation.</summary>
    public async Task<IReadOnlyList<CommunityInterval>> CommunityAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var cleared = await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= from && c.IntervalStart < to)
            .OrderBy(c => c.IntervalStart)
            .Select(c => new { c.IntervalStart, c.VolumeWh })
            .ToListAsync(cancellationToken);
        var latest = await LatestAsync(db, from, to, cancellationToken);
        var readings = await db.MeterReadings.AsNoTracking()
            .Where(r => r.IntervalStart >= from && r.IntervalStart < to)
            .Select(r => new { r.Id, r.IntervalStart, r.HouseholdId, r.Version, r.ImportWh, r.ExportWh })
            .ToListAsync(cancellationToken);
        var used = readings
            .Where(r => latest.TryGetValue(r.IntervalStart, out var l) && r.Id <= l.LastReadingId)
            .GroupBy(r => (r.IntervalStart, r.HouseholdId))
            .Select(g => g.MaxBy(r => r.Version)!)
            .GroupBy(r => r.IntervalStart)
            .ToDictionary(g => g.Key, g => (Households: g.Count(), Import: g.Sum(r => r.ImportWh), Export: g.Sum(r => r.ExportWh)));

        // The household side of every posting (the utility's side has no household): cover once from its payer.
        var postings = await db.ImbalancePostings.AsNoTracking()
            .Where(p => p.IntervalStart >= from && p.IntervalStart < to && !p.Reversal && p.HouseholdId != null && (p.Kind != (byte)PostingKind.NeighbourCover || p.EnergyWh > 0))
            .GroupBy(p => new { p.IntervalStart, p.Version, p.Kind })
            .Select(g => new { g.Key.IntervalStart, g.Key.Version, g.Key.Kind, EnergyWh = g.Sum(p => p.EnergyWh), Amount = g.Sum(p => p.Amount) })
            .ToListAsync(cancellationToken);

        return cleared.Select(c =>
            {
                if (!latest.TryGetValue(c.IntervalStart, out var l))
                {
                    return new CommunityInterval(c.IntervalStart, null, 0, 0, 0, c.VolumeWh, 0, 0, 0, 0, 0);
                }

                var m = used.GetValueOrDefault(c.IntervalStart);
                var own = postings.Where(p => p.IntervalStart == c.IntervalStart && p.Version == l.Version).ToList();
                var cover = own.Where(p => p.Kind == (byte)PostingKind.NeighbourCover).Sum(p => p.EnergyWh);
                var purchase = own.Where(p => p.Kind == (byte)PostingKind.UtilityPurchase).ToList();
                var feedIn = own.Where(p => p.Kind == (byte)PostingKind.UtilityFeedIn).ToList();
                return new CommunityInterval(c.IntervalStart, l.Version, m.Households, m.Import, m.Export, c.VolumeWh, cover,
                    purchase.Sum(p => p.EnergyWh), -purchase.Sum(p => p.Amount), -feedIn.Sum(p => p.EnergyWh), feedIn.Sum(p => p.Amount));
            })
            .ToList();
    }

    /// <summary>Most missing readings counted by <see cref="WaitingForReadingsAsync"/>.</summary>
    public const int MissingCap = 10_000;

    /// <summary>How far back the operators' page and its template look for missing readings, days.</summary>
    public const int WaitingWindowDays = 31;

    /// <summary>
    /// The readings an interval waits for: households that traded in a cleared interval starting in
    /// <c>[from, now)</c> that has ended, is not reconciled, and has no reading from them. The first
    /// <paramref name="limit"/> come with their meter and household; all of them (up to <see cref="MissingCap"/>)
    /// are counted.
    /// </summary>
    public async Task<ReadingsWaiting> WaitingForReadingsAsync(long from, long now, int limit, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trades = db.Trades.AsNoTracking()
            .Where(t => t.IntervalStart >= from && t.IntervalStart < now && !db.Reconciliations.Any(r => r.IntervalStart == t.IntervalStart));
        var pairs = await trades.Select(t => new { t.IntervalStart, HouseholdId = t.SellerHouseholdId })
            .Union(trades.Select(t => new { t.IntervalStart, HouseholdId = t.BuyerHouseholdId }))
            .Where(x => !db.MeterReadings.Any(r => r.HouseholdId == x.HouseholdId && r.IntervalStart == x.IntervalStart))
            .OrderBy(x => x.IntervalStart).ThenBy(x => x.HouseholdId)
            .Take(MissingCap + 1)
            .ToListAsync(cancellationToken);
        var capped = pairs.Count > MissingCap;
        // Delivery has to be over before a meter can report it.
        var ended = pairs.Take(MissingCap).Where(p => checked(p.IntervalStart + rules.At(p.IntervalStart).IntervalLengthSeconds) <= now).ToList();
        var shown = ended.Take(limit).ToList();
        var ids = shown.Select(p => p.HouseholdId).Distinct().ToList();
        var households = await db.Households.AsNoTracking()
            .Where(h => ids.Contains(h.Id))
            .Select(h => new { h.Id, h.MeterId, h.Name })
            .ToDictionaryAsync(h => h.Id, cancellationToken);
        return new ReadingsWaiting(
            [.. shown.Select(p => new MissingReading(p.IntervalStart, households[p.HouseholdId].MeterId ?? "", households[p.HouseholdId].Name, p.HouseholdId))],
            ended.Count,
            ended.Select(p => p.IntervalStart).Distinct().Count(),
            capped);
    }

    /// <summary>
    /// The rows of a file that fills in what <see cref="WaitingForReadingsAsync"/> finds missing and uploads without a
    /// gap: for each meter, every cleared interval from its first to its last missing reading that has no reading of
    /// it yet, oldest first per meter.
    /// </summary>
    public async Task<IReadOnlyList<MissingReading>> MissingTemplateAsync(long from, long now, CancellationToken cancellationToken = default)
    {
        var waiting = await WaitingForReadingsAsync(from, now, MissingCap, cancellationToken);
        if (waiting.Missing.Count == 0)
        {
            return [];
        }

        var (first, last) = (waiting.Missing.Min(m => m.IntervalStart), waiting.Missing.Max(m => m.IntervalStart));
        var ids = waiting.Missing.Select(m => m.HouseholdId).Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await StoredMeterReadings.ReadIntervalsAsync(db, ids, first, last, cancellationToken);
        var cleared = (await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= first && c.IntervalStart <= last)
            .Select(c => c.IntervalStart)
            .ToListAsync(cancellationToken))
            .Order()
            .ToList();
        var rows = new List<MissingReading>();
        foreach (var meter in waiting.Missing.GroupBy(m => m.HouseholdId).OrderBy(g => g.First().MeterId, StringComparer.Ordinal))
        {
            var (start, end, any) = (meter.Min(m => m.IntervalStart), meter.Max(m => m.IntervalStart), meter.First());
            rows.AddRange(cleared
                .Where(c => c >= start && c <= end && !stored.Contains((meter.Key, c)))
                .Select(c => any with { IntervalStart = c }));
        }

        return rows;
    }

    /// <summary>
    /// Latest reconciliation version per interval in the range, the newest reading it took into account, and that of
    /// the version before it (null for version 1).
    /// </summary>
    private static async Task<Dictionary<long, (int Version, long LastReadingId, long? PreviousLastReadingId)>> LatestAsync(MarketDbContext db, long from, long to, CancellationToken cancellationToken)
    {
        var rows = await db.Reconciliations.AsNoTracking()
            .Where(r => r.IntervalStart >= from && r.IntervalStart < to)
            .Select(r => new { r.IntervalStart, r.Version, r.LastReadingId })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.IntervalStart)
            .ToDictionary(g => g.Key, g =>
            {
                var last = g.MaxBy(r => r.Version)!;
                var before = g.SingleOrDefault(r => r.Version == last.Version - 1);
                return (last.Version, last.LastReadingId, before?.LastReadingId);
            });
    }

    private static EnergyAmount Add(EnergyAmount a, EnergyAmount b) => new(checked(a.EnergyWh + b.EnergyWh), checked(a.Amount + b.Amount));
}
