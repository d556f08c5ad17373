using CsCheck;

namespace Market.Ledger.Tests;

/// <summary>
/// <see cref="SharedPathRoots"/> skips hashing nodes another path of the same tree reached; it must give exactly what
/// <see cref="MerkleTree.TryRootFromPath"/> gives for every path, honest or changed, in any order.
/// </summary>
public sealed class SharedPathRootsTests
{
    [Fact]
    public void TryRoot_EveryLeafOfEveryTreeUpTo70_GivesTheTreeRoot()
    {
        var leaves = Enumerable.Range(0, 70).Select(i => new[] { (byte)i, (byte)(i * 3) }).ToArray();
        var tree = MerkleTree.FromLeaves(leaves);
        for (var size = 1; size <= 70; size++)
        {
            var walker = new SharedPathRoots(size);
            var root = tree.RootAt(size);
            for (var index = size - 1; index >= 0; index--)
            {
                var got = new byte[32];
                walker.TryRoot(tree.LeafHash(index), index, tree.InclusionProof(index, size), got).ShouldBeTrue($"{index}/{size}");
                got.ShouldBe(root, $"{index}/{size}");
            }
        }
    }

    [Fact]
    public void TryRoot_ChangedSiblingAboveANodeAnotherPathReached_GivesTheChangedRootNotTheShared()
    {
        var tree = MerkleTree.FromLeaves(Enumerable.Range(0, 8).Select(i => new[] { (byte)i }));
        var walker = new SharedPathRoots(8);
        var root = new byte[32];
        walker.TryRoot(tree.LeafHash(0), 0, tree.InclusionProof(0, 8), root).ShouldBeTrue();

        // Leaf 1 reaches node (1, 0) with the same hash as leaf 0 did; its top sibling differs.
        var changed = tree.InclusionProof(1, 8);
        changed[2] = [.. changed[2]];
        changed[2][5] ^= 1;
        var got = new byte[32];
        walker.TryRoot(tree.LeafHash(1), 1, changed, got).ShouldBeTrue();

        var expected = new byte[32];
        MerkleTree.TryRootFromPath(tree.LeafHash(1), 1, 8, changed, expected).ShouldBeTrue();
        got.ShouldBe(expected);
        got.ShouldNotBe(root);
    }

    [Fact]
    public void TryRoot_RandomTreesPathsAndChanges_AgreesWithTryRootFromPath()
    {
        Gen.Select(Gen.Int[1, 300], Gen.Int[0, 1000].Array[0, 6], Gen.Int[0, int.MaxValue]).Sample((size, changes, seed) =>
        {
            var tree = MerkleTree.FromLeaves(Enumerable.Range(0, size).Select(i => BitConverter.GetBytes(i)));
            var random = new Random(seed);
            var paths = Enumerable.Range(0, size).Select(i => tree.InclusionProof(i, size).Select(p => (byte[])p.Clone()).ToArray()).ToArray();
            foreach (var change in changes)
            {
                var path = paths[change % size];
                if (path.Length > 0)
                {
                    path[change % path.Length][change % 32] ^= (byte)(1 + (change % 255));
                }
            }

            var walker = new SharedPathRoots(size);
            foreach (var index in Enumerable.Range(0, size).OrderBy(_ => random.Next()))
            {
                var leaf = tree.LeafHash(index);
                var expected = new byte[32];
                var got = new byte[32];
                var ok = MerkleTree.TryRootFromPath(leaf, index, size, paths[index], expected);
                walker.TryRoot(leaf, index, paths[index], got).ShouldBe(ok);
                if (ok)
                {
                    got.ShouldBe(expected, $"leaf {index} of {size}");
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void TryRoot_WrongLengthOrIndex_IsFalse()
    {
        var tree = MerkleTree.FromLeaves(Enumerable.Range(0, 5).Select(i => new[] { (byte)i }));
        var walker = new SharedPathRoots(5);
        var root = new byte[32];

        walker.TryRoot(tree.LeafHash(2), 2, [.. tree.InclusionProof(2, 5).Skip(1)], root).ShouldBeFalse();
        walker.TryRoot(tree.LeafHash(2), 5, tree.InclusionProof(2, 5), root).ShouldBeFalse();
        walker.TryRoot(tree.LeafHash(2), 2, [.. tree.InclusionProof(2, 5).Select((p, i) => i == 0 ? p[..31] : p)], root).ShouldBeFalse();
    }
}

/// <summary><see cref="LevelTree"/> must be the RFC 9162 tree: the same root and exactly its inclusion paths.</summary>
public sealed class LevelTreeTests
{
    [Fact]
    public void Build_EverySizeUpTo130_HasTheRfc9162RootAndPaths()
    {
        var leaves = Enumerable.Range(0, 130).Select(i => BitConverter.GetBytes(i * 7919)).ToArray();
        var full = MerkleTree.FromLeaves(leaves);
        for (var size = 1; size <= 130; size++)
        {
            var tree = LevelTree.Build([.. Enumerable.Range(0, size).SelectMany(i => full.LeafHash(i))]);

            tree.Root.ToArray().ShouldBe(full.RootAt(size), $"size {size}");
            for (var index = 0; index < size; index++)
            {
                tree.IsPathOf(index, full.InclusionProof(index, size)).ShouldBeTrue($"{index}/{size}");
            }
        }
    }

    [Fact]
    public void IsPathOf_ChangedCutOrLongerPathOrOtherIndex_IsFalse()
    {
        var full = MerkleTree.FromLeaves(Enumerable.Range(0, 13).Select(i => new[] { (byte)i }));
        var tree = LevelTree.Build([.. Enumerable.Range(0, 13).SelectMany(i => full.LeafHash(i))]);
        var path = full.InclusionProof(5, 13);

        tree.IsPathOf(5, [.. path.Select((p, i) => i == 2 ? [.. p.Take(31), (byte)(p[31] ^ 1)] : p)]).ShouldBeFalse();
        tree.IsPathOf(5, path[..^1]).ShouldBeFalse();
        tree.IsPathOf(5, [.. path, path[0]]).ShouldBeFalse();
        tree.IsPathOf(4, path).ShouldBeFalse();
        tree.IsPathOf(13, path).ShouldBeFalse();
    }
}
