using System.Buffers;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// The hot path of RFC 9162 hashing: one reusable SHA-256 context and scratch space, so hashing a block's leaves
/// allocates nothing per leaf. Not thread-safe; one per thread.
/// </summary>
internal sealed class LeafHasher : IDisposable
{
    /// <summary>Below this many leaves per core a block is hashed on one core (thread hand-off would cost more).</summary>
    internal const int MinLeavesPerPart = 256;

    /// <summary>From this many equal-length messages on, eight-lane SIMD hashing beats one call per message.</summary>
    private const int MinVectorBatch = 3;

    private const int StackLimit = 256;
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public void HashLeaf(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        if (leaf.Length < StackLimit)
        {
            // One contiguous update is measurably cheaper than two for short leaves.
            Span<byte> buffer = stackalloc byte[StackLimit];
            buffer[0] = 0x00;
            leaf.CopyTo(buffer[1..]);
            _sha.AppendData(buffer[..(leaf.Length + 1)]);
        }
        else
        {
            _sha.AppendData([0x00]);
            _sha.AppendData(leaf);
        }

        _sha.GetHashAndReset(destination);
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right); the destination may overlap the inputs.</summary>
    public void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> buffer = stackalloc byte[1 + MerkleTree.HashSize + MerkleTree.HashSize];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + MerkleTree.HashSize)..]);
        _sha.AppendData(buffer);
        _sha.GetHashAndReset(destination);
    }

    /// <summary>
    /// Reduces <paramref name="count"/> consecutive 32-byte node hashes to their RFC 9162 root, in place: pairs are
    /// hashed left to right and an unpaired last node moves up unchanged, which gives exactly the tree that splits
    /// at the largest power of two below n.
    /// </summary>
    public void ReduceInPlace(Span<byte> nodes, int count, Span<byte> root)
    {
        if (count == 0)
        {
            MerkleTree.EmptyRootSpan.CopyTo(root);
            return;
        }

        ReduceLevels(nodes, count, int.MaxValue);
        nodes[..32].CopyTo(root);
    }

    /// <summary>The RFC 9162 root of leaves [start, end) of a leaf list.</summary>
    public void RootOf(LeafList leaves, int start, int end, Span<byte> root)
    {
        var count = end - start;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(32, count * 32));
        try
        {
            var nodes = buffer.AsSpan(0, Math.Max(32, count * 32));
            HashLeaves(leaves, start, count, nodes);
            ReduceInPlace(nodes, count, root);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Leaf hashes of leaves [start, start + count) into consecutive 32-byte slots.</summary>
    public void HashLeaves(LeafList leaves, int start, int count, Span<byte> hashes)
    {
        if (leaves.IsFixedSize && count >= MinVectorBatch && Sha256x8.IsSupported)
        {
            Sha256x8.HashPrefixed(0x00, leaves.FixedRange(start, count), leaves.FixedLength, count, hashes);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            HashLeaf(leaves.GetSpan(start + i), hashes.Slice(i * 32, 32));
        }
    }

    /// <summary>
    /// Reduces <paramref name="levels"/> levels in place (pairs hashed, an unpaired last node moves up) and returns
    /// the number of nodes left.
    /// </summary>
    public int ReduceLevels(Span<byte> nodes, int count, int levels)
    {
        for (var level = 0; level < levels && count > 1; level++)
        {
            var pairs = count / 2;
            if (pairs >= MinVectorBatch && Sha256x8.IsSupported)
            {
                // Pair j is the 64 bytes at 64·j; its parent goes to 32·j, never ahead of what is still unread.
                Sha256x8.HashPrefixed(0x01, nodes[..(pairs * 64)], 64, pairs, nodes);
            }
            else
            {
                for (var j = 0; j < pairs; j++)
                {
                    HashChildren(nodes.Slice(2 * j * 32, 32), nodes.Slice(((2 * j) + 1) * 32, 32), nodes.Slice(j * 32, 32));
                }
            }

            if ((count & 1) == 1)
            {
                nodes.Slice((count - 1) * 32, 32).CopyTo(nodes.Slice(pairs * 32, 32));
                pairs++;
            }

            count = pairs;
        }

        return count;
    }

    /// <summary>
    /// The RFC 9162 root of all leaves, computed on several cores for large lists. The leaves are cut into parts
    /// whose boundaries are multiples of a power of two g; each part is hashed and reduced log2(g) levels on its own
    /// core, which yields exactly the level-log2(g) nodes of the whole tree (pairing never crosses an aligned
    /// boundary, and only the globally last node can be unpaired); those few nodes are then reduced to the root.
    /// </summary>
    public static void ParallelRoot(LeafList leaves, Span<byte> root)
    {
        var count = leaves.Count;
        var parts = Math.Min(Environment.ProcessorCount, count / MinLeavesPerPart);
        if (parts < 2)
        {
            using var hasher = new LeafHasher();
            hasher.RootOf(leaves, 0, count, root);
            return;
        }

        var levels = Math.Max(0, System.Numerics.BitOperations.Log2((uint)(count / (parts * 8))));
        var group = 1 << levels;
        var bounds = new int[parts + 1];
        for (var k = 1; k < parts; k++)
        {
            bounds[k] = (int)((long)count * k / parts / group * group);
        }

        bounds[parts] = count;
        var nodeCount = (count + group - 1) / group;
        var nodes = ArrayPool<byte>.Shared.Rent(nodeCount * 32);
        try
        {
            Parallel.For(0, parts, part =>
            {
                var start = bounds[part];
                var length = bounds[part + 1] - start;
                var buffer = ArrayPool<byte>.Shared.Rent(length * 32);
                try
                {
                    using var hasher = new LeafHasher();
                    var span = buffer.AsSpan(0, length * 32);
                    hasher.HashLeaves(leaves, start, length, span);
                    var left = hasher.ReduceLevels(span, length, levels);
                    span[..(left * 32)].CopyTo(nodes.AsSpan(start / group * 32));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            });

            using var finisher = new LeafHasher();
            finisher.ReduceInPlace(nodes.AsSpan(0, nodeCount * 32), nodeCount, root);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(nodes);
        }
    }

    public void Dispose() => _sha.Dispose();
}
