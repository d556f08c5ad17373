using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>
/// What the operator publishes for auditors and mirrors: signed checkpoints of the ledger-wide tree, consistency
/// proofs between them, the full export, and per-trade receipts.
/// </summary>
public sealed class LedgerPublication(IDbContextFactory<MarketDbContext> dbFactory, CheckpointNotes notes, RecentBlockLines recent)
{
    /// <summary>The newest signed checkpoint, or <see langword="null"/> before the first is signed. Reads only.</summary>
    public async Task<Checkpoint?> LatestCheckpointAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.Checkpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(cancellationToken);
        return latest is null ? null : ToCheckpoint(latest);
    }

    /// <summary>The stored checkpoint of exactly <paramref name="size"/> blocks, or null.</summary>
    public async Task<Checkpoint?> CheckpointAsync(long size, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Checkpoints.AsNoTracking().SingleOrDefaultAsync(c => c.Size == size, cancellationToken);
        return stored is null ? null : ToCheckpoint(stored);
    }

    /// <summary>RFC 9162 consistency proof between the ledger-wide trees of two sizes.</summary>
    public async Task<IReadOnlyList<byte[]>?> ConsistencyProofAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var size = await db.Blocks.LongCountAsync(cancellationToken);
        if (from < 0 || from > to || to > size)
        {
            return null;
        }

        var tree = await LedgerTreeAsync(db, to, cancellationToken);
        return tree.ConsistencyProof(from, to);
    }

    /// <summary>Writes the export up to the latest checkpoint; throws when none is signed yet.</summary>
    public async Task WriteExportAsync(Stream output, CancellationToken cancellationToken = default) =>
        await WriteExportAsync(output, await LatestCheckpointAsync(cancellationToken)
            ?? throw new InvalidOperationException("The ledger has no signed checkpoint yet."), cancellationToken);

    /// <summary>Writes the self-contained JSON Lines export: every block <paramref name="checkpoint"/> covers, then it.</summary>
    public Task WriteExportAsync(Stream output, Checkpoint checkpoint, CancellationToken cancellationToken = default) =>
        WriteExportAsync(output, checkpoint, 0, cancellationToken);

    /// <summary>
    /// Writes the blocks from height <paramref name="from"/> up to what <paramref name="checkpoint"/> covers, then it:
    /// what a replica fetches to extend its copy (from 0, the whole export).
    /// </summary>
    public async Task WriteExportAsync(Stream output, Checkpoint checkpoint, long from, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(from, checkpoint.Size);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // A replica extending its copy fetches the newest blocks: those lines are shared (RecentBlockLines). A full
        // export, and anything older, is read from the database page by page.
        var recentFrom = from == 0 ? checkpoint.Size : Math.Max(from, checkpoint.Size - RecentBlockLines.MaxBlocks);
        // Buffer per page so a large export never holds the whole ledger in memory.
        await using var buffer = new MemoryStream();
        using (var writer = new LedgerExportWriter(buffer))
        {
            const int page = 500;
            for (var start = from; start < recentFrom; start += page)
            {
                var to = Math.Min(recentFrom, start + page);
                var blocks = await db.Blocks.AsNoTracking().Where(b => b.Height >= start && b.Height < to).OrderBy(b => b.Height).ToListAsync(cancellationToken);
                var leaves = (await db.BlockLeaves.AsNoTracking().Where(l => l.BlockHeight >= start && l.BlockHeight < to)
                        .OrderBy(l => l.BlockHeight).ThenBy(l => l.Index).ToListAsync(cancellationToken))
                    .ToLookup(l => l.BlockHeight, l => l.Data);
                foreach (var b in blocks)
                {
                    writer.WriteBlock(new LedgerBlock(b.Header, b.Signature, leaves[b.Height]));
                }

                buffer.Position = 0;
                await buffer.CopyToAsync(output, cancellationToken);
                buffer.SetLength(0);
            }

            buffer.Position = 0;
            await buffer.CopyToAsync(output, cancellationToken);
            buffer.SetLength(0);
            for (var height = recentFrom; height < checkpoint.Size; height++)
            {
                // In slices: one write of a whole order book's line (tens of MB) would be copied into the server's
                // output buffers at once; slices let the reader's pace hold the writer back.
                var line = await recent.GetAsync(height, BlockLineAsync);
                for (var offset = 0; offset < line.Length; offset += WriteSlice)
                {
                    await output.WriteAsync(line.AsMemory(offset, Math.Min(WriteSlice, line.Length - offset)), cancellationToken);
                }
            }

            writer.WriteCheckpoint(checkpoint);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken);
    }

    private const int WriteSlice = 64 * 1024;

    private async Task<byte[]> BlockLineAsync(long height)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var block = await db.Blocks.AsNoTracking().SingleAsync(b => b.Height == height);
        var leaves = await db.BlockLeaves.AsNoTracking().Where(l => l.BlockHeight == height).OrderBy(l => l.Index).Select(l => l.Data).ToListAsync();
        return LedgerExportWriter.BlockLine(new LedgerBlock(block.Header, block.Signature, leaves));
    }

    /// <summary>
    /// The receipt of one trade: leaf, inclusion proof, signed header, checkpoint and the header's proof in it. The
    /// checkpoint is the newest witnessed one when it covers the trade, with its cosigned note and the sealed policy,
    /// so the household holds what the witnesses vouched for; else the newest checkpoint, without a note.
    /// </summary>
    public async Task<TradeReceipt?> ReceiptAsync(long tradeId, CancellationToken cancellationToken = default)
    {
        if (await LatestCheckpointAsync(cancellationToken) is not { } checkpoint)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trade = await db.Trades.AsNoTracking().Where(t => t.Id == tradeId).Select(t => new { t.BlockHeight, t.LeafIndex }).SingleOrDefaultAsync(cancellationToken);
        if (trade is null || trade.BlockHeight >= checkpoint.Size)
        {
            return null;
        }

        WitnessedNote? witnessed = null;
        if (await notes.LatestWitnessedAsync(cancellationToken) is { } w && w.Checkpoint.Size > trade.BlockHeight)
        {
            witnessed = w;
            checkpoint = w.Checkpoint;
        }

        var block = await db.Blocks.AsNoTracking().SingleAsync(b => b.Height == trade.BlockHeight, cancellationToken);
        var leaves = await db.BlockLeaves.AsNoTracking().Where(l => l.BlockHeight == block.Height).OrderBy(l => l.Index).Select(l => l.Data).ToListAsync(cancellationToken);
        var tree = await LedgerTreeAsync(db, checkpoint.Size, cancellationToken);
        var keys = await LedgerReader.KeysAsync(db, cancellationToken);
        var publicKey = PublicKey(keys, BlockHeader.Decode(block.Header).KeyId);
        var checkpointKey = PublicKey(keys, checkpoint.KeyId);
        return TradeReceipt.Create(new LedgerBlock(block.Header, block.Signature, leaves), trade.LeafIndex, publicKey, checkpoint, checkpointKey, tree) with
        {
            CheckpointNote = witnessed?.Note.Encode(),
            WitnessPolicy = witnessed?.Policy.Policy.Encode(),
        };
    }

    /// <summary>
    /// An interval's sealed order book with what proves it is the ledger's: every leaf, the signed header and its key,
    /// the newest checkpoint with its key and the header's inclusion proof in it; the pieces of a proof of omission
    /// (docs/ledger-format.md §11.2) without the receipt, as JSON. Null when the book is not sealed or not yet
    /// checkpointed.
    /// </summary>
    public async Task<string?> BookProofAsync(long intervalStart, CancellationToken cancellationToken = default)
    {
        if (await LatestCheckpointAsync(cancellationToken) is not { } checkpoint)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var block = await db.Blocks.AsNoTracking().SingleOrDefaultAsync(b => b.IntervalStart == intervalStart && b.Kind == (byte)BlockKind.OrderBook, cancellationToken);
        if (block is null || block.Height >= checkpoint.Size)
        {
            return null;
        }

        var leaves = await db.BlockLeaves.AsNoTracking().Where(l => l.BlockHeight == block.Height).OrderBy(l => l.Index).Select(l => l.Data).ToListAsync(cancellationToken);
        var tree = await LedgerTreeAsync(db, checkpoint.Size, cancellationToken);
        var keys = await LedgerReader.KeysAsync(db, cancellationToken);
        var publicKey = PublicKey(keys, BlockHeader.Decode(block.Header).KeyId);
        var checkpointKey = PublicKey(keys, checkpoint.KeyId);
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("book");
            json.WriteString("header", Convert.ToHexStringLower(block.Header));
            json.WriteString("signature", Convert.ToHexStringLower(block.Signature));
            json.WriteString("publicKey", Convert.ToHexStringLower(publicKey));
            json.WriteStartArray("leaves");
            foreach (var leaf in leaves)
            {
                json.WriteStringValue(Convert.ToHexStringLower(leaf));
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("checkpoint");
            json.WriteNumber("size", checkpoint.Size);
            json.WriteString("root", Convert.ToHexStringLower(checkpoint.Root));
            json.WriteNumber("time", checkpoint.TimestampUnixMs);
            json.WriteString("keyId", Convert.ToHexStringLower(checkpoint.KeyId));
            json.WriteString("signature", Convert.ToHexStringLower(checkpoint.Signature));
            json.WriteEndObject();
            json.WriteString("checkpointPublicKey", Convert.ToHexStringLower(checkpointKey));
            json.WriteStartArray("headerProof");
            foreach (var node in tree.InclusionProof(block.Height, checkpoint.Size))
            {
                json.WriteStringValue(Convert.ToHexStringLower(node));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static async Task<MerkleTree> LedgerTreeAsync(MarketDbContext db, long size, CancellationToken cancellationToken)
    {
        var hashes = await db.Blocks.AsNoTracking().Where(b => b.Height < size).OrderBy(b => b.Height).Select(b => b.HeaderHash).ToListAsync(cancellationToken);
        return MerkleTree.FromLeaves(hashes);
    }

    private static byte[] PublicKey(Dictionary<string, byte[]> keys, byte[] keyId) =>
        keys.TryGetValue(Convert.ToHexStringLower(keyId), out var key)
            ? key
            : throw new InvalidOperationException("A block names a key that no key event introduced.");

    internal static Checkpoint ToCheckpoint(CheckpointEntity c) =>
        new() { Size = c.Size, Root = c.Root, TimestampUnixMs = c.TimestampMs, KeyId = c.KeyId, Signature = c.Signature };
}
