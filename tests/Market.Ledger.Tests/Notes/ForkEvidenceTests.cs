using System.Security.Cryptography;

namespace Market.Ledger.Tests;

public sealed class ForkEvidenceTests
{
    private static readonly NoteSigningKey Log = NoteSigningKey.Generate("market.example/ledger", NoteVerifierKey.Ed25519);

    private static byte[][] Leaves(int count, int seed = 0) =>
        [.. Enumerable.Range(0, count).Select(i => MerkleTree.HashLeaf(SHA256.HashData(BitConverter.GetBytes((seed * 1000) + i))))];

    private static SignedNote Note(byte[][] leafHashes, NoteSigningKey? key = null, string? origin = null)
    {
        var body = new CheckpointNote(origin ?? Log.Name, leafHashes.Length, MerkleTree.RootFromLeafHashes(leafHashes, leafHashes.Length), []).Body();
        return new SignedNote(body, [SignedNote.Sign(body, key ?? Log)]);
    }

    [Fact]
    public void Build_SmallerRootNotAPrefix_ProvesAFork()
    {
        var honest = Leaves(7);
        var forked = Leaves(4, seed: 1);

        var evidence = ForkEvidence.Build(Log.VerifierKey, Note(honest), Note(forked), honest);

        evidence.ShouldNotBeNull();
        evidence.Verify(out var explanation).ShouldBeTrue();
        explanation.ShouldContain("forked");
        SignedNote.TryParse(evidence.First, out var first, out _).ShouldBeTrue();
        first!.Text.ShouldContain("\n4\n");
    }

    [Fact]
    public void Build_ConsistentCheckpoints_IsNull()
    {
        var leaves = Leaves(7);

        var evidence = ForkEvidence.Build(Log.VerifierKey, Note(leaves[..3]), Note(leaves), leaves);

        evidence.ShouldBeNull();
    }

    [Fact]
    public void Build_SameSizeDifferentRoots_ProvesAFork()
    {
        var a = Leaves(5);
        var b = Leaves(5, seed: 2);

        var evidence = ForkEvidence.Build(Log.VerifierKey, Note(a), Note(b), b);

        evidence.ShouldNotBeNull();
        evidence.Verify(out _).ShouldBeTrue();
    }

    [Fact]
    public void Build_NotSignedByTheLogKey_IsNull()
    {
        var other = NoteSigningKey.Generate(Log.Name, NoteVerifierKey.Ed25519);
        var honest = Leaves(7);

        ForkEvidence.Build(Log.VerifierKey, Note(honest), Note(Leaves(4, 1), other), honest).ShouldBeNull();
    }

    [Fact]
    public void Build_LeavesThatDoNotGiveTheLargerRoot_IsNull()
    {
        ForkEvidence.Build(Log.VerifierKey, Note(Leaves(7)), Note(Leaves(4, 1)), Leaves(7, 3)).ShouldBeNull();
    }

    [Fact]
    public void ToJson_TryParse_RoundTripsAndStillVerifies()
    {
        var honest = Leaves(9);
        var evidence = ForkEvidence.Build(Log.VerifierKey, Note(honest), Note(Leaves(2, 1)), honest)!;

        var json = evidence.ToJson();

        json.ShouldStartWith("{\"format\":\"market-fork-evidence/1\",\"logKey\":\"" + Log.VerifierKey.Encode() + "\"");
        ForkEvidence.TryParse(json, out var parsed, out var error).ShouldBeTrue(error);
        parsed!.LogKey.ShouldBe(evidence.LogKey);
        parsed.First.ShouldBe(evidence.First);
        parsed.Second.ShouldBe(evidence.Second);
        parsed.LargerTreeLeafHashes.Count.ShouldBe(9);
        parsed.Verify(out _).ShouldBeTrue();
        parsed.ToJson().ShouldBe(json);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"format\":\"other\",\"logKey\":\"a\",\"first\":\"b\",\"second\":\"c\",\"leafHashes\":[]}")]
    [InlineData("{\"format\":\"market-fork-evidence/1\",\"logKey\":\"a\",\"first\":\"b\",\"second\":\"c\"}")]
    [InlineData("{\"format\":\"market-fork-evidence/1\",\"logKey\":\"a\",\"first\":\"b\",\"second\":\"c\",\"leafHashes\":[\"AAAA\"]}")]
    [InlineData("{\"format\":\"market-fork-evidence/1\",\"logKey\":1,\"first\":\"b\",\"second\":\"c\",\"leafHashes\":[]}")]
    public void TryParse_Malformed_ReturnsError(string json)
    {
        ForkEvidence.TryParse(json, out var evidence, out var error).ShouldBeFalse();

        evidence.ShouldBeNull();
        error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Verify_TamperedNote_IsNotEvidence()
    {
        var honest = Leaves(7);
        var evidence = ForkEvidence.Build(Log.VerifierKey, Note(honest), Note(Leaves(4, 1)), honest)!;

        var tampered = evidence with { First = evidence.First.Replace("\n4\n", "\n5\n", StringComparison.Ordinal) };

        tampered.Verify(out var explanation).ShouldBeFalse();
        explanation.ShouldContain("no valid signature");
    }

    [Fact]
    public void Verify_OriginOtherThanTheKeyName_IsNotEvidence()
    {
        var honest = Leaves(7);
        var evidence = new ForkEvidence(Log.VerifierKey.Encode(), Note(Leaves(4, 1), origin: "other.example").Encode(), Note(honest).Encode(), honest);

        evidence.Verify(out var explanation).ShouldBeFalse();
        explanation.ShouldContain("origin");
    }

    [Fact]
    public void RootFromLeafHashes_MatchesComputeRootOverTheLeaves()
    {
        byte[][] leaves = [.. Enumerable.Range(0, 13).Select(i => new[] { (byte)i })];
        var hashes = leaves.Select(l => MerkleTree.HashLeaf(l)).ToArray();

        for (var n = 0; n <= leaves.Length; n++)
        {
            MerkleTree.RootFromLeafHashes(hashes, n).ShouldBe(MerkleTree.ComputeRoot(leaves.Take(n)));
        }
    }
}
