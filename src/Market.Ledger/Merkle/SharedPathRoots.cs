namespace Market.Ledger;

/// <summary>
/// Roots from RFC 9162 inclusion paths of several leaves of one tree (one size), computed as
/// <see cref="MerkleTree.TryRootFromPath"/> would but without hashing a node twice: the statements of one household
/// submission carry paths that share their upper nodes. After each hash of a walk the node it reached (level and
/// index) is looked up among the nodes earlier walks reached; when an earlier walk reached the same node with the same
/// hash and the rest of both paths is byte-identical, both walks end at the same root, so the earlier root is taken.
/// Any difference (another hash, another sibling above) makes the walk go on by itself, so the result is always the
/// root <see cref="MerkleTree.TryRootFromPath"/> gives. Not thread-safe: one instance per tree and thread.
/// </summary>
internal sealed class SharedPathRoots(long size)
{
    private const int HashSize = MerkleTree.HashSize;

    // Node (level, index) → the walk that reached it first: its hash, that walk's path and position, its root.
    private readonly Dictionary<long, Node> _nodes = [];

    /// <summary>The tree size every path is for.</summary>
    public long Size => size;

    /// <summary>The root <paramref name="proof"/> gives for <paramref name="leafHash"/> at <paramref name="index"/>;
    /// false exactly when <see cref="MerkleTree.TryRootFromPath"/> is false.</summary>
    public bool TryRoot(ReadOnlySpan<byte> leafHash, long index, byte[][] proof, Span<byte> root)
    {
        if (!MerkleTree.IsPathShape(leafHash, index, size, proof, root))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[1 + HashSize + HashSize];
        buffer[0] = 0x01;
        var r = root;
        leafHash.CopyTo(r);
        var fn = (ulong)index;
        var sn = (ulong)(size - 1);
        var level = 0;
        // The nodes this walk reaches, remembered only once it ends well.
        Span<long> keys = stackalloc long[proof.Length];
        var hashes = new byte[proof.Length * HashSize];
        for (var pos = 0; pos < proof.Length; pos++)
        {
            var p = proof[pos];
            if (sn == 0)
            {
                return false;
            }

            level += MerkleTree.PathStep(p, r, buffer, ref fn, ref sn);
            var key = ((long)level << 40) | (long)fn;
            if (_nodes.TryGetValue(key, out var seen) && r.SequenceEqual(seen.Hash) && SameRest(proof, pos + 1, seen.Proof, seen.Position + 1))
            {
                seen.Root.CopyTo(root);
                Remember(keys[..pos], hashes, proof, root);
                return true;
            }

            keys[pos] = key;
            r.CopyTo(hashes.AsSpan(pos * HashSize, HashSize));
        }

        if (sn != 0)
        {
            return false;
        }

        Remember(keys, hashes, proof, root);
        return true;
    }

    private static bool SameRest(byte[][] a, int from, byte[][] b, int bFrom)
    {
        if (a.Length - from != b.Length - bFrom)
        {
            return false;
        }

        for (var i = 0; i < a.Length - from; i++)
        {
            if (!a[from + i].AsSpan().SequenceEqual(b[bFrom + i]))
            {
                return false;
            }
        }

        return true;
    }

    private void Remember(ReadOnlySpan<long> keys, byte[] hashes, byte[][] proof, ReadOnlySpan<byte> root)
    {
        var kept = root.ToArray();
        for (var pos = 0; pos < keys.Length; pos++)
        {
            _nodes.TryAdd(keys[pos], new Node(hashes.AsMemory(pos * HashSize, HashSize), proof, pos, kept));
        }
    }

    private readonly record struct Node(ReadOnlyMemory<byte> HashMemory, byte[][] Proof, int Position, byte[] Root)
    {
        public ReadOnlySpan<byte> Hash => HashMemory.Span;
    }
}
