using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Metering;

/// <summary>A correction waiting for an operator, with whose settlement it would move now.</summary>
/// <param name="Id">The pending correction's id.</param>
/// <param name="Household">The household whose meter it is (name).</param>
/// <param name="MeterId">The meter id as uploaded.</param>
/// <param name="IntervalStart">Interval start, Unix seconds UTC.</param>
/// <param name="InForce">The reading in force now (import, export in Wh); null when the household has none.</param>
/// <param name="ImportWh">The correction's import, Wh.</param>
/// <param name="ExportWh">The correction's export, Wh.</param>
/// <param name="ReceivedAtMs">When it arrived, Unix ms.</param>
/// <param name="Source">Who sent it.</param>
/// <param name="Moves">Each household whose imbalance settlement it would change if confirmed now, by name.</param>
public sealed record PendingCorrectionView(
    long Id, string Household, string MeterId, long IntervalStart, (long ImportWh, long ExportWh)? InForce,
    long ImportWh, long ExportWh, long ReceivedAtMs, string Source, IReadOnlyList<(string Household, SettlementMove Move)> Moves);

/// <summary>A decided correction, for the audit list.</summary>
public sealed record DecidedCorrectionView(
    long Id, string Household, string MeterId, long IntervalStart, long ImportWh, long ExportWh, CorrectionDecision Decision, string DecidedBy, string? Reason, long DecidedAtMs);

public enum ReviewOutcome
{
    /// <summary>Decided now.</summary>
    Done,

    /// <summary>No correction with that id.</summary>
    NotFound,

    /// <summary>It was decided before (confirmed, rejected or superseded); nothing changed.</summary>
    AlreadyDecided,

    /// <summary>A rejection needs a reason of 1 to 500 characters; nothing changed.</summary>
    ReasonRequired,

    /// <summary>A reading of the same meter and interval was stored at the same moment; nothing changed, try again.</summary>
    TryAgain,
}

/// <summary>What a confirmation or rejection did.</summary>
/// <param name="Outcome">Whether it was decided now.</param>
/// <param name="Decision">The correction's decision (now or before); null when not found or nothing changed.</param>
/// <param name="Reconciled">The reconciliations a confirmation sealed.</param>
public sealed record ReviewResult(ReviewOutcome Outcome, CorrectionDecision? Decision, IReadOnlyList<IntervalReconciled> Reconciled);

/// <summary>
/// Operators confirm or reject the corrections that wait (docs/adr/0021). A confirmation stores the correction as the
/// reading's next version and reconciles, so it is sealed as any correction; a rejection records the reason and the
/// correction is never sealed. Each is one row in the append-only <c>CorrectionDecisions</c>, keyed by the correction,
/// in the same transaction as the reading: a second confirmation, from another tab or node, changes nothing.
/// </summary>
public sealed class CorrectionReview(IDbContextFactory<MarketDbContext> dbFactory, RulesBook rules, ReconciliationService reconciliation, TimeProvider time)
{
    /// <summary>Longest rejection reason, in characters.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>Corrections nobody has decided yet.</summary>
    internal static IQueryable<PendingCorrectionEntity> Undecided(MarketDbContext db) =>
        db.PendingCorrections.AsNoTracking().Where(c => !db.CorrectionDecisions.Any(d => d.PendingCorrectionId == c.Id));

    /// <summary>Every correction that waits, oldest first, with its effect if it were confirmed now.</summary>
    public async Task<IReadOnlyList<PendingCorrectionView>> PendingAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var waiting = await Undecided(db).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        if (waiting.Count == 0)
        {
            return [];
        }

        var candidates = waiting.Select(c => new MeterReadingEntity
        {
            HouseholdId = c.HouseholdId, MeterId = c.MeterId, IntervalStart = c.IntervalStart, ImportWh = c.ImportWh, ExportWh = c.ExportWh,
        }).ToList();
        var moves = await CorrectionEffects.ComputeAsync(db, rules, candidates, cancellationToken);
        var ids = moves.SelectMany(m => m.Select(x => x.HouseholdId)).Concat(waiting.Select(c => c.HouseholdId)).Distinct().ToList();
        var names = await db.Households.AsNoTracking().Where(h => ids.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.Name, cancellationToken);
        var starts = waiting.Select(c => c.IntervalStart).Distinct().ToList();
        var inForce = (await db.MeterReadings.AsNoTracking()
            .Where(r => starts.Contains(r.IntervalStart))
            .Select(r => new { r.HouseholdId, r.IntervalStart, r.Version, r.ImportWh, r.ExportWh })
            .ToListAsync(cancellationToken))
            .GroupBy(r => (r.HouseholdId, r.IntervalStart))
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.Version)!);
        return [.. waiting.Select((c, i) => new PendingCorrectionView(
            c.Id, names[c.HouseholdId], c.MeterId, c.IntervalStart,
            inForce.TryGetValue((c.HouseholdId, c.IntervalStart), out var r) ? (r.ImportWh, r.ExportWh) : null,
            c.ImportWh, c.ExportWh, c.ReceivedAtMs, c.Source,
            [.. moves[i].Select(m => (names[m.HouseholdId], m))]))];
    }

    /// <summary>The latest decisions, newest first.</summary>
    public async Task<IReadOnlyList<DecidedCorrectionView>> DecidedAsync(int count, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await (from d in db.CorrectionDecisions.AsNoTracking()
                      join c in db.PendingCorrections.AsNoTracking() on d.PendingCorrectionId equals c.Id
                      join h in db.Households.AsNoTracking() on c.HouseholdId equals h.Id
                      orderby d.DecidedAtMs descending, d.PendingCorrectionId descending
                      select new DecidedCorrectionView(c.Id, h.Name, c.MeterId, c.IntervalStart, c.ImportWh, c.ExportWh, d.Decision, d.UserName, d.Reason, d.DecidedAtMs))
            .Take(count)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Confirms a waiting correction: stores it as the next reading version (unless the reading in force already says
    /// the same) and reconciles what is due, which seals it.
    /// </summary>
    public async Task<ReviewResult> ConfirmAsync(long id, string userId, string userName, CancellationToken cancellationToken = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var correction = await db.PendingCorrections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
            if (correction is null)
            {
                return new ReviewResult(ReviewOutcome.NotFound, null, []);
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var current = await db.MeterReadings.AsNoTracking()
                .Where(r => r.HouseholdId == correction.HouseholdId && r.IntervalStart == correction.IntervalStart)
                .OrderByDescending(r => r.Version)
                .FirstOrDefaultAsync(cancellationToken);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            MeterReadingEntity? reading = null;
            if (current is null || current.ImportWh != correction.ImportWh || current.ExportWh != correction.ExportWh)
            {
                reading = new MeterReadingEntity
                {
                    HouseholdId = correction.HouseholdId, MeterId = correction.MeterId, IntervalStart = correction.IntervalStart,
                    Version = (current?.Version ?? 0) + 1, ImportWh = correction.ImportWh, ExportWh = correction.ExportWh,
                    ReceivedAtMs = correction.ReceivedAtMs, Source = correction.Source,
                };
                db.MeterReadings.Add(reading);
            }

            var decided = await DecideAsync(db, transaction, id, () => new CorrectionDecisionEntity
            {
                PendingCorrectionId = id, Decision = CorrectionDecision.Confirmed, UserId = userId, UserName = Clip(userName, 256),
                ReadingId = reading?.Id, DecidedAtMs = now,
            }, reading is not null, cancellationToken);
            if (decided is not null)
            {
                return decided;
            }
        }

        return new ReviewResult(ReviewOutcome.Done, CorrectionDecision.Confirmed, await reconciliation.ReconcileDueAsync(cancellationToken));
    }

    /// <summary>Rejects a waiting correction with a reason; it is never sealed.</summary>
    public async Task<ReviewResult> RejectAsync(long id, string userId, string userName, string? reason, CancellationToken cancellationToken = default)
    {
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReasonLength)
        {
            return new ReviewResult(ReviewOutcome.ReasonRequired, null, []);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.PendingCorrections.AnyAsync(c => c.Id == id, cancellationToken))
        {
            return new ReviewResult(ReviewOutcome.NotFound, null, []);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        return await DecideAsync(db, transaction, id, () => new CorrectionDecisionEntity
        {
            PendingCorrectionId = id, Decision = CorrectionDecision.Rejected, UserId = userId, UserName = Clip(userName, 256),
            Reason = reason, DecidedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        }, false, cancellationToken) ?? new ReviewResult(ReviewOutcome.Done, CorrectionDecision.Rejected, []);
    }

    /// <summary>Writes the decision (after the reading, whose id it names) and commits; the result when it was decided
    /// before, null when decided now.</summary>
    private static async Task<ReviewResult?> DecideAsync(
        MarketDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, long id, Func<CorrectionDecisionEntity> decision, bool readingFirst, CancellationToken cancellationToken)
    {
        try
        {
            if (await db.CorrectionDecisions.AsNoTracking().SingleOrDefaultAsync(d => d.PendingCorrectionId == id, cancellationToken) is { } before)
            {
                return new ReviewResult(ReviewOutcome.AlreadyDecided, before.Decision, []);
            }

            if (readingFirst)
            {
                await db.SaveChangesAsync(cancellationToken);
            }

            db.CorrectionDecisions.Add(decision());
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException e) when (e.InnerException is DbException)
        {
            // Another confirmation or rejection (or an upload of the same meter) won the race: nothing of this one stays.
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            var winner = await db.CorrectionDecisions.AsNoTracking().SingleOrDefaultAsync(d => d.PendingCorrectionId == id, cancellationToken);
            return new ReviewResult(winner is null ? ReviewOutcome.TryAgain : ReviewOutcome.AlreadyDecided, winner?.Decision, []);
        }
    }

    private static string Clip(string value, int length) => value.Length <= length ? value : value[..length];
}
