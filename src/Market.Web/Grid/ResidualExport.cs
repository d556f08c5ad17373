using System.Globalization;
using System.Text;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Grid;

/// <summary>
/// One leaf of a sealed block with what proves it is that block's: the RFC 9162 inclusion proof of the leaf in the
/// block's payload tree, whose root the block's signed header carries.
/// </summary>
/// <param name="BlockHeight">The block's height.</param>
/// <param name="HeaderHash">SHA-256 of the block's header (what its signature covers).</param>
/// <param name="PayloadRoot">The payload root as the header states it.</param>
/// <param name="LeafCount">The block's leaves: the size of the tree the proof is for.</param>
/// <param name="LeafIndex">The leaf's 0-based index in the block.</param>
/// <param name="Leaf">The leaf's canonical bytes.</param>
/// <param name="LeafHash"><c>SHA-256(0x00 ‖ leaf)</c>.</param>
/// <param name="Proof">The audit path, leaf side first.</param>
public sealed record SealedLeaf(
    long BlockHeight, byte[] HeaderHash, byte[] PayloadRoot, int LeafCount, int LeafIndex, byte[] Leaf, byte[] LeafHash, IReadOnlyList<byte[]> Proof);

/// <summary>The community's metered totals of an interval: the summary of its newest reconciliation, as sealed.</summary>
/// <param name="Summary">The summary (leaf 0 of the reconciliation block).</param>
/// <param name="Ledger">The summary's leaf and its proof in the reconciliation block.</param>
public sealed record MeteredResidual(ReconciliationSummary Summary, SealedLeaf Ledger)
{
    /// <summary>Metered net injection at the community's connection, Wh: export − import (negative: it imported).</summary>
    public long NetInjectionWh => checked(Summary.ExportWh - Summary.ImportWh);
}

/// <summary>
/// The community's residual in one interval cleared under the grid's mechanism, as its clearing block seals it, and
/// after delivery the metered totals of the interval's newest reconciliation.
/// </summary>
/// <param name="IntervalStart">Unix seconds UTC.</param>
/// <param name="IntervalEnd">Unix seconds UTC, exclusive.</param>
/// <param name="Residual">The residual leaf, decoded.</param>
/// <param name="Ledger">The residual leaf (the clearing block's last) and its proof.</param>
/// <param name="Metered">The metered totals; null until the interval is reconciled.</param>
public sealed record ResidualInterval(long IntervalStart, long IntervalEnd, ResidualLeaf Residual, SealedLeaf Ledger, MeteredResidual? Metered);

/// <summary>
/// The community as one aggregated resource for an aggregator's wholesale bid: per interval cleared under the grid's
/// mechanism (3), the residual leaf that ends its clearing block (what the local market left unmatched, as export and
/// import step curves, with the net injection the limits allow) and, after delivery, the metered totals. Everything
/// is read from the sealed blocks and served with the proofs that tie it to them, so an aggregator's settlement can be
/// reconciled to the signed ledger. Intervals cleared under another mechanism have no residual and are left out.
/// </summary>
/// <remarks>
/// A fixed number of statements whatever the range's length: the clearing blocks, the newest reconciliations, and the
/// leaves of both kinds of block, each streamed one block at a time.
/// </remarks>
public sealed class ResidualExport(IDbContextFactory<MarketDbContext> dbFactory)
{
    /// <summary>The CSV header of <see cref="ToCsv"/>.</summary>
    public const string CsvHeader =
        "interval_start,interval_end,block_height,residual_leaf_hash,min_injection_wh,max_injection_wh,metered_export_wh,metered_import_wh,curve,step,price,cumulative_wh";

    private const byte GridZonal = 3;

    /// <summary>The intervals cleared under the grid's mechanism that start in <c>[from, to)</c>, in interval order.</summary>
    /// <param name="from">Unix seconds UTC.</param>
    /// <param name="to">Unix seconds UTC, exclusive.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>One entry per interval with a residual.</returns>
    /// <exception cref="InvalidOperationException">The stored blocks contradict their headers (a damaged database).</exception>
    public async Task<IReadOnlyList<ResidualInterval>> ForAsync(long from, long to, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clearingBlocks = db.Blocks.Where(b => b.Kind == (byte)BlockKind.Clearing && b.IntervalStart >= from && b.IntervalStart < to);
        var headers = (await clearingBlocks.AsNoTracking()
                .Select(b => new { b.Height, b.Header })
                .ToListAsync(cancellationToken))
            .Select(b => (Row: b, Header: BlockHeader.Decode(b.Header)))
            .Where(b => b.Header.Mechanism == GridZonal)
            .ToDictionary(b => b.Row.Height, b => (b.Header, HeaderHash: b.Header.Hash())); // from the header's bytes, not a stored copy

        // The leaves of the grid's clearing blocks only (the cleared intervals' table names their mechanism); the headers
        // decide what is served, and each block's leaves must give its header's root.
        var residuals = new Dictionary<long, (ResidualLeaf Residual, SealedLeaf Ledger)>();
        var clearingLeaves = db.BlockLeaves.AsNoTracking()
            .Join(
                db.ClearedIntervals.Where(c => c.Mechanism == GridZonal && c.IntervalStart >= from && c.IntervalStart < to),
                l => l.BlockHeight,
                c => c.ClearingHeight,
                (l, _) => l)
            .OrderBy(l => l.BlockHeight).ThenBy(l => l.Index)
            .Select(l => new LeafRow(l.BlockHeight, l.Data));
        await foreach (var (height, leaves) in ByBlockAsync(clearingLeaves, cancellationToken))
        {
            if (!headers.TryGetValue(height, out var block))
            {
                continue;
            }

            var ledger = Prove(height, block.Header, block.HeaderHash, leaves, leaves.Count - 1);
            if (!ResidualLeaf.TryDecode(ledger.Leaf, out var residual, out var error))
            {
                throw Damaged(height, error!);
            }

            residuals[height] = (residual!, ledger);
        }

        var missing = headers.Keys.FirstOrDefault(h => !residuals.ContainsKey(h), -1);
        if (missing >= 0)
        {
            throw Damaged(missing, "the clearing block of the grid's mechanism has no leaves stored for its interval");
        }

        var metered = await MeteredAsync(db, from, to, cancellationToken);
        return headers
            .OrderBy(h => h.Value.Header.IntervalStart)
            .Select(h =>
            {
                var (header, hash) = h.Value;
                MeteredResidual? totals = null;
                if (metered.TryGetValue(header.IntervalStart, out var m))
                {
                    totals = m.ClearingHash.AsSpan().SequenceEqual(hash)
                        ? m.Metered
                        : throw Damaged(m.Metered.Ledger.BlockHeight, $"the reconciliation does not name the clearing block at height {h.Key}");
                }

                var (residual, ledger) = residuals[h.Key];
                return new ResidualInterval(header.IntervalStart, header.IntervalEnd, residual, ledger, totals);
            })
            .ToList();
    }

    /// <summary>
    /// The residual as tidy CSV, one line per curve step (export steps, then import steps, each numbered from 0 in curve
    /// order); an interval without steps gets one line with the curve columns empty. UTC times, invariant numbers;
    /// the metered columns are empty until the interval is reconciled.
    /// </summary>
    /// <param name="intervals">The intervals, in order.</param>
    /// <returns>The file's text, header first.</returns>
    public static string ToCsv(IEnumerable<ResidualInterval> intervals)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (var i in intervals)
        {
            // Every field is a number, a UTC time, hex or a fixed word: nothing a sender chose reaches the file.
            var common = string.Create(CultureInfo.InvariantCulture,
                $"{Iso(i.IntervalStart)},{Iso(i.IntervalEnd)},{i.Ledger.BlockHeight},{Convert.ToHexStringLower(i.Ledger.LeafHash)},{i.Residual.MinInjectionWh},{i.Residual.MaxInjectionWh},{i.Metered?.Summary.ExportWh},{i.Metered?.Summary.ImportWh}");
            if (i.Residual.Export.Count + i.Residual.Import.Count == 0)
            {
                csv.Append(common).Append(",,,,\n");
                continue;
            }

            foreach (var (curve, steps) in new[] { ("export", i.Residual.Export), ("import", i.Residual.Import) })
            {
                for (var s = 0; s < steps.Count; s++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{common},{curve},{s},{steps[s].Price},{steps[s].CumulativeWh}\n");
                }
            }
        }

        return csv.ToString();
    }

    /// <summary>Per interval, the summary of its newest reconciliation and the clearing block that reconciliation names.</summary>
    private static async Task<Dictionary<long, (byte[] ClearingHash, MeteredResidual Metered)>> MeteredAsync(
        MarketDbContext db, long from, long to, CancellationToken cancellationToken)
    {
        // The newest version of each interval cleared under the grid's mechanism (a correction is a new version), read
        // once: a correction sealed while this runs is simply not seen yet.
        var newest = db.Reconciliations.Where(r => r.IntervalStart >= from && r.IntervalStart < to
            && !db.Reconciliations.Any(o => o.IntervalStart == r.IntervalStart && o.Version > r.Version)
            && db.ClearedIntervals.Any(c => c.IntervalStart == r.IntervalStart && c.Mechanism == GridZonal));
        var headers = (await db.Blocks.AsNoTracking()
                .Join(newest, b => b.Height, r => r.BlockHeight, (b, r) => new { b.Height, b.Header, r.IntervalStart })
                .ToListAsync(cancellationToken))
            .Select(b => (b.Height, Header: BlockHeader.Decode(b.Header), b.IntervalStart))
            .ToDictionary(b => b.Height, b => (b.Header, HeaderHash: b.Header.Hash(), b.IntervalStart));
        var heights = headers.Keys.ToList();
        var metered = new Dictionary<long, (byte[], MeteredResidual)>();
        var leaves = db.BlockLeaves.AsNoTracking()
            .Where(l => heights.Contains(l.BlockHeight))
            .OrderBy(l => l.BlockHeight).ThenBy(l => l.Index)
            .Select(l => new LeafRow(l.BlockHeight, l.Data));
        await foreach (var (height, blockLeaves) in ByBlockAsync(leaves, cancellationToken))
        {
            var (header, hash, start) = headers[height];
            if (header.Kind != BlockKind.Reconciliation || header.IntervalStart != start)
            {
                throw Damaged(height, $"the block is not the reconciliation of the interval starting at {start}");
            }

            var ledger = Prove(height, header, hash, blockLeaves, 0);
            if (!ReconciliationSummary.TryDecode(ledger.Leaf, out var summary, out var error))
            {
                throw Damaged(height, error!);
            }

            metered[start] = (header.Reference, new MeteredResidual(summary, ledger));
        }

        return metered;
    }

    /// <summary>Leaf <paramref name="index"/> of a block with its proof; the leaves must give the header's root and count.</summary>
    private static SealedLeaf Prove(long height, BlockHeader header, byte[] headerHash, List<byte[]> leaves, int index)
    {
        var tree = MerkleTree.FromLeaves(leaves);
        if (leaves.Count != header.LeafCount || !tree.Root().AsSpan().SequenceEqual(header.PayloadRoot))
        {
            throw Damaged(height, "the stored leaves do not give the payload root of the block's header");
        }

        var leaf = leaves[index];
        return new SealedLeaf(height, headerHash, header.PayloadRoot, leaves.Count, index, leaf, MerkleTree.HashLeaf(leaf), tree.InclusionProof(index));
    }

    /// <summary>The rows (ordered by block, then leaf) gathered per block, one block in memory at a time.</summary>
    private static async IAsyncEnumerable<(long Height, List<byte[]> Leaves)> ByBlockAsync(
        IQueryable<LeafRow> rows, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var height = -1L;
        var leaves = new List<byte[]>();
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (row.BlockHeight != height && leaves.Count > 0)
            {
                yield return (height, leaves);
                leaves = [];
            }

            height = row.BlockHeight;
            leaves.Add(row.Data);
        }

        if (leaves.Count > 0)
        {
            yield return (height, leaves);
        }
    }

    private static InvalidOperationException Damaged(long height, string what) =>
        new($"Block {height.ToString(CultureInfo.InvariantCulture)}: {what}. The stored ledger is damaged; verify the chain.");

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record LeafRow(long BlockHeight, byte[] Data);
}
