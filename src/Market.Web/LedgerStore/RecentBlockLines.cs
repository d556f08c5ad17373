using System.Collections.Concurrent;
using Market.Ledger;

namespace Market.Web.LedgerStore;

/// <summary>
/// The export lines of the newest blocks, serialised once and shared by every replica that fetches them: each
/// witness fetches the blocks of every new checkpoint (an order book of 100,000 orders is about 50 MB of JSON), and
/// without this the market would read and serialise the same block from the database once per witness. A block the
/// gate just sealed is offered here from memory (<see cref="Offer"/>, after its commit and the check that the stored
/// header is its header), so the first reader does not read it back from the database; any other is built from the
/// committed rows on first use. A sealed block never changes, so a line, once built, stays right; concurrent requests
/// for one block wait for the same build. Blocks are offered only while some replica follows (a range was fetched in
/// the last <see cref="FollowWindow"/>), so a market without witnesses or mirrors keeps nothing. At most <see cref="MaxBlocks"/> heights and about <see cref="MaxBytes"/>
/// bytes are kept, the oldest heights dropped first. Full exports (from height 0) never come here: they read the
/// database.
/// </summary>
public sealed class RecentBlockLines
{
    /// <summary>The newest this many heights of a checkpoint are served from here.</summary>
    public const int MaxBlocks = 16;

    /// <summary>The most bytes of lines (or, before they are built, of the blocks they are built from) kept.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    /// <summary>How long after the last range fetch sealed blocks are still offered.</summary>
    public static readonly TimeSpan FollowWindow = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<long, Entry> _lines = new();
    private long _lastReadMs = long.MinValue / 2;
    private readonly Lock _trim = new();

    /// <summary>Heights held now (for tests and diagnostics).</summary>
    public IReadOnlyCollection<long> Heights => [.. _lines.Keys.Order()];

    /// <summary>Keeps a block sealed and committed just now, to be serialised when first asked for.</summary>
    /// <param name="height">Its height.</param>
    /// <param name="block">The block (its leaves are kept until the line is built or dropped).</param>
    public void Offer(long height, LedgerBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (Environment.TickCount64 - Interlocked.Read(ref _lastReadMs) > (long)FollowWindow.TotalMilliseconds)
        {
            return;
        }

        long weight = 512;
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            weight += (2L * block.Leaves.GetSpan(i).Length) + 3;
        }

        if (_lines.TryAdd(height, new Entry(new Lazy<Task<byte[]>>(() => Task.Run(() => LedgerExportWriter.BlockLine(block))), weight)))
        {
            Trim();
        }
    }

    /// <summary>The line of block <paramref name="height"/>, built by <paramref name="build"/> unless offered.</summary>
    /// <param name="height">The block height (committed, below a signed checkpoint).</param>
    /// <param name="build">Reads the block and serialises its line; not cancelled by one caller leaving.</param>
    /// <returns>The line, newline included.</returns>
    public async Task<byte[]> GetAsync(long height, Func<long, Task<byte[]>> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        Interlocked.Exchange(ref _lastReadMs, Environment.TickCount64);
        var entry = _lines.GetOrAdd(height, h => new Entry(new Lazy<Task<byte[]>>(() => build(h)), 0));
        byte[] line;
        try
        {
            line = await entry.Line.Value;
        }
        catch
        {
            _lines.TryRemove(KeyValuePair.Create(height, entry));
            throw;
        }

        entry.Weight = line.Length;
        Trim();
        return line;
    }

    private void Trim()
    {
        lock (_trim)
        {
            var entries = _lines.OrderBy(e => e.Key).ToList();
            var bytes = entries.Sum(e => e.Value.Weight);
            var count = entries.Count;
            foreach (var (height, entry) in entries)
            {
                if (count <= MaxBlocks && bytes <= MaxBytes)
                {
                    break;
                }

                if (_lines.TryRemove(KeyValuePair.Create(height, entry)))
                {
                    count--;
                    bytes -= entry.Weight;
                }
            }
        }
    }

    private sealed class Entry(Lazy<Task<byte[]>> line, long weight)
    {
        public Lazy<Task<byte[]>> Line { get; } = line;

        public long Weight { get; set; } = weight;
    }
}
