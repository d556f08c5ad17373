using System.Numerics;

namespace Market.Ledger;

/// <summary>
/// An append-only RFC 9162 tree kept in O(log n) state: the roots of its perfect subtrees, left to right (one per
/// set bit of the size). Enough to append and to compute the current root; used for the ledger-wide tree whose
/// leaves are block header hashes. Persist it with <see cref="Size"/> and <see cref="Nodes"/>.
/// </summary>
public sealed class CompactMerkleTree
{
    private readonly List<byte[]> _nodes = [];

    /// <summary>Number of leaves appended.</summary>
    public long Size { get; private set; }

    /// <summary>The perfect-subtree roots, largest (leftmost) first: one per set bit of <see cref="Size"/>.</summary>
    internal IReadOnlyList<byte[]> Nodes => _nodes.Select(n => (byte[])n.Clone()).ToArray();

    /// <summary>Restores a tree from its persisted state.</summary>
    /// <param name="size">Number of leaves.</param>
    /// <param name="nodes">The subtree roots as given by <see cref="Nodes"/>.</param>
    /// <returns>The tree.</returns>
    /// <exception cref="ArgumentException">The number of nodes is not the number of set bits of the size, or a node
    /// is not 32 bytes.</exception>
    internal static CompactMerkleTree Restore(long size, IReadOnlyList<byte[]> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (nodes.Count != BitOperations.PopCount((ulong)size) || nodes.Any(n => n is null || n.Length != MerkleTree.HashSize))
        {
            throw new ArgumentException("a compact tree of this size needs one 32-byte node per set bit of the size", nameof(nodes));
        }

        var tree = new CompactMerkleTree { Size = size };
        tree._nodes.AddRange(nodes.Select(n => (byte[])n.Clone()));
        return tree;
    }

    /// <summary>Appends a leaf (its data, hashed with the 0x00 prefix). For the ledger-wide tree the leaf is the
    /// 32-byte block header hash.</summary>
    /// <param name="leaf">Leaf data.</param>
    public void Append(ReadOnlySpan<byte> leaf) => AppendLeafHash(MerkleTree.HashLeaf(leaf));

    /// <summary>Appends a precomputed leaf hash.</summary>
    /// <param name="leafHash">32 bytes.</param>
    public void AppendLeafHash(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleTree.HashSize)
        {
            throw new ArgumentException("a leaf hash is 32 bytes", nameof(leafHash));
        }

        var node = leafHash.ToArray();
        using var hasher = new LeafHasher();

        // Each trailing 1-bit of the old size is a perfect subtree of the same height as the carry: merge them.
        for (var s = (ulong)Size; (s & 1) == 1; s >>= 1)
        {
            var left = _nodes[^1];
            _nodes.RemoveAt(_nodes.Count - 1);
            hasher.HashChildren(left, node, node);
        }

        _nodes.Add(node);
        Size++;
    }

    /// <summary>The root: the subtree roots folded right to left; SHA-256("") when empty.</summary>
    /// <returns>32 bytes.</returns>
    public byte[] Root()
    {
        if (_nodes.Count == 0)
        {
            return MerkleTree.EmptyRoot();
        }

        var root = (byte[])_nodes[^1].Clone();
        using var hasher = new LeafHasher();
        for (var i = _nodes.Count - 2; i >= 0; i--)
        {
            hasher.HashChildren(_nodes[i], root, root);
        }

        return root;
    }
}
