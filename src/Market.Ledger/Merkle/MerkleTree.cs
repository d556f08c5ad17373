using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// RFC 9162 §2.1 Merkle tree over SHA-256: leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖
/// right), the tree of n leaves splits at the largest power of two below n, the empty tree's root is SHA-256("").
/// Static members hash and verify; an instance holds the leaf hashes of one tree (append-only) and produces roots
/// of any prefix, inclusion proofs (§2.1.3.1) and consistency proofs (§2.1.4.1). Verifiers follow §2.1.3.2 and
/// §2.1.4.2 and reject any hash that is not exactly 32 bytes.
/// </summary>
public sealed class MerkleTree
{
    /// <summary>Length of every hash.</summary>
    public const int HashSize = 32;

    private static readonly byte[] EmptyRootBytes = SHA256.HashData([]);

    private byte[] _leafHashes = new byte[32 * 16];
    private long _size;

    /// <summary>Number of leaves.</summary>
    internal long Size => _size;

    internal static ReadOnlySpan<byte> EmptyRootSpan => EmptyRootBytes;

    /// <summary>The root of the empty tree, SHA-256("") (a copy).</summary>
    /// <returns>e3b0c442…b855.</returns>
    public static byte[] EmptyRoot() => (byte[])EmptyRootBytes.Clone();

    /// <summary>SHA-256(0x00 ‖ leaf).</summary>
    /// <param name="leaf">Leaf data of any length.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        var result = new byte[HashSize];
        using var hasher = new LeafHasher();
        hasher.HashLeaf(leaf, result);
        return result;
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right). Inputs of any length are hashed as given (RFC 6962 test vectors use
    /// short ones); proof verification itself only ever combines 32-byte hashes.</summary>
    /// <param name="left">Left child.</param>
    /// <param name="right">Right child.</param>
    /// <returns>32 bytes.</returns>
    internal static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([0x01]);
        sha.AppendData(left);
        sha.AppendData(right);
        return sha.GetHashAndReset();
    }

    /// <summary>The RFC 9162 root of a list of leaves (leaf data, not leaf hashes).</summary>
    /// <param name="leaves">The leaves in order.</param>
    /// <returns>32 bytes; SHA-256("") for no leaves.</returns>
    public static byte[] ComputeRoot(LeafList leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var root = new byte[HashSize];
        LeafHasher.ParallelRoot(leaves, root);
        return root;
    }

    /// <summary>The RFC 9162 root of a list of leaves (leaf data, not leaf hashes).</summary>
    /// <param name="leaves">The leaves in order.</param>
    /// <returns>32 bytes; SHA-256("") for no leaves.</returns>
    public static byte[] ComputeRoot(IEnumerable<byte[]> leaves) => ComputeRoot(LeafList.FromArrays(leaves));

    /// <summary>A tree over the given leaves (leaf data; each is hashed with the 0x00 prefix).</summary>
    /// <param name="leaves">The leaves in order.</param>
    /// <returns>The tree.</returns>
    public static MerkleTree FromLeaves(LeafList leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var tree = new MerkleTree();
        tree.EnsureCapacity(leaves.Count);
        using var hasher = new LeafHasher();
        hasher.HashLeaves(leaves, 0, leaves.Count, tree._leafHashes.AsSpan(0, leaves.Count * HashSize));
        tree._size = leaves.Count;
        return tree;
    }

    /// <summary>A tree over the given leaves (leaf data; each is hashed with the 0x00 prefix).</summary>
    /// <param name="leaves">The leaves in order.</param>
    /// <returns>The tree.</returns>
    public static MerkleTree FromLeaves(IEnumerable<byte[]> leaves) => FromLeaves(LeafList.FromArrays(leaves));

    /// <summary>Appends one leaf (its data; hashed with the 0x00 prefix).</summary>
    /// <param name="leaf">Leaf data.</param>
    public void AppendLeaf(ReadOnlySpan<byte> leaf)
    {
        EnsureCapacity(_size + 1);
        using var hasher = new LeafHasher();
        hasher.HashLeaf(leaf, _leafHashes.AsSpan(checked((int)_size * HashSize), HashSize));
        _size++;
    }

    /// <summary>The hash of leaf <paramref name="index"/>.</summary>
    /// <param name="index">0-based index below <see cref="Size"/>.</param>
    /// <returns>32 bytes.</returns>
    internal byte[] LeafHash(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _size);
        return _leafHashes.AsSpan((int)index * HashSize, HashSize).ToArray();
    }

    /// <summary>The root of the whole tree.</summary>
    /// <returns>32 bytes.</returns>
    public byte[] Root() => RootAt(_size);

    /// <summary>The root of the first <paramref name="size"/> leaves (an earlier version of this tree).</summary>
    /// <param name="size">0 … <see cref="Size"/>.</param>
    /// <returns>32 bytes.</returns>
    public byte[] RootAt(long size)
    {
        CheckSize(size);
        var root = new byte[HashSize];
        using var hasher = new LeafHasher();
        SubtreeRoot(hasher, 0, (int)size, root);
        return root;
    }

    /// <summary>RFC 9162 §2.1.3.1 inclusion proof of leaf <paramref name="index"/> in the whole tree.</summary>
    /// <param name="index">0-based leaf index.</param>
    /// <returns>The audit path, leaf side first.</returns>
    public byte[][] InclusionProof(long index) => InclusionProof(index, _size);

    /// <summary>RFC 9162 §2.1.3.1 inclusion proof of leaf <paramref name="index"/> in the tree of the first
    /// <paramref name="size"/> leaves.</summary>
    /// <param name="index">0-based leaf index below <paramref name="size"/>.</param>
    /// <param name="size">Tree size, at most <see cref="Size"/>.</param>
    /// <returns>The audit path, leaf side first.</returns>
    public byte[][] InclusionProof(long index, long size)
    {
        CheckSize(size);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var proof = new List<byte[]>();
        using var hasher = new LeafHasher();
        Path(hasher, (int)index, 0, (int)size, proof);
        return [.. proof];
    }

    /// <summary>RFC 9162 §2.1.4.1 consistency proof from the tree of the first <paramref name="size1"/> leaves to
    /// the tree of the first <paramref name="size2"/> leaves. Empty when the sizes are equal or size1 is 0.</summary>
    /// <param name="size1">Older size.</param>
    /// <param name="size2">Newer size, at most <see cref="Size"/>.</param>
    /// <returns>The proof nodes.</returns>
    public byte[][] ConsistencyProof(long size1, long size2)
    {
        CheckSize(size2);
        ArgumentOutOfRangeException.ThrowIfNegative(size1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size1, size2);
        var proof = new List<byte[]>();
        if (size1 > 0 && size1 < size2)
        {
            using var hasher = new LeafHasher();
            SubProof(hasher, (int)size1, 0, (int)size2, true, proof);
        }

        return [.. proof];
    }

    /// <summary>
    /// RFC 9162 §2.1.3.2: verifies that <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree of
    /// <paramref name="size"/> leaves with root <paramref name="root"/>. Any hash that is not 32 bytes, an index not
    /// below the size, or a proof of the wrong length fails.
    /// </summary>
    /// <param name="leafHash">The leaf hash (32 bytes).</param>
    /// <param name="index">0-based leaf index.</param>
    /// <param name="size">Tree size.</param>
    /// <param name="proof">The audit path.</param>
    /// <param name="root">The expected root (32 bytes).</param>
    /// <returns>Whether the proof holds.</returns>
    public static bool VerifyInclusion(
        ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (root.Length != HashSize)
        {
            return false;
        }

        Span<byte> r = stackalloc byte[HashSize];
        return TryRootFromPath(leafHash, index, size, proof, r) && r.SequenceEqual(root);
    }

    /// <summary>The number of nodes in the inclusion path of leaf <paramref name="index"/> in a tree of
    /// <paramref name="size"/> leaves (0 ≤ index &lt; size).</summary>
    internal static int InclusionProofLength(long index, long size)
    {
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(index ^ (size - 1)));
        var border = BitOperations.PopCount((ulong)index >> inner);
        return inner + border;
    }

    /// <summary>RFC 9162 §2.1.3.2 without the final comparison: the root that <paramref name="proof"/> gives for
    /// <paramref name="leafHash"/> at <paramref name="index"/> in a tree of <paramref name="size"/> leaves. False for
    /// a hash that is not 32 bytes, an index not below the size or a proof of the wrong length.</summary>
    internal static bool TryRootFromPath(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> proof, Span<byte> root)
    {
        if (!IsPathShape(leafHash, index, size, proof, root))
        {
            return false;
        }

        // One stack buffer and the static SHA-256: no allocation per proof (the verifier walks one per order).
        Span<byte> buffer = stackalloc byte[1 + HashSize + HashSize];
        buffer[0] = 0x01;
        var r = root;
        leafHash.CopyTo(r);
        var fn = (ulong)index;
        var sn = (ulong)(size - 1);
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return false;
            }

            PathStep(p, r, buffer, ref fn, ref sn);
        }

        return sn == 0;
    }

    /// <summary>
    /// One step of RFC 9162 §2.1.3.2 (sn not yet 0): hashes <paramref name="node"/> (the running hash, updated in
    /// place) with the sibling <paramref name="sibling"/> on the side the indices give, and moves fn and sn up past
    /// it. Returns how many levels the step climbed (more than one at the right border of an incomplete tree).
    /// </summary>
    /// <param name="sibling">The path's next node.</param>
    /// <param name="node">The running hash (32 bytes), replaced by its parent's.</param>
    /// <param name="buffer">65 bytes starting with 0x01.</param>
    /// <param name="fn">The running node's index at its level.</param>
    /// <param name="sn">The last node's index at that level.</param>
    /// <returns>The levels climbed.</returns>
    internal static int PathStep(ReadOnlySpan<byte> sibling, Span<byte> node, Span<byte> buffer, ref ulong fn, ref ulong sn)
    {
        var levels = 1;
        if ((fn & 1) == 1 || fn == sn)
        {
            sibling.CopyTo(buffer[1..]);
            node.CopyTo(buffer[(1 + HashSize)..]);
            while ((fn & 1) == 0 && fn != 0)
            {
                fn >>= 1;
                sn >>= 1;
                levels++;
            }
        }
        else
        {
            node.CopyTo(buffer[1..]);
            sibling.CopyTo(buffer[(1 + HashSize)..]);
        }

        SHA256.HashData(buffer, node);
        fn >>= 1;
        sn >>= 1;
        return levels;
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: verifies that the tree of <paramref name="size2"/> leaves with root
    /// <paramref name="root2"/> extends the tree of <paramref name="size1"/> leaves with root <paramref name="root1"/>.
    /// Equal sizes need an empty proof and equal roots. A proof from the empty tree (size1 = 0) is rejected: RFC 9162
    /// defines consistency proofs for 0 &lt; size1 &lt; size2 only, and every tree trivially extends the empty one.
    /// Any hash that is not 32 bytes fails.
    /// </summary>
    /// <param name="size1">Older size.</param>
    /// <param name="size2">Newer size.</param>
    /// <param name="proof">The consistency proof.</param>
    /// <param name="root1">Older root (32 bytes).</param>
    /// <param name="root2">Newer root (32 bytes).</param>
    /// <returns>Whether the proof holds.</returns>
    public static bool VerifyConsistency(
        long size1, long size2, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (root1.Length != HashSize || root2.Length != HashSize || size1 < 0 || size2 < size1 || !AllHashes(proof))
        {
            return false;
        }

        if (size1 == size2)
        {
            return proof.Count == 0 && root1.SequenceEqual(root2);
        }

        if (size1 == 0 || proof.Count == 0)
        {
            return false;
        }

        using var hasher = new LeafHasher();
        var path = new List<byte[]>(proof.Count + 1);
        if (BitOperations.IsPow2((ulong)size1))
        {
            path.Add(root1.ToArray());
        }

        path.AddRange(proof);
        var fn = (ulong)(size1 - 1);
        var sn = (ulong)(size2 - 1);
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        Span<byte> fr = stackalloc byte[HashSize];
        Span<byte> sr = stackalloc byte[HashSize];
        path[0].CopyTo(fr);
        path[0].CopyTo(sr);
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                hasher.HashChildren(c, fr, fr);
                hasher.HashChildren(c, sr, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                hasher.HashChildren(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fr.SequenceEqual(root1) && sr.SequenceEqual(root2);
    }

    /// <summary>The RFC 9162 root over leaf hashes already computed (each 32 bytes), e.g. those a fork evidence file
    /// carries.</summary>
    /// <param name="leafHashes">Leaf hashes in order.</param>
    /// <param name="count">How many of them, from the start, form the tree (0 … leafHashes.Count).</param>
    /// <returns>32 bytes; SHA-256("") for none.</returns>
    /// <exception cref="ArgumentException">A hash that is not 32 bytes.</exception>
    public static byte[] RootFromLeafHashes(IReadOnlyList<byte[]> leafHashes, int count)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, leafHashes.Count);
        for (var i = 0; i < count; i++)
        {
            if (leafHashes[i] is not { Length: HashSize })
            {
                throw new ArgumentException("every leaf hash is 32 bytes", nameof(leafHashes));
            }
        }

        return count switch
        {
            0 => EmptyRoot(),
            1 => (byte[])leafHashes[0].Clone(),
            _ => RootOfLeafHashes(leafHashes, 0, count),
        };
    }

    internal static int LargestPowerOfTwoBelow(int n) => (int)BitOperations.RoundUpToPowerOf2((uint)n) >> 1;

    // MTH over leaf hashes [start, end), end > start: split at the largest power of two below the count.
    private static byte[] RootOfLeafHashes(IReadOnlyList<byte[]> leafHashes, int start, int end)
    {
        if (end - start == 1)
        {
            return leafHashes[start];
        }

        var split = start + LargestPowerOfTwoBelow(end - start);
        return HashChildren(RootOfLeafHashes(leafHashes, start, split), RootOfLeafHashes(leafHashes, split, end));
    }

    /// <summary>Whether a path walk can start: 32-byte hashes, 0 ≤ index &lt; size, and the proof of exactly the
    /// length (index, size) fixes, each node 32 bytes.</summary>
    internal static bool IsPathShape(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        return leafHash.Length == HashSize && root.Length == HashSize && index >= 0 && index < size
            && proof.Count == InclusionProofLength(index, size) && AllHashes(proof);
    }

    // Indexed, not foreach: no enumerator is allocated per path (the verifier checks one per order).
    private static bool AllHashes(IReadOnlyList<byte[]> proof)
    {
        for (var i = 0; i < proof.Count; i++)
        {
            if (proof[i] is not { Length: HashSize })
            {
                return false;
            }
        }

        return true;
    }

    // PATH(m, D[n]) over leaves [start, end).
    private void Path(LeafHasher hasher, int m, int start, int end, List<byte[]> proof)
    {
        var n = end - start;
        if (n <= 1)
        {
            return;
        }

        var k = LargestPowerOfTwoBelow(n);
        var node = new byte[HashSize];
        if (m < k)
        {
            Path(hasher, m, start, start + k, proof);
            SubtreeRoot(hasher, start + k, end, node);
        }
        else
        {
            Path(hasher, m - k, start + k, end, proof);
            SubtreeRoot(hasher, start, start + k, node);
        }

        proof.Add(node);
    }

    // SUBPROOF(m, D[n], b) over leaves [start, end).
    private void SubProof(LeafHasher hasher, int m, int start, int end, bool complete, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete)
            {
                var root = new byte[HashSize];
                SubtreeRoot(hasher, start, end, root);
                proof.Add(root);
            }

            return;
        }

        var k = LargestPowerOfTwoBelow(n);
        var node = new byte[HashSize];
        if (m <= k)
        {
            SubProof(hasher, m, start, start + k, complete, proof);
            SubtreeRoot(hasher, start + k, end, node);
        }
        else
        {
            SubProof(hasher, m - k, start + k, end, false, proof);
            SubtreeRoot(hasher, start, start + k, node);
        }

        proof.Add(node);
    }

    private void SubtreeRoot(LeafHasher hasher, int start, int end, Span<byte> root)
    {
        var count = end - start;
        if (count == 1)
        {
            _leafHashes.AsSpan(start * HashSize, HashSize).CopyTo(root);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(HashSize, count * HashSize));
        try
        {
            var nodes = buffer.AsSpan(0, count * HashSize);
            _leafHashes.AsSpan(start * HashSize, count * HashSize).CopyTo(nodes);
            hasher.ReduceInPlace(nodes, count, root);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void CheckSize(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, _size);
    }

    private void EnsureCapacity(long leaves)
    {
        var bytes = checked((int)(leaves * HashSize));
        if (bytes > _leafHashes.Length)
        {
            Array.Resize(ref _leafHashes, Math.Max(bytes, _leafHashes.Length * 2));
        }
    }
}
