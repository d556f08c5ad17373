using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>A block as stored, with its header decoded.</summary>
public sealed record BlockView(
    long Height,
    BlockKind Kind,
    long? IntervalStart,
    long? IntervalEnd,
    int LeafCount,
    byte[] HeaderHash,
    byte[] PreviousHash,
    byte[] PayloadRoot,
    byte[] KeyId,
    byte[] Reference,
    byte Mechanism,
    int RulesVersion,
    long SealedAtMs,
    byte[] Header,
    byte[] Signature)
{
    public static BlockView From(BlockEntity e)
    {
        var h = BlockHeader.Decode(e.Header);
        var interval = h.Kind is BlockKind.OrderBook or BlockKind.Clearing;
        return new BlockView(h.Height, h.Kind, interval ? h.IntervalStart : null, interval ? h.IntervalEnd : null, h.LeafCount,
            e.HeaderHash, h.PreviousHash, h.PayloadRoot, h.KeyId, h.Reference, h.Mechanism, h.RulesVersion, h.SealedAtUnixMs, e.Header, e.Signature);
    }
}

/// <summary>What a reader of one block can check on its own: hash, signature, root and link.</summary>
public sealed record BlockCheck(string? Problem)
{
    public bool IsValid => Problem is null;
}

/// <summary>A block with its leaves and the result of checking it.</summary>
public sealed record BlockDetail(BlockView Block, IReadOnlyList<byte[]> Leaves, BlockCheck Check);

/// <summary>Reads blocks for the explorer and the API, and checks them with <c>Market.Ledger</c>.</summary>
public sealed class LedgerReader(IDbContextFactory<MarketDbContext> dbFactory, ChainVerification verification)
{
    /// <summary>Blocks below <paramref name="before"/> (or the newest), newest first.</summary>
    public async Task<IReadOnlyList<BlockView>> ListAsync(long? before, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Blocks.AsNoTracking();
        if (before is long b)
        {
            query = query.Where(x => x.Height < b);
        }

        var rows = await query.OrderByDescending(x => x.Height).Take(take).ToListAsync(cancellationToken);
        return rows.Select(BlockView.From).ToList();
    }

    public async Task<BlockDetail?> GetAsync(long height, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Blocks.AsNoTracking().SingleOrDefaultAsync(x => x.Height == height, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var leaves = await db.BlockLeaves.AsNoTracking()
            .Where(l => l.BlockHeight == height)
            .OrderBy(l => l.Index)
            .Select(l => l.Data)
            .ToListAsync(cancellationToken);
        var previous = height == 0
            ? null
            : await db.Blocks.AsNoTracking().Where(x => x.Height == height - 1).Select(x => x.HeaderHash).SingleOrDefaultAsync(cancellationToken);
        var keys = await KeysAsync(db, cancellationToken);
        var view = BlockView.From(row);
        return new BlockDetail(view, leaves, new BlockCheck(Check(row, view, leaves, previous, keys)));
    }

    /// <summary>Finds a block by height, header hash (full or a prefix of at least 8 hex digits) or trade id ("t42").</summary>
    public async Task<string?> SearchAsync(string query, CancellationToken cancellationToken = default)
    {
        var q = query.Trim().ToLowerInvariant();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if ((q.StartsWith('t') || q.StartsWith('#')) && long.TryParse(q[1..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var tradeId))
        {
            return await db.Trades.AnyAsync(t => t.Id == tradeId, cancellationToken) ? $"ledger/trades/{tradeId}" : null;
        }

        if (q.Length < 8 && long.TryParse(q, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var height))
        {
            return await db.Blocks.AnyAsync(b => b.Height == height, cancellationToken) ? $"ledger/blocks/{height}" : null;
        }

        if (q.Length is >= 8 and <= 64 && q.All(Uri.IsHexDigit))
        {
            // Hashes are stored as bytes; compare on the hex of each (fine for an explorer search).
            var hashes = await db.Blocks.AsNoTracking().Select(b => new { b.Height, b.HeaderHash }).ToListAsync(cancellationToken);
            var hit = hashes.FirstOrDefault(b => Convert.ToHexStringLower(b.HeaderHash).StartsWith(q, StringComparison.Ordinal));
            return hit is null ? null : $"ledger/blocks/{hit.Height}";
        }

        return null;
    }

    /// <summary>The key events of the ledger: which key was introduced or retired at which height.</summary>
    public async Task<IReadOnlyList<(long Height, long SealedAtMs, KeyRecord Record)>> KeyHistoryAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Blocks.AsNoTracking()
            .Where(b => b.Kind == (byte)BlockKind.KeyEvent)
            .Join(db.BlockLeaves, b => b.Height, l => l.BlockHeight, (b, l) => new { b.Height, b.SealedAtMs, l.Index, l.Data })
            .OrderBy(x => x.Height).ThenBy(x => x.Index)
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.Height, r.SealedAtMs, KeyRecord.Decode(r.Data))).ToList();
    }

    /// <summary>The rules records sealed in the ledger, oldest first.</summary>
    public async Task<IReadOnlyList<(long Height, long SealedAtMs, RulesRecord Rules)>> RulesHistoryAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Blocks.AsNoTracking()
            .Where(b => b.Kind == (byte)BlockKind.Rules)
            .Join(db.BlockLeaves, b => b.Height, l => l.BlockHeight, (b, l) => new { b.Height, b.SealedAtMs, l.Data })
            .OrderBy(x => x.Height)
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.Height, r.SealedAtMs, RulesRecord.Decode(r.Data))).ToList();
    }

    /// <summary>Traded volume per clearing block height, for the block list.</summary>
    public async Task<Dictionary<long, long>> VolumesAsync(IEnumerable<long> heights, CancellationToken cancellationToken = default)
    {
        var list = heights.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ClearedIntervals.AsNoTracking().Where(c => list.Contains(c.ClearingHeight)).ToDictionaryAsync(c => c.ClearingHeight, c => c.VolumeWh, cancellationToken);
    }

    /// <summary>Verifies the whole chain as stored, with replay of every clearing.</summary>
    public async Task<ChainReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await verification.VerifyAsync(db, cancellationToken);
    }

    /// <summary>The public keys introduced in the ledger, by key id (hex).</summary>
    internal static async Task<Dictionary<string, byte[]>> KeysAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        var keyLeaves = await db.BlockLeaves.AsNoTracking()
            .Where(l => db.Blocks.Any(b => b.Height == l.BlockHeight && b.Kind == (byte)BlockKind.KeyEvent))
            .Select(l => l.Data)
            .ToListAsync(cancellationToken);
        var keys = new Dictionary<string, byte[]>();
        foreach (var leaf in keyLeaves)
        {
            if (KeyRecord.TryDecode(leaf, out var record, out _) && record.Action == KeyAction.Introduce)
            {
                keys[Convert.ToHexStringLower(record.KeyId())] = record.PublicKey.ToArray();
            }
        }

        return keys;
    }

    private static string? Check(BlockEntity row, BlockView view, List<byte[]> leaves, byte[]? previousHash, Dictionary<string, byte[]> keys)
    {
        if (!BlockHeader.Hash(row.Header).AsSpan().SequenceEqual(row.HeaderHash))
        {
            return "the stored header hash is not the SHA-256 of the header bytes.";
        }

        if (!keys.TryGetValue(Convert.ToHexStringLower(view.KeyId), out var publicKey))
        {
            return "the block names a signing key that the ledger never introduced.";
        }

        if (!Signatures.Verify(publicKey, row.HeaderHash, row.Signature))
        {
            return "the signature does not verify against the named key.";
        }

        if (leaves.Count != view.LeafCount)
        {
            return $"the header says {view.LeafCount} entries but {leaves.Count} are stored.";
        }

        if (!MerkleTree.ComputeRoot(leaves).AsSpan().SequenceEqual(view.PayloadRoot))
        {
            return "the Merkle root of the stored entries differs from the root in the header: an entry was changed, added or removed.";
        }

        if (view.Height > 0 && (previousHash is null || !previousHash.AsSpan().SequenceEqual(view.PreviousHash)))
        {
            return $"the previous-hash field does not match block {view.Height - 1}.";
        }

        return null;
    }
}
