using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>
/// One writer of the ledger at a time, across every node sharing the database. Appending a block reads the chain's
/// tip and writes the block after it, so the read must happen under the same lock as the write: call this first in
/// the transaction that appends. The lock ends with the transaction (commit, rollback or a dropped connection).
/// </summary>
internal static class LedgerLock
{
    // Any fixed 64-bit number works as long as every node uses the same one: "MKTLEDGR" in ASCII.
    private const long AdvisoryKey = 0x4D4B_544C_4544_4752;

    /// <summary>Takes the ledger's write lock for the current transaction of <paramref name="db"/>.</summary>
    public static async Task AcquireAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The ledger lock belongs to a transaction; begin one first.");
        }

        if (db.Database.IsNpgsql())
        {
            // Waits for the node holding it; released by PostgreSQL when this transaction ends.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryKey})", cancellationToken);
        }
        else
        {
            // SQLite has one writer per database file. A write, even one that changes nothing, takes the file's
            // write lock now (waiting up to the busy timeout) instead of at commit, whatever mode the transaction
            // was begun in; so the reads that follow see the last committed block and nobody can append meanwhile.
            await db.Database.ExecuteSqlRawAsync("UPDATE \"ClearedIntervals\" SET \"IntervalEnd\" = \"IntervalEnd\" WHERE 0", cancellationToken);
        }
    }

    /// <summary>
    /// For order intake: on PostgreSQL takes the same lock shared, so storing orders waits while an interval is being
    /// cleared and clearing waits for orders being stored; intake batches do not wait for each other. An order whose
    /// gate is still open once this is held is in the book the next clearing reads. On SQLite the intake's own
    /// inserts take the file's write lock, which does the same.
    /// </summary>
    public static async Task EnterIntakeAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared({AdvisoryKey})", cancellationToken);
        }
    }

    /// <summary>
    /// Takes the ledger's write lock, then says whether <paramref name="intervalStart"/> already has its clearing block
    /// (another node cleared it while this one waited): then the caller gives up without doing the work.
    /// </summary>
    public static async Task<bool> EnterClearingAsync(MarketDbContext db, long intervalStart, CancellationToken cancellationToken)
    {
        await AcquireAsync(db, cancellationToken);
        return await db.Blocks.AsNoTracking()
            .AnyAsync(b => b.IntervalStart == intervalStart && b.Kind == (byte)BlockKind.Clearing, cancellationToken);
    }
}
