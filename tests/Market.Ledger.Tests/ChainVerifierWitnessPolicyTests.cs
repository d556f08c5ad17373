using System.Text;

namespace Market.Ledger.Tests;

/// <summary>Block kind 7 (the witness policy) and checkpoint notes checked against the verified blocks.</summary>
public sealed class ChainVerifierWitnessPolicyTests
{
    private static ChainVerifier Verified(IEnumerable<LedgerBlock> blocks)
    {
        var verifier = new ChainVerifier(new FakeReplayer());
        foreach (var block in blocks)
        {
            verifier.Append(block).ShouldBeTrue(verifier.Failure?.Message);
        }

        return verifier;
    }

    private static SignedNote Note(long size, byte[] root, NoteSigningKey? log = null, string origin = TestChain.Origin, params NoteSigningKey[] witnesses)
    {
        var body = new CheckpointNote(origin, size, root, []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, log ?? TestChain.LogNoteKey)]);
        foreach (var witness in witnesses)
        {
            note = note.WithSignature(Cosignature.Sign(body, 1_767_300_000, witness));
        }

        return note;
    }

    private static SignedNote LatestNote(params NoteSigningKey[] witnesses) =>
        Note(TestChain.Valid.Blocks.Count, TestChain.Valid.LedgerTree().Root(), witnesses: witnesses);

    [Fact]
    public void Verify_ChainWithPolicyBlock_ExposesThePolicy()
    {
        var chain = TestChain.Valid;

        var result = ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, new FakeReplayer());

        result.IsValid.ShouldBeTrue(result.Failure?.Message);
        result.WitnessPolicy.ShouldNotBeNull().Encode().ShouldBe(TestChain.Policy.Encode());
        chain.Blocks[TestChain.WitnessPolicyHeight].Header.Kind.ShouldBe(BlockKind.WitnessPolicy);
    }

    [Fact]
    public void WitnessPolicy_BeforeThePolicyBlock_IsNull()
    {
        var verifier = Verified(TestChain.Valid.Blocks.Take(TestChain.WitnessPolicyHeight));

        verifier.WitnessPolicy.ShouldBeNull();
        verifier.Origin.ShouldBeNull();
        verifier.Append(TestChain.Valid.Blocks[TestChain.WitnessPolicyHeight]).ShouldBeTrue();
        verifier.WitnessPolicy.ShouldNotBeNull();
        verifier.Origin.ShouldBe(TestChain.Origin);
    }

    [Fact]
    public void SealWitnessPolicy_PolicyWithoutALog_Throws()
    {
        WitnessPolicy.TryParse("quorum none\n", out var policy, out _).ShouldBeTrue();

        Should.Throw<ArgumentException>(() => BlockSealer.SealWitnessPolicy(TestChain.Valid.Blocks[^1].NextTip, TestChain.KeyB, policy!, TestChain.Gate(3).AddSeconds(3)));
    }

    [Fact]
    public void SealWitnessPolicy_Leaf_IsTheCanonicalText()
    {
        var block = TestChain.Valid.Blocks[TestChain.WitnessPolicyHeight];

        var leaf = Encoding.UTF8.GetString(block.Leaves.GetSpan(0));

        leaf.ShouldBe(TestChain.Policy.Encode());
        block.Leaves.Count.ShouldBe(1);
    }

    [Fact]
    public void Append_PolicyBeyond16384Bytes_WitnessPolicyInvalid()
    {
        var blocks = TestChain.Valid.Copy();
        var text = TestChain.Policy.Encode() + new string('#', BlockSealer.MaxWitnessPolicySize) + "\n";
        blocks[^1] = TestChain.Resign(blocks[^1], TestChain.KeyB, leaves: LeafList.FromArrays([Encoding.UTF8.GetBytes(text)]));

        var result = ChainVerifier.Verify(blocks, null, null);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.WitnessPolicyInvalid);
        result.Failure.Height.ShouldBe(TestChain.WitnessPolicyHeight);
    }

    [Fact]
    public void Append_PolicyNotUtf8_WitnessPolicyInvalid()
    {
        var blocks = TestChain.Valid.Copy();
        blocks[^1] = TestChain.Resign(blocks[^1], TestChain.KeyB, leaves: LeafList.FromArrays([[0xff, 0x0a]]));

        var result = ChainVerifier.Verify(blocks, null, null);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.WitnessPolicyInvalid);
        result.Failure.LeafIndex.ShouldBe(0);
    }

    [Fact]
    public void Append_PolicyWithTwoLogs_WitnessPolicyInvalid()
    {
        var blocks = TestChain.Valid.Copy();
        var other = NoteSigningKey.Generate(TestChain.Origin, NoteVerifierKey.Ed25519).VerifierKey;
        var text = $"log {TestChain.LogNoteKey.VerifierKey}\nlog {other}\nquorum none\n";
        blocks[^1] = TestChain.Resign(blocks[^1], TestChain.KeyB, leaves: LeafList.FromArrays([Encoding.UTF8.GetBytes(text)]));

        var result = ChainVerifier.Verify(blocks, null, null);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.WitnessPolicyInvalid);
    }

    [Fact]
    public void Append_PolicyBlockWithAnInterval_InvalidHeaderField()
    {
        var blocks = TestChain.Valid.Copy();
        blocks[^1] = TestChain.Resign(blocks[^1], TestChain.KeyB, h => h with { IntervalStart = 1, IntervalEnd = 2 });

        var result = ChainVerifier.Verify(blocks, null, null);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.InvalidHeaderField);
    }

    [Fact]
    public void Append_LaterPolicyWithNewLogKeySameOrigin_IsInForceAndOldNotesStillVerify()
    {
        var newLog = NoteSigningKey.Generate(TestChain.Origin, NoteVerifierKey.Ed25519);
        var policy = WitnessPolicy.Create(newLog.VerifierKey, null, [], 0);
        var blocks = TestChain.Valid.Copy();
        var tip = TestChain.Valid.Blocks[^1].NextTip;
        blocks.Add(BlockSealer.SealWitnessPolicy(tip, TestChain.KeyB, policy, TestChain.Gate(3).AddSeconds(3)));
        var verifier = Verified(blocks);
        var tree = MerkleTree.FromLeaves(blocks.Select(b => BlockHeader.Hash(b.HeaderBytes)));

        var old = verifier.CheckNote(Note(13, tree.RootAt(13)), null);
        var current = verifier.CheckNote(Note(14, tree.Root(), newLog), null);

        verifier.WitnessPolicy!.Encode().ShouldBe(policy.Encode());
        old.IsValid.ShouldBeTrue(old.Failure?.Message);
        current.IsValid.ShouldBeTrue(current.Failure?.Message);
        current.QuorumMet.ShouldBeTrue();
    }

    [Fact]
    public void CheckNote_LatestCosignedByOne_ValidAndQuorumMet()
    {
        var verifier = Verified(TestChain.Valid.Blocks);

        var check = verifier.CheckNote(LatestNote(TestChain.CoopWitness), null);

        check.IsValid.ShouldBeTrue(check.Failure?.Message);
        check.Size.ShouldBe(13);
        check.RootMatches.ShouldBeTrue();
        check.LogSignatureValid.ShouldBeTrue();
        check.QuorumMet.ShouldBeTrue();
        check.AuditorPolicy.ShouldBeFalse();
        check.Cosigners.ShouldBe([("coop", 1_767_300_000L)]);
    }

    [Fact]
    public void CheckNote_NoCosignatureUnderTheSealedPolicy_ReportedNotAFailure()
    {
        var verifier = Verified(TestChain.Valid.Blocks);

        var check = verifier.CheckNote(LatestNote(), null);

        check.IsValid.ShouldBeTrue();
        check.QuorumMet.ShouldBeFalse();
        check.Cosigners.ShouldBeEmpty();
    }

    [Fact]
    public void CheckNote_EarlierSize_RootOfThatPrefix()
    {
        var verifier = Verified(TestChain.Valid.Blocks);

        var check = verifier.CheckNote(Note(10, TestChain.Valid.LedgerTree().RootAt(10)), null);

        check.IsValid.ShouldBeTrue(check.Failure?.Message);
    }

    [Fact]
    public void CheckNote_AuditorPolicyNeedsBoth_WitnessQuorumNotMet()
    {
        var verifier = Verified(TestChain.Valid.Blocks);
        var auditor = WitnessPolicy.Create(TestChain.LogNoteKey.VerifierKey, null,
            [("u", TestChain.UtilityWitness.VerifierKey, null), ("c", TestChain.CoopWitness.VerifierKey, null)], 2);

        var one = verifier.CheckNote(LatestNote(TestChain.UtilityWitness), auditor);
        var both = verifier.CheckNote(LatestNote(TestChain.UtilityWitness, TestChain.CoopWitness), auditor);

        one.Failure!.Reason.ShouldBe(VerificationFailureReason.WitnessQuorumNotMet);
        one.AuditorPolicy.ShouldBeTrue();
        one.Cosigners.Select(c => c.Name).ShouldBe(["u"]);
        both.IsValid.ShouldBeTrue(both.Failure?.Message);
        both.QuorumMet.ShouldBeTrue();
    }

    [Fact]
    public void CheckNote_AuditorPolicyWithAnotherLog_CheckpointNoteInvalid()
    {
        var verifier = Verified(TestChain.Valid.Blocks);
        var auditor = WitnessPolicy.Create(NoteSigningKey.Generate(TestChain.Origin, NoteVerifierKey.Ed25519).VerifierKey, null, [], 0);

        var check = verifier.CheckNote(LatestNote(), auditor);

        check.Failure!.Reason.ShouldBe(VerificationFailureReason.CheckpointNoteInvalid);
    }

    [Fact]
    public void CheckNote_AuditorPolicyWithoutLogs_JudgesOnlyTheCosignatures()
    {
        var verifier = Verified(TestChain.Valid.Blocks);
        WitnessPolicy.TryParse($"witness u {TestChain.UtilityWitness.VerifierKey}\nquorum u\n", out var auditor, out _).ShouldBeTrue();

        var check = verifier.CheckNote(LatestNote(TestChain.UtilityWitness), auditor);

        check.IsValid.ShouldBeTrue(check.Failure?.Message);
        check.QuorumMet.ShouldBeTrue();
    }

    [Fact]
    public void CheckNote_BrokenCosignature_ReportedAndQuorumNotMet()
    {
        var verifier = Verified(TestChain.Valid.Blocks);
        var note = LatestNote(TestChain.CoopWitness);
        var line = note.Signatures[1];
        note = note with { Signatures = [note.Signatures[0], line with { Signature = [.. line.Signature[..^1], (byte)(line.Signature[^1] ^ 1)] }] };

        var check = verifier.CheckNote(note, null);

        check.InvalidCosigners.ShouldBe(["coop"]);
        check.QuorumMet.ShouldBeFalse();
    }

    [Theory]
    [InlineData("root")]
    [InlineData("size")]
    [InlineData("origin")]
    [InlineData("signer")]
    [InlineData("bad log line")]
    [InlineData("not a checkpoint")]
    public void CheckNote_Wrong_CheckpointNoteInvalid(string what)
    {
        var verifier = Verified(TestChain.Valid.Blocks);
        var root = TestChain.Valid.LedgerTree().Root();
        var note = what switch
        {
            "root" => Note(13, TestChain.Valid.LedgerTree().RootAt(12)),
            "size" => Note(14, root),
            "origin" => Note(13, root, NoteSigningKey.Generate("other.example/ledger", NoteVerifierKey.Ed25519), "other.example/ledger"),
            "signer" => Note(13, root, NoteSigningKey.Generate(TestChain.Origin, NoteVerifierKey.Ed25519)),
            "bad log line" => Note(13, root).WithSignature(SignedNote.Sign("other\n", TestChain.LogNoteKey)),
            _ => new SignedNote("hello\n", [SignedNote.Sign("hello\n", TestChain.LogNoteKey)]),
        };

        var check = verifier.CheckNote(note, null);

        check.Failure.ShouldNotBeNull().Reason.ShouldBe(VerificationFailureReason.CheckpointNoteInvalid);
        check.QuorumMet.ShouldBeFalse();
    }

    [Fact]
    public void CheckNote_LedgerWithoutPolicy_CheckpointNoteInvalid()
    {
        var verifier = Verified(TestChain.Valid.Blocks.Take(TestChain.WitnessPolicyHeight));

        var check = verifier.CheckNote(Note(12, TestChain.Valid.LedgerTree().RootAt(12)), null);

        check.Failure!.Reason.ShouldBe(VerificationFailureReason.CheckpointNoteInvalid);
    }

    [Fact]
    public void Export_PolicyBlock_NamedWitnessPolicyAndReadBack()
    {
        var chain = TestChain.Valid;
        using var stream = new MemoryStream();
        LedgerExport.Write(stream, chain.Blocks, chain.Checkpoint);

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        stream.Position = 0;
        var result = ChainVerifier.VerifyExport(stream, new FakeReplayer());

        lines[TestChain.WitnessPolicyHeight + 1].ShouldStartWith("""{"type":"block","height":12,"kind":"witnessPolicy",""");
        result.IsValid.ShouldBeTrue(result.Failure?.Message);
        result.WitnessPolicy.ShouldNotBeNull();
    }
}
