using System.Collections.Concurrent;

namespace Market.Web.LedgerStore;

/// <summary>
/// The export lines of the newest blocks, serialised once and shared by every replica that fetches them: each
/// witness fetches the blocks of every new checkpoint (an order book of 100,000 orders is about 50 MB of JSON), and
/// without this the market would read and serialise the same block from the database once per witness. A sealed
/// block never changes, so a line, once built from the committed rows, stays right; concurrent requests for one
/// block wait for the same build. At most <see cref="MaxBlocks"/> lines and <see cref="MaxBytes"/> bytes are kept,
/// the oldest heights dropped first. Full exports (from height 0) never come here: they read the database.
/// </summary>
public sealed class RecentBlockLines
{
    /// <summary>The newest this many heights of a checkpoint are served from here.</summary>
    public const int MaxBlocks = 16;

    /// <summary>The most bytes of lines kept.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    private readonly ConcurrentDictionary<long, Lazy<Task<byte[]>>> _lines = new();
    private readonly Lock _trim = new();

    /// <summary>Heights held now (for tests and diagnostics).</summary>
    public IReadOnlyCollection<long> Heights => [.. _lines.Keys.Order()];

    /// <summary>The line of block <paramref name="height"/>, built by <paramref name="build"/> on first use.</summary>
    /// <param name="height">The block height (committed, below a signed checkpoint).</param>
    /// <param name="build">Reads the block and serialises its line; not cancelled by one caller leaving.</param>
    /// <returns>The line, newline included.</returns>
    public async Task<byte[]> GetAsync(long height, Func<long, Task<byte[]>> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var entry = _lines.GetOrAdd(height, h => new Lazy<Task<byte[]>>(() => build(h)));
        byte[] line;
        try
        {
            line = await entry.Value;
        }
        catch
        {
            _lines.TryRemove(KeyValuePair.Create(height, entry));
            throw;
        }

        Trim();
        return line;
    }

    private void Trim()
    {
        lock (_trim)
        {
            var done = _lines.Where(e => e.Value.IsValueCreated && e.Value.Value.IsCompletedSuccessfully).OrderBy(e => e.Key).ToList();
            var bytes = done.Sum(e => (long)e.Value.Value.Result.Length);
            var count = _lines.Count;
            foreach (var (height, entry) in done)
            {
                if (count <= MaxBlocks && bytes <= MaxBytes)
                {
                    break;
                }

                if (_lines.TryRemove(KeyValuePair.Create(height, entry)))
                {
                    count--;
                    bytes -= entry.Value.Result.Length;
                }
            }
        }
    }
}
