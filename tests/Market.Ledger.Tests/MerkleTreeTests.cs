using CsCheck;

namespace Market.Ledger.Tests;

public sealed class MerkleTreeTests
{
    private static readonly Gen<byte[][]> Leaves = Gen.Byte.Array[0, 40].Array[1, 200];

    [Fact]
    public void InclusionProof_EveryLeafOfEveryTreeUpTo64_Verifies()
    {
        var leaves = Enumerable.Range(0, 64).Select(i => new[] { (byte)i, (byte)(i * 7) }).ToArray();
        var tree = MerkleTree.FromLeaves(leaves);

        var failures = new List<string>();
        for (var size = 1; size <= 64; size++)
        {
            var root = tree.RootAt(size);
            for (var index = 0; index < size; index++)
            {
                if (!MerkleTree.VerifyInclusion(tree.LeafHash(index), index, size, tree.InclusionProof(index, size), root))
                {
                    failures.Add($"{index}/{size}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    [Fact]
    public void ConsistencyProof_EveryPairOfSizesUpTo64_Verifies()
    {
        var leaves = Enumerable.Range(0, 64).Select(i => new[] { (byte)i }).ToArray();
        var tree = MerkleTree.FromLeaves(leaves);

        var failures = new List<string>();
        for (var size2 = 1; size2 <= 64; size2++)
        {
            for (var size1 = 1; size1 <= size2; size1++)
            {
                if (!MerkleTree.VerifyConsistency(size1, size2, tree.ConsistencyProof(size1, size2), tree.RootAt(size1), tree.RootAt(size2)))
                {
                    failures.Add($"{size1}->{size2}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    [Fact]
    public void ComputeRoot_RandomTrees_EqualsNaiveRecursiveRfc9162()
    {
        var gen = Leaves;

        gen.Sample(leaves => MerkleTree.ComputeRoot(leaves).SequenceEqual(Reference.Root(leaves)), iter: 200);
    }

    [Fact]
    public void ParallelRoot_LargeRandomTrees_EqualsNaiveRecursiveRfc9162()
    {
        var gen = Gen.Int[LeafHasher.MinLeavesPerPart * 2, 5000].Select(n => Enumerable.Range(0, n).Select(i => BitConverter.GetBytes(i * 31)).ToArray());

        gen.Sample(leaves =>
        {
            var root = new byte[32];
            LeafHasher.ParallelRoot(LeafList.FromArrays(leaves), root);
            return root.SequenceEqual(Reference.Root(leaves));
        }, iter: 30);
    }

    [Fact]
    public void InclusionProof_RandomTreeAndLeaf_VerifiesForEverySize()
    {
        var gen = Leaves.SelectMany(l => Gen.Int[0, l.Length - 1].Select(i => (l, i)));

        gen.Sample(sample =>
        {
            var (leaves, index) = sample;
            var tree = MerkleTree.FromLeaves(leaves);
            for (var size = index + 1; size <= leaves.Length; size++)
            {
                if (!MerkleTree.VerifyInclusion(Reference.LeafHash(leaves[index]), index, size, tree.InclusionProof(index, size), Reference.Root(leaves[..size])))
                {
                    return false;
                }
            }

            return true;
        }, iter: 100);
    }

    [Fact]
    public void ConsistencyProof_RandomTreeAndSizes_Verifies()
    {
        var gen = Leaves.SelectMany(l => Gen.Int[1, l.Length].SelectMany(a => Gen.Int[a, l.Length].Select(b => (l, a, b))));

        gen.Sample(sample =>
        {
            var (leaves, size1, size2) = sample;
            var tree = MerkleTree.FromLeaves(leaves);
            return MerkleTree.VerifyConsistency(size1, size2, tree.ConsistencyProof(size1, size2), Reference.Root(leaves[..size1]), Reference.Root(leaves[..size2]));
        }, iter: 300);
    }

    [Fact]
    public void VerifyInclusion_AnySingleBitFlipInProofLeafOrRoot_IsRejected()
    {
        var gen = Leaves.Where(l => l.Length > 1).SelectMany(l => Gen.Int[0, l.Length - 1].SelectMany(i => Gen.Int[0, 10_000].Select(bit => (l, i, bit))));

        gen.Sample(sample =>
        {
            var (leaves, index, bitSeed) = sample;
            var tree = MerkleTree.FromLeaves(leaves);
            var proof = tree.InclusionProof(index);
            var parts = new List<byte[]> { tree.LeafHash(index), tree.Root() };
            parts.AddRange(proof);
            var totalBits = parts.Count * 256;
            var bit = bitSeed % totalBits;
            var part = parts[bit / 256];
            part[bit % 256 / 8] ^= (byte)(1 << (bit % 8));
            return !MerkleTree.VerifyInclusion(parts[0], index, leaves.Length, parts.Skip(2).ToArray(), parts[1]);
        }, iter: 300);
    }

    [Fact]
    public void VerifyConsistency_AnySingleBitFlipInProofOrRoots_IsRejected()
    {
        var gen = Leaves.Where(l => l.Length > 2).SelectMany(l => Gen.Int[1, l.Length - 1].SelectMany(a => Gen.Int[0, 10_000].Select(bit => (l, a, bit))));

        gen.Sample(sample =>
        {
            var (leaves, size1, bitSeed) = sample;
            var tree = MerkleTree.FromLeaves(leaves);
            var parts = new List<byte[]> { tree.RootAt(size1), tree.Root() };
            parts.AddRange(tree.ConsistencyProof(size1, leaves.Length));
            var bit = bitSeed % (parts.Count * 256);
            parts[bit / 256][bit % 256 / 8] ^= (byte)(1 << (bit % 8));
            return !MerkleTree.VerifyConsistency(size1, leaves.Length, parts.Skip(2).ToArray(), parts[0], parts[1]);
        }, iter: 300);
    }

    [Fact]
    public void VerifyInclusion_AnySingleBitFlipInTheLeafData_IsRejected()
    {
        var gen = Leaves.SelectMany(l => Gen.Int[0, l.Length - 1].SelectMany(i => Gen.Int[0, 10_000].Select(bit => (l, i, bit))))
            .Where(s => s.l[s.i].Length > 0);

        gen.Sample(sample =>
        {
            var (leaves, index, bitSeed) = sample;
            var tree = MerkleTree.FromLeaves(leaves);
            var leaf = (byte[])leaves[index].Clone();
            var bit = bitSeed % (leaf.Length * 8);
            leaf[bit / 8] ^= (byte)(1 << (bit % 8));
            return !MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(leaf), index, leaves.Length, tree.InclusionProof(index), tree.Root());
        }, iter: 300);
    }

    [Fact]
    public void CompactTree_RandomAppends_MatchesFullTreeAndRestores()
    {
        var gen = Gen.Byte.Array[32].Array[0, 300];

        gen.Sample(hashes =>
        {
            var compact = new CompactMerkleTree();
            foreach (var hash in hashes)
            {
                compact.Append(hash);
            }

            var restored = CompactMerkleTree.Restore(compact.Size, compact.Nodes);
            restored.Append([1, 2, 3]);
            var full = MerkleTree.FromLeaves([.. hashes, [1, 2, 3]]);
            return compact.Root().SequenceEqual(Reference.Root(hashes)) && restored.Root().SequenceEqual(full.Root());
        }, iter: 100);
    }

    [Fact]
    public void CompactTreeRestore_WrongNodeCount_Throws()
    {
        var nodes = new List<byte[]> { new byte[32] };

        var act = () => CompactMerkleTree.Restore(3, nodes);

        Should.Throw<ArgumentException>(act);
    }

    [Fact]
    public void ConsistencyProof_FromEmptyOrToSameSize_IsEmpty()
    {
        var tree = MerkleTree.FromLeaves([[1], [2], [3]]);

        var proofs = (tree.ConsistencyProof(0, 3).Length, tree.ConsistencyProof(3, 3).Length);

        proofs.ShouldBe((0, 0));
    }

    [Fact]
    public void VerifyConsistency_FromEmptyTree_IsRejectedByDesign()
    {
        var tree = MerkleTree.FromLeaves([[1], [2], [3]]);

        var ok = MerkleTree.VerifyConsistency(0, 3, [], MerkleTree.EmptyRoot(), tree.Root());

        ok.ShouldBeFalse();
    }

    [Fact]
    public void VerifyInclusion_ProofWithExtraOrMissingNode_IsRejected()
    {
        var tree = MerkleTree.FromLeaves(Enumerable.Range(0, 13).Select(i => new[] { (byte)i }));
        var proof = tree.InclusionProof(5);

        var results = (MerkleTree.VerifyInclusion(tree.LeafHash(5), 5, 13, [.. proof, new byte[32]], tree.Root()),
            MerkleTree.VerifyInclusion(tree.LeafHash(5), 5, 13, proof[..^1], tree.Root()));

        results.ShouldBe((false, false));
    }

    [Fact]
    public void InclusionProof_IndexNotBelowSize_Throws()
    {
        var tree = MerkleTree.FromLeaves([[1], [2]]);

        var act = () => tree.InclusionProof(2, 2);

        Should.Throw<ArgumentOutOfRangeException>(act);
    }
}
