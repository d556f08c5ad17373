using System.Text;
using System.Text.Json;

namespace Market.Ledger.Tests;

/// <summary>Every vector of merkle_vectors.json (transparency-dev/merkle, Apache-2.0).</summary>
public sealed class MerkleVectorTests
{
    private static readonly JsonElement Root = Vectors.Load("merkle_vectors.json").RootElement;
    private static readonly string[] ProbeSections = ["inclusion", "consistency"];
    private static readonly string[] HashFields = ["leafHash_hex", "root_hex", "root1_hex", "root2_hex"];

    private static byte[][] LeafInputs => Vectors.HexList(Root.GetProperty("leaf_inputs_hex"));

    public static TheoryData<int> TreeSizes() => [.. Enumerable.Range(0, 9)];

    public static TheoryData<int, string> InclusionProbes() => Probes("inclusion");

    public static TheoryData<int, string> ConsistencyProbes() => Probes("consistency");

    [Theory]
    [MemberData(nameof(TreeSizes))]
    public void ComputeRoot_FirstNLeafInputs_MatchesPublishedRoot(int size)
    {
        var leaves = LeafInputs.Take(size).ToList();
        var expected = Vectors.Hex(Root.GetProperty("root_hashes_by_tree_size")[size]);

        var root = MerkleTree.ComputeRoot(leaves);

        root.ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(TreeSizes))]
    public void RootAt_PrefixOfFullTree_MatchesPublishedRoot(int size)
    {
        var tree = MerkleTree.FromLeaves(LeafInputs);
        var expected = Vectors.Hex(Root.GetProperty("root_hashes_by_tree_size")[size]);

        var root = tree.RootAt(size);

        root.ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(TreeSizes))]
    public void CompactTreeRoot_AppendedOneByOne_MatchesPublishedRoot(int size)
    {
        var tree = new CompactMerkleTree();
        var expected = Vectors.Hex(Root.GetProperty("root_hashes_by_tree_size")[size]);

        foreach (var leaf in LeafInputs.Take(size))
        {
            tree.Append(leaf);
        }

        tree.Root().ShouldBe(expected);
    }

    [Fact]
    public void NodeHashesByLevel_EveryPerfectSubtree_MatchesPublishedHash()
    {
        var levels = Root.GetProperty("node_hashes_by_level");
        var leaves = LeafInputs;

        var mismatches = new List<string>();
        for (var level = 0; level < levels.GetArrayLength(); level++)
        {
            var width = 1 << level;
            for (var i = 0; i < levels[level].GetArrayLength(); i++)
            {
                var got = MerkleTree.ComputeRoot(leaves.Skip(i * width).Take(width));
                if (!got.SequenceEqual(Vectors.Hex(levels[level][i])))
                {
                    mismatches.Add($"level {level} node {i}");
                }
            }
        }

        mismatches.ShouldBeEmpty();
    }

    [Fact]
    public void EmptyRoot_Always_IsSha256OfEmptyString()
    {
        var expected = Vectors.Hex(Root.GetProperty("hasher_vectors")[0].GetProperty("want"));

        var root = MerkleTree.EmptyRoot();

        root.ShouldBe(expected);
    }

    [Fact]
    public void HashLeaf_EmptyLeaf_MatchesHasherVector()
    {
        var expected = Vectors.Hex(Root.GetProperty("hasher_vectors")[1].GetProperty("want"));

        var hash = MerkleTree.HashLeaf([]);

        hash.ShouldBe(expected);
    }

    [Fact]
    public void HashLeaf_AsciiL123456_MatchesHasherVector()
    {
        var vector = Root.GetProperty("hasher_vectors")[2];
        var leaf = Encoding.ASCII.GetBytes(vector.GetProperty("leaf_ascii").GetString()!);

        var hash = MerkleTree.HashLeaf(leaf);

        hash.ShouldBe(Vectors.Hex(vector.GetProperty("want")));
    }

    [Fact]
    public void HashChildren_AsciiN123N456_MatchesHasherVector()
    {
        var vector = Root.GetProperty("hasher_vectors")[3];
        var left = Encoding.ASCII.GetBytes(vector.GetProperty("left_ascii").GetString()!);
        var right = Encoding.ASCII.GetBytes(vector.GetProperty("right_ascii").GetString()!);

        var hash = MerkleTree.HashChildren(left, right);

        hash.ShouldBe(Vectors.Hex(vector.GetProperty("want")));
    }

    [Fact]
    public void InclusionProof_ClassicTable_GeneratesAndVerifiesPublishedPaths()
    {
        var tree = MerkleTree.FromLeaves(LeafInputs);
        var vectors = Root.GetProperty("classic_inclusion_proofs").GetProperty("vectors").EnumerateArray()
            .Where(v => v.GetProperty("size").GetInt64() > 0).ToList();

        foreach (var vector in vectors)
        {
            var index = vector.GetProperty("leaf_1based").GetInt64() - 1;
            var size = vector.GetProperty("size").GetInt64();
            var expected = Vectors.HexList(vector.GetProperty("proof"));
            var proof = tree.InclusionProof(index, size);
            proof.ShouldBe(expected, $"leaf {index} size {size}");
            MerkleTree.VerifyInclusion(tree.LeafHash(index), index, size, proof, tree.RootAt(size)).ShouldBeTrue();
        }

        vectors.Count.ShouldBe(5);
    }

    [Fact]
    public void VerifyInclusion_ClassicEmptyTreeEntry_IsRejected()
    {
        var leafHash = MerkleTree.HashLeaf([]);

        var ok = MerkleTree.VerifyInclusion(leafHash, -1, 0, [], MerkleTree.EmptyRoot());

        ok.ShouldBeFalse();
    }

    [Fact]
    public void ConsistencyProof_ClassicTable_GeneratesAndVerifiesPublishedProofs()
    {
        var tree = MerkleTree.FromLeaves(LeafInputs);
        var vectors = Root.GetProperty("classic_consistency_proofs").GetProperty("vectors").EnumerateArray().ToList();

        foreach (var vector in vectors)
        {
            var size1 = vector.GetProperty("size1").GetInt64();
            var size2 = vector.GetProperty("size2").GetInt64();
            var proof = tree.ConsistencyProof(size1, size2);
            proof.ShouldBe(Vectors.HexList(vector.GetProperty("proof")), $"{size1} -> {size2}");
            MerkleTree.VerifyConsistency(size1, size2, proof, tree.RootAt(size1), tree.RootAt(size2)).ShouldBeTrue();
        }

        vectors.Count.ShouldBe(5);
    }

    [Theory]
    [MemberData(nameof(InclusionProbes))]
    public void VerifyInclusion_GoldenProbe_AcceptsExactlyTheValidOnes(int index, string description)
    {
        var probe = Root.GetProperty("probes").GetProperty("inclusion")[index];
        var expected = !probe.GetProperty("wantErr").GetBoolean() && AllHashes32(probe);

        var ok = MerkleTree.VerifyInclusion(
            Vectors.Hex(probe.GetProperty("leafHash_hex")),
            AsInt64(probe.GetProperty("leafIdx")),
            AsInt64(probe.GetProperty("treeSize")),
            Vectors.HexList(probe.GetProperty("proof_hex")),
            Vectors.Hex(probe.GetProperty("root_hex")));

        ok.ShouldBe(expected, description);
    }

    [Theory]
    [MemberData(nameof(ConsistencyProbes))]
    public void VerifyConsistency_GoldenProbe_AcceptsExactlyTheValidOnes(int index, string description)
    {
        var probe = Root.GetProperty("probes").GetProperty("consistency")[index];
        var expected = !probe.GetProperty("wantErr").GetBoolean() && AllHashes32(probe);

        var ok = MerkleTree.VerifyConsistency(
            AsInt64(probe.GetProperty("size1")),
            AsInt64(probe.GetProperty("size2")),
            Vectors.HexList(probe.GetProperty("proof_hex")),
            Vectors.Hex(probe.GetProperty("root1_hex")),
            Vectors.Hex(probe.GetProperty("root2_hex")));

        ok.ShouldBe(expected, description);
    }

    [Fact]
    public void Probes_WantErrFalseWithNon32ByteHash_IsExactlyTheOneWeRejectOnPurpose()
    {
        // Our verifiers reject every hash that is not exactly 32 bytes (docs/ledger-format.md). transparency-dev
        // compares equal-size roots byte for byte and so accepts 12-byte garbage roots in this one probe; we do not.
        var probes = Root.GetProperty("probes");

        var rejectedValid = ProbeSections
            .SelectMany(section => probes.GetProperty(section).EnumerateArray())
            .Where(p => !p.GetProperty("wantErr").GetBoolean() && !AllHashes32(p))
            .Select(p => p.GetProperty("source_path").GetString())
            .ToList();

        rejectedValid.ShouldBe(["testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"]);
    }

    [Fact]
    public void Probes_AllSections_HaveThePublishedCounts()
    {
        var probes = Root.GetProperty("probes");

        var counts = (probes.GetProperty("inclusion").GetArrayLength(), probes.GetProperty("consistency").GetArrayLength());

        counts.ShouldBe((98, 98));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(0)]
    public void VerifyInclusion_ProofHashNot32Bytes_IsRejected(int length)
    {
        var tree = MerkleTree.FromLeaves(LeafInputs);
        var proof = tree.InclusionProof(2, 8);
        proof[1] = proof[1].Concat(new byte[32]).Take(length).ToArray();

        var ok = MerkleTree.VerifyInclusion(tree.LeafHash(2), 2, 8, proof, tree.Root());

        ok.ShouldBeFalse();
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    public void VerifyInclusion_LeafHashOrRootNot32Bytes_IsRejected(int length)
    {
        var tree = MerkleTree.FromLeaves(LeafInputs.Take(1));
        var resized = tree.Root().Concat(new byte[32]).Take(length).ToArray();

        var leafRejected = !MerkleTree.VerifyInclusion(resized, 0, 1, [], tree.Root());
        var rootRejected = !MerkleTree.VerifyInclusion(tree.LeafHash(0), 0, 1, [], resized);

        (leafRejected, rootRejected).ShouldBe((true, true));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    public void VerifyConsistency_AnyHashNot32Bytes_IsRejected(int length)
    {
        var tree = MerkleTree.FromLeaves(LeafInputs);
        var proof = tree.ConsistencyProof(3, 7);
        var badProof = proof.Select((p, i) => i == 0 ? p.Concat(new byte[32]).Take(length).ToArray() : p).ToArray();
        var badRoot = tree.RootAt(3).Concat(new byte[32]).Take(length).ToArray();

        var results = new[]
        {
            MerkleTree.VerifyConsistency(3, 7, badProof, tree.RootAt(3), tree.RootAt(7)),
            MerkleTree.VerifyConsistency(3, 7, proof, badRoot, tree.RootAt(7)),
            MerkleTree.VerifyConsistency(3, 7, proof, tree.RootAt(3), badRoot),
            MerkleTree.VerifyConsistency(3, 3, [], badRoot, badRoot),
        };

        results.ShouldAllBe(ok => !ok);
    }

    // Sizes and indexes are u64 in the vectors; our API takes long and treats values beyond 2^63-1 as the invalid
    // negative numbers they map to (one probe uses 2^64-1, i.e. "index - 1" wrapped around).
    private static long AsInt64(JsonElement value) => unchecked((long)value.GetUInt64());

    private static bool AllHashes32(JsonElement probe)
    {
        var hashes = new List<byte[]>();
        foreach (var name in HashFields)
        {
            if (probe.TryGetProperty(name, out var value))
            {
                hashes.Add(Vectors.Hex(value));
            }
        }

        hashes.AddRange(Vectors.HexList(probe.GetProperty("proof_hex")));
        return hashes.All(h => h.Length == 32);
    }

    private static TheoryData<int, string> Probes(string section)
    {
        var data = new TheoryData<int, string>();
        var index = 0;
        foreach (var probe in Vectors.Load("merkle_vectors.json").RootElement.GetProperty("probes").GetProperty(section).EnumerateArray())
        {
            data.Add(index++, $"{probe.GetProperty("source_path").GetString()} ({probe.GetProperty("desc").GetString()})");
        }

        return data;
    }
}
