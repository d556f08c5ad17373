using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>
/// Where this node seals blocks: clearing, reconciliation, rules changes and key rotations run one at a time through
/// it, and after each the chain's new checkpoint is signed. Across nodes the ledger lock serialises the writes
/// themselves (<see cref="LedgerLock"/>); this gate keeps one node's sealers from queueing on that lock and gives
/// every sealing one place where its checkpoint is signed.
/// </summary>
public sealed class LedgerGate(CheckpointSigner checkpoints, CheckpointNotifier notifier, RecentBlockLines recent,
    IDbContextFactory<MarketDbContext> dbFactory) : IDisposable
{
    // The blocks the current sealing wrote (LedgerWriter reports them), offered to RecentBlockLines once committed.
    private static readonly AsyncLocal<List<SealedBlock>?> Sealing = new();

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Called by the writer of a block's leaves inside <see cref="SealAsync{T}"/>.</summary>
    internal static void Wrote(SealedBlock block)
    {
        if (Sealing.Value is { } blocks)
        {
            lock (blocks)
            {
                blocks.Add(block);
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Runs <paramref name="seal"/> alone on this node, then signs the checkpoint of what it sealed.</summary>
    public async Task<T> SealAsync<T>(Func<Task<T>> seal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seal);
        await _gate.WaitAsync(cancellationToken);
        var blocks = Sealing.Value = [];
        try
        {
            var result = await seal();
            // Signed even when the caller's token is cancelled now: what was committed gets its checkpoint.
            await checkpoints.SignAsync(CancellationToken.None);
            await OfferAsync(blocks);
            // Witnesses are asked to cosign in the background: sealing never waits for them.
            notifier.Notify();
            return result;
        }
        finally
        {
            Sealing.Value = null;
            _gate.Release();
        }
    }

    // The sealed blocks whose header is the one committed at their height, kept for the replicas that fetch them next
    // (a block written in a transaction that was rolled back is not, and its height may be sealed again).
    private async Task OfferAsync(List<SealedBlock> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        var heights = blocks.Select(b => b.Header.Height).ToList();
        await using var db = await dbFactory.CreateDbContextAsync();
        var stored = await db.Blocks.AsNoTracking().Where(b => heights.Contains(b.Height)).Select(b => new { b.Height, b.Header }).ToDictionaryAsync(b => b.Height, b => b.Header);
        foreach (var block in blocks)
        {
            if (stored.TryGetValue(block.Header.Height, out var header) && header.AsSpan().SequenceEqual(block.HeaderBytes))
            {
                recent.Offer(block.Header.Height, block);
            }
        }
    }
}
