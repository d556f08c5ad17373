using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>
/// Signs a checkpoint of the ledger-wide tree after blocks are sealed (through <see cref="LedgerGate"/>, and once at
/// start for a chain that grew before a crash). The read side (<see cref="LedgerPublication"/>) only reads the
/// checkpoints stored here: nothing is ever signed because someone asked to see it.
/// </summary>
public sealed class CheckpointSigner(IDbContextFactory<MarketDbContext> dbFactory, SigningKeyStore keys, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    /// <summary>The checkpoint of the whole chain as it is now: the stored one when it covers every block, else a new one.</summary>
    public async Task<Checkpoint> SignAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var size = await db.Blocks.LongCountAsync(cancellationToken);
                var latest = await db.Checkpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(cancellationToken);
                if (latest is not null && latest.Size == size)
                {
                    return LedgerPublication.ToCheckpoint(latest);
                }

                // The tree is built outside the ledger lock; the size it covers is confirmed under it. The lock also
                // keeps a key rotation from committing between choosing the key and signing: the checkpoint is
                // signed by the key valid after its last block, as verifiers expect.
                var tree = await LedgerPublication.LedgerTreeAsync(db, size, cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await LedgerLock.AcquireAsync(db, cancellationToken);
                if (await db.Blocks.LongCountAsync(cancellationToken) != size)
                {
                    continue;
                }

                if (await db.Checkpoints.AsNoTracking().FirstOrDefaultAsync(c => c.Size == size, cancellationToken) is { } signed)
                {
                    // Another node signed this size first; publish that one.
                    return LedgerPublication.ToCheckpoint(signed);
                }

                var key = await keys.CurrentAsync(db, cancellationToken);
                var checkpoint = Checkpoint.Create(size, tree.Root(), time.GetUtcNow(), key);
                db.Checkpoints.Add(new CheckpointEntity
                {
                    Size = checkpoint.Size,
                    Root = checkpoint.Root,
                    TimestampMs = checkpoint.TimestampUnixMs,
                    KeyId = checkpoint.KeyId,
                    Signature = checkpoint.Signature,
                });
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return checkpoint;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
