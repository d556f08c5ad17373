namespace Market.Web.LedgerStore;

/// <summary>
/// Where this node seals blocks: clearing, reconciliation, rules changes and key rotations run one at a time through
/// it, and after each the chain's new checkpoint is signed. Across nodes the ledger lock serialises the writes
/// themselves (<see cref="LedgerLock"/>); this gate keeps one node's sealers from queueing on that lock and gives
/// every sealing one place where its checkpoint is signed.
/// </summary>
public sealed class LedgerGate(CheckpointSigner checkpoints, CheckpointNotifier notifier) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    /// <summary>Runs <paramref name="seal"/> alone on this node, then signs the checkpoint of what it sealed.</summary>
    public async Task<T> SealAsync<T>(Func<Task<T>> seal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seal);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var result = await seal();
            // Signed even when the caller's token is cancelled now: what was committed gets its checkpoint.
            await checkpoints.SignAsync(CancellationToken.None);
            // Witnesses are asked to cosign in the background: sealing never waits for them.
            notifier.Notify();
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }
}
