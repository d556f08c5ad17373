using System.Buffers.Binary;
using System.Text;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>The edits the tamper cases make: to blocks, leaves, signatures and to the lines of an export file.</summary>
internal static class Tamper
{
    /// <summary>An export of the blocks; without a checkpoint the file simply ends after the last block.</summary>
    public static byte[] Export(IEnumerable<LedgerBlock> blocks, Checkpoint? checkpoint)
    {
        using var stream = new MemoryStream();
        using (var writer = new LedgerExportWriter(stream))
        {
            foreach (var block in blocks)
            {
                writer.WriteBlock(block);
            }

            if (checkpoint is not null)
            {
                writer.WriteCheckpoint(checkpoint);
            }
        }

        return stream.ToArray();
    }

    /// <summary>Changes the lines of an export (given without their '\n'); each is written back with one.</summary>
    public static byte[] EditLines(byte[] export, Action<List<string>> edit)
    {
        var lines = Encoding.UTF8.GetString(export).TrimEnd('\n').Split('\n').ToList();
        edit(lines);
        return Encoding.UTF8.GetBytes(string.Concat(lines.Select(line => line + "\n")));
    }

    /// <summary>Changes the first hex digit of a JSON string field on a line ('0' becomes '1', anything else '0').</summary>
    public static string ChangeHexField(string line, string field)
    {
        var prefix = $"\"{field}\":\"";
        var at = line.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length;
        var digit = line[at] == '0' ? '1' : '0';
        return string.Concat(line.AsSpan(0, at), digit.ToString(), line.AsSpan(at + 1));
    }

    /// <summary>The checkpoint over all the blocks, as the operator would sign it.</summary>
    public static Checkpoint CheckpointOver(IEnumerable<LedgerBlock> blocks, DateTimeOffset time, SigningKey key)
    {
        var tree = MerkleTree.FromLeaves(blocks.Select(b => BlockHeader.Hash(b.HeaderBytes)));
        return Checkpoint.Create(tree.Size, tree.Root(), time, key);
    }

    public static LedgerBlock WithLeaf(LedgerBlock block, int index, Func<byte[], byte[]> change) =>
        new(block.HeaderBytes, block.Signature, block.Leaves.Select((l, i) => i == index ? change(l.ToArray()) : l.ToArray()));

    public static LedgerBlock WithSignature(LedgerBlock block, byte[] signature) => new(block.HeaderBytes, signature, block.Leaves);

    /// <summary>A copy with one bit flipped.</summary>
    public static byte[] Flip(byte[] bytes, int offset)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }

    /// <summary>A copy with a big-endian i64 changed by delta.</summary>
    public static byte[] AddToI64(byte[] bytes, int offset, long delta)
    {
        var copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt64BigEndian(copy.AsSpan(offset), BinaryPrimitives.ReadInt64BigEndian(copy.AsSpan(offset)) + delta);
        return copy;
    }

    /// <summary>The same signature with s replaced by n − s: mathematically valid, rejected for being high.</summary>
    public static byte[] HighS(byte[] signature)
    {
        var n = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256k1").N;
        var s = n.Subtract(new Org.BouncyCastle.Math.BigInteger(1, signature, 32, 32));
        return [.. signature[..32], .. s.ToByteArrayUnsigned().PadLeft(32)];
    }

    /// <summary>The trades of a clearing block with the one at <paramref name="index"/> changed.</summary>
    public static LeafList MapTrade(LedgerBlock block, int index, Func<TradeLeaf, TradeLeaf> change) =>
        TestChain.MapTrades(block, trades => trades.Select((t, i) => i == index ? change(t) : t));

    /// <summary>The leaves of a reconciliation block with household record <paramref name="leafIndex"/> changed.</summary>
    public static LeafList MapHousehold(LedgerBlock block, int leafIndex, Func<HouseholdReconciliationLeaf, HouseholdReconciliationLeaf> change) =>
        LeafList.FromArrays(block.Leaves.Select((l, i) => i != leafIndex ? l.ToArray()
            : HouseholdReconciliationLeaf.TryDecode(l.Span, out var household, out var error) ? change(household).Encode()
            : throw new InvalidOperationException(error)));

    /// <summary>The leaves of a reconciliation block with its summary (leaf 0) changed.</summary>
    public static LeafList MapSummary(LedgerBlock block, Func<ReconciliationSummary, ReconciliationSummary> change) =>
        LeafList.FromArrays(block.Leaves.Select((l, i) => i != 0 ? l.ToArray()
            : ReconciliationSummary.TryDecode(l.Span, out var summary, out var error) ? change(summary).Encode()
            : throw new InvalidOperationException(error)));
}
