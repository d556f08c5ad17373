using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// An RFC 9162 tree over leaf hashes built bottom-up, every level kept: pairs hashed left to right, an unpaired last
/// node moved up unchanged (the same tree as the largest-power-of-two split of RFC 9162 §2.1.1). The inclusion path
/// of leaf i is then the sibling of its node at each level that has one, leaf side first, so a claimed path is
/// checked by comparing bytes instead of hashing. Used for a household submission whose statements all appear in one
/// book: its size - 1 node hashes replace a walk up every statement's path.
/// </summary>
internal sealed class LevelTree
{
    private const int HashSize = MerkleTree.HashSize;

    private readonly byte[] _nodes;
    private readonly int[] _offsets;
    private readonly int[] _counts;

    private LevelTree(byte[] nodes, int[] offsets, int[] counts)
    {
        _nodes = nodes;
        _offsets = offsets;
        _counts = counts;
    }

    /// <summary>The root (32 bytes).</summary>
    public ReadOnlySpan<byte> Root => Node(_counts.Length - 1, 0);

    /// <summary>Builds the tree over <paramref name="leafHashes"/> (32 bytes each, in leaf order, at least one).</summary>
    public static LevelTree Build(ReadOnlySpan<byte> leafHashes)
    {
        var size = leafHashes.Length / HashSize;
        if (size < 1 || leafHashes.Length % HashSize != 0)
        {
            throw new ArgumentException("at least one 32-byte leaf hash", nameof(leafHashes));
        }

        var levels = 1;
        for (var c = size; c > 1; c = (c + 1) / 2)
        {
            levels++;
        }

        var offsets = new int[levels];
        var counts = new int[levels];
        // Each level holds ceil(previous / 2) nodes: at most 2 · size + levels in all.
        var nodes = new byte[((2 * size) + levels) * HashSize];
        leafHashes.CopyTo(nodes);
        counts[0] = size;
        Span<byte> pair = stackalloc byte[1 + (2 * HashSize)];
        pair[0] = 0x01;
        for (var level = 0; level + 1 < levels; level++)
        {
            var count = counts[level];
            var pairs = count / 2;
            var from = offsets[level];
            var to = offsets[level + 1] = from + count;
            var input = nodes.AsSpan(from * HashSize, pairs * 2 * HashSize);
            var output = nodes.AsSpan(to * HashSize, pairs * HashSize);
            if (pairs >= Sha256x8.Lanes && Sha256x8.IsSupported)
            {
                Sha256x8.HashPrefixed(0x01, input, 2 * HashSize, pairs, output);
            }
            else
            {
                for (var p = 0; p < pairs; p++)
                {
                    input.Slice(p * 2 * HashSize, 2 * HashSize).CopyTo(pair[1..]);
                    SHA256.HashData(pair, output.Slice(p * HashSize, HashSize));
                }
            }

            if (count % 2 == 1)
            {
                nodes.AsSpan((from + count - 1) * HashSize, HashSize).CopyTo(nodes.AsSpan((to + pairs) * HashSize, HashSize));
            }

            counts[level + 1] = pairs + (count % 2);
        }

        return new LevelTree(nodes, offsets, counts);
    }

    /// <summary>Whether <paramref name="path"/> is exactly the inclusion path of leaf <paramref name="index"/>.</summary>
    public bool IsPathOf(int index, byte[][] path)
    {
        if (index < 0 || index >= _counts[0])
        {
            return false;
        }

        var position = 0;
        var node = index;
        for (var level = 0; level + 1 < _counts.Length; level++)
        {
            var sibling = node ^ 1;
            if (sibling < _counts[level])
            {
                if (position >= path.Length || !path[position].AsSpan().SequenceEqual(Node(level, sibling)))
                {
                    return false;
                }

                position++;
            }

            node >>= 1;
        }

        return position == path.Length;
    }

    private ReadOnlySpan<byte> Node(int level, int index) => _nodes.AsSpan((_offsets[level] + index) * HashSize, HashSize);
}
