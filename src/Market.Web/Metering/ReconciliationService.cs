using Market.Ledger;
using Market.Matching.Settlement;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Metering;

/// <summary>A reconciliation this node sealed.</summary>
public sealed record IntervalReconciled(long IntervalStart, int Version, long BlockHeight, int Households, int Postings);

/// <summary>
/// Reconciles cleared intervals once their readings are in (rules: docs/settlement.md): an interval is due when every
/// household that traded in it has a reading and a reading is newer than its latest reconciliation. Households that
/// neither traded nor sent a reading are left out; a reading that arrives for one later is a correction and seals
/// the next version. Each reconciliation seals a block (kind 5) and writes its imbalance postings in one transaction
/// under the ledger lock; a new version first reverses the previous version's postings.
/// </summary>
public sealed partial class ReconciliationService(
    IDbContextFactory<MarketDbContext> dbFactory,
    MarketClock clock,
    LedgerWriter ledger,
    LedgerGate gate,
    RulesBook rules,
    ILogger<ReconciliationService> logger)
{
    /// <summary>Reconciles every due interval, oldest first, through the ledger gate; returns what this call sealed.</summary>
    public Task<IReadOnlyList<IntervalReconciled>> ReconcileDueAsync(CancellationToken cancellationToken = default) =>
        gate.SealAsync<IReadOnlyList<IntervalReconciled>>(async () =>
        {
            var sealedNow = new List<IntervalReconciled>();
            foreach (var start in await DueIntervalsAsync(cancellationToken))
            {
                if (await ReconcileIntervalAsync(start, cancellationToken) is { } done)
                {
                    sealedNow.Add(done);
                }
            }

            return sealedNow;
        }, cancellationToken);

    /// <summary>Cleared intervals with a reading newer than their latest reconciliation (or none yet).</summary>
    private async Task<List<long>> DueIntervalsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var newest = await db.MeterReadings.AsNoTracking()
            .GroupBy(r => r.IntervalStart)
            .Select(g => new { Start = g.Key, MaxId = g.Max(r => r.Id) })
            .ToListAsync(cancellationToken);
        var reconciled = await db.Reconciliations.AsNoTracking()
            .GroupBy(r => r.IntervalStart)
            .Select(g => new { Start = g.Key, Last = g.Max(r => r.LastReadingId) })
            .ToDictionaryAsync(r => r.Start, r => r.Last, cancellationToken);
        var cleared = (await db.ClearedIntervals.AsNoTracking().Select(c => c.IntervalStart).ToListAsync(cancellationToken)).ToHashSet();
        return newest
            .Where(n => cleared.Contains(n.Start) && (!reconciled.TryGetValue(n.Start, out var last) || last < n.MaxId))
            .Select(n => n.Start)
            .Order()
            .ToList();
    }

    private async Task<IntervalReconciled?> ReconcileIntervalAsync(long start, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LedgerLock.AcquireAsync(db, cancellationToken);

        // Under the lock: what another node sealed meanwhile is visible now.
        var previous = await db.Reconciliations.AsNoTracking()
            .Where(r => r.IntervalStart == start)
            .OrderByDescending(r => r.Version)
            .FirstOrDefaultAsync(cancellationToken);
        var interval = await IntervalSettlement.LoadAsync(db, rules, start, cancellationToken);
        var lastReadingId = interval.LastReadingId;
        if (previous is not null && previous.LastReadingId >= lastReadingId)
        {
            return null;
        }

        var missing = interval.MissingReadings;
        if (missing > 0)
        {
            LogWaiting(logger, start, missing);
            return null;
        }

        var pseudonyms = await interval.PseudonymsAsync(db, [], cancellationToken);
        var (households, settledReadings, input, result) = interval.Settle(pseudonyms);
        var (clearingHeader, localPrice, prices) = (interval.ClearingHeader, interval.LocalPrice, interval.Prices);

        var end = clock.Next(start);
        var version = (previous?.Version ?? 0) + 1;
        var coverCounts = new int[households.Length];
        var provideCounts = new int[households.Length];
        foreach (var p in result.Postings.Where(p => p.Kind == PostingKind.NeighbourCover))
        {
            coverCounts[p.Payer]++;
            provideCounts[p.Payee]++;
        }

        // The ledger gets each household's sold and bought energy and a salted commitment to the rest; the opening
        // (salt and record) is stored for the household and authorised auditors (docs/adr/0020).
        static PostingTotal Total(int postings, EnergyAmount e) => new(postings, e.EnergyWh, e.Amount);
        var openings = new ReconciliationOpening[households.Length];
        var leaves = new HouseholdReconciliationLeaf[households.Length];
        for (var i = 0; i < households.Length; i++)
        {
            var r = settledReadings[i];
            var h = result.Households[i];
            var reading = new MeterReading(pseudonyms[households[i]], start, end, r.Version, r.MeterId, r.ExportWh, r.ImportWh);
            openings[i] = ReconciliationOpening.Create(new HouseholdSettlement
            {
                Household = reading.Household,
                IntervalStart = start,
                IntervalEnd = end,
                ReconciliationVersion = version,
                ReadingVersion = r.Version,
                ReadingHash = reading.Hash(),
                ExportWh = r.ExportWh,
                ImportWh = r.ImportWh,
                CoveredByNeighbours = Total(coverCounts[i], h.CoveredByNeighbours),
                ProvidedToNeighbours = Total(provideCounts[i], h.ProvidedToNeighbours),
                BoughtFromUtility = Total(h.BoughtFromUtility.EnergyWh > 0 ? 1 : 0, h.BoughtFromUtility),
                SoldToUtility = Total(h.SoldToUtility.EnergyWh > 0 ? 1 : 0, h.SoldToUtility),
            });
            leaves[i] = new HouseholdReconciliationLeaf
            {
                Household = reading.Household,
                SoldWh = input[i].SoldWh,
                BoughtWh = input[i].BoughtWh,
                Commitment = openings[i].Commitment(),
            };
        }

        var tip = await LedgerWriter.TipAsync(db, cancellationToken);
        var now = clock.Now;
        var sealedAt = now.ToUnixTimeMilliseconds() < tip.LastSealedAtUnixMs ? DateTimeOffset.FromUnixTimeMilliseconds(tip.LastSealedAtUnixMs) : now;
        var summary = ReconciliationSummary.Of(version, Reconciliation.RulesVersion, localPrice, prices.RetailPrice, prices.FeedInTariff, [.. openings.Select(o => o.Settlement)]);
        var block = BlockSealer.SealReconciliation(tip, await ledger.SigningKeyAsync(db, cancellationToken), clearingHeader, summary, leaves, sealedAt);

        // The block and its row through EF Core first: the unique indexes turn a concurrent second sealing into a
        // DbUpdateException before the bulk is written. Leaves and postings (20,000 rows and more for a big
        // community) go set-based, as clearing writes its rows (IntervalWriter).
        db.Blocks.Add(LedgerWriter.ToEntity(block));
        db.Reconciliations.Add(new ReconciliationEntity
        {
            IntervalStart = start,
            Version = version,
            BlockHeight = block.Header.Height,
            LastReadingId = lastReadingId,
            HouseholdCount = households.Length,
            SealedAtMs = block.Header.SealedAtUnixMs,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
        {
            LogLostRace(logger, start, e.InnerException?.Message ?? e.Message);
            return null;
        }

        var rows = new List<ImbalancePostingEntity>(result.Postings.Length * 2);
        long? Account(int account) => account == ImbalancePosting.Utility ? null : households[account];
        foreach (var p in result.Postings)
        {
            // Both sides: the payer gets the energy and pays, the payee gives the energy and is paid.
            rows.Add(new ImbalancePostingEntity
            {
                IntervalStart = start, Version = version, HouseholdId = Account(p.Payer), CounterpartyHouseholdId = Account(p.Payee),
                Kind = (byte)p.Kind, EnergyWh = p.EnergyWh, Amount = -p.Amount,
            });
            rows.Add(new ImbalancePostingEntity
            {
                IntervalStart = start, Version = version, HouseholdId = Account(p.Payee), CounterpartyHouseholdId = Account(p.Payer),
                Kind = (byte)p.Kind, EnergyWh = -p.EnergyWh, Amount = p.Amount,
            });
        }

        var openingRows = openings.Select((o, i) => new ReconciliationOpeningEntity
        {
            IntervalStart = start, Version = version, HouseholdId = households[i], Salt = o.Salt, Record = o.Settlement.Encode(),
        }).ToList();
        await ReconciliationWriter.WriteAsync(db, block, previous?.Version, rows, openingRows, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        LogReconciled(logger, start, version, block.Header.Height, households.Length, result.Postings.Length);
        return new IntervalReconciled(start, version, block.Header.Height, households.Length, result.Postings.Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Interval {Start} waits for readings of {Missing} trading households")]
    private static partial void LogWaiting(ILogger logger, long start, int missing);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled interval {Start}, version {Version}, block {Height}: {Households} households, {Postings} imbalance postings")]
    private static partial void LogReconciled(ILogger logger, long start, int version, long height, int households, int postings);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interval {Start} was reconciled concurrently by another node; this attempt was rolled back ({Reason})")]
    private static partial void LogLostRace(ILogger logger, long start, string reason);
}
