using System.Threading.Channels;

namespace Market.Web.LedgerStore;

/// <summary>
/// Tells whoever gathers cosignatures that this node signed a checkpoint. Never blocks the sealer: signals coalesce
/// (one pending signal stands for any number), and the reader always looks at the newest checkpoint.
/// </summary>
public sealed class CheckpointNotifier
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Says a checkpoint was signed.</summary>
    public void Notify() => _signals.Writer.TryWrite(true);

    /// <summary>Waits for the next signal (or returns at once when one is pending).</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _signals.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Takes the pending signal, if any.</summary>
    public bool TryTake() => _signals.Reader.TryRead(out _);
}
