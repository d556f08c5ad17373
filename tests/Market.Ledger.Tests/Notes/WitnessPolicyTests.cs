namespace Market.Ledger.Tests;

public sealed class WitnessPolicyTests
{
    private static readonly NoteSigningKey Log = NoteSigningKey.Generate("market.example/ledger", NoteVerifierKey.Ed25519);
    private static readonly NoteSigningKey[] WitnessKeys =
    [
        NoteSigningKey.Generate("utility.example/witness", NoteVerifierKey.CosignatureV1),
        NoteSigningKey.Generate("coop.example/witness", NoteVerifierKey.CosignatureV1),
        NoteSigningKey.Generate("school.example/witness", NoteVerifierKey.CosignatureV1),
    ];

    private static readonly string[] Names = ["utility", "coop", "school"];

    private static WitnessPolicy TwoOfThree() => WitnessPolicy.Create(
        Log.VerifierKey,
        "https://market.example/",
        [.. WitnessKeys.Select((k, i) => (Names[i], k.VerifierKey, (string?)null))],
        2);

    private static SignedNote Checkpoint(params int[] cosigners)
    {
        var body = new CheckpointNote(Log.Name, 3, new byte[32], []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, Log)]);
        foreach (var i in cosigners)
        {
            note = note.WithSignature(Cosignature.Sign(body, 1000 + i, WitnessKeys[i]));
        }

        return note;
    }

    [Fact]
    public void Create_ThreeWitnesses_WritesTheCanonicalText()
    {
        var policy = TwoOfThree();

        var text = policy.Encode();

        text.ShouldBe(
            $"log {Log.VerifierKey.Encode()} https://market.example/\n"
            + $"witness utility {WitnessKeys[0].VerifierKey.Encode()}\n"
            + $"witness coop {WitnessKeys[1].VerifierKey.Encode()}\n"
            + $"witness school {WitnessKeys[2].VerifierKey.Encode()}\n"
            + "group witnesses 2 utility coop school\n"
            + "quorum witnesses\n");
        policy.Threshold.ShouldBe(2);
        policy.Quorum.ShouldBe("witnesses");
        policy.Groups.Single().Members.ShouldBe(Names);
    }

    [Fact]
    public void Create_NoWitnesses_QuorumNone()
    {
        var policy = WitnessPolicy.Create(Log.VerifierKey, null, [], 0);

        policy.Encode().ShouldBe($"log {Log.VerifierKey.Encode()}\nquorum none\n");
        policy.Threshold.ShouldBe(0);
        policy.IsSatisfiedBy(new HashSet<string>()).ShouldBeTrue();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Create_ThresholdOutOfRange_Throws(int threshold)
    {
        Should.Throw<ArgumentException>(() => WitnessPolicy.Create(
            Log.VerifierKey, null, [.. WitnessKeys.Select((k, i) => (Names[i], k.VerifierKey, (string?)null))], threshold));
    }

    [Fact]
    public void Create_WitnessNamedLikeTheGroup_Throws()
    {
        Should.Throw<ArgumentException>(() => WitnessPolicy.Create(
            Log.VerifierKey, null, [("witnesses", WitnessKeys[0].VerifierKey, null)], 1));
    }

    [Fact]
    public void Check_TwoOfThreeCosigned_QuorumMet()
    {
        var check = TwoOfThree().Check(Checkpoint(0, 2));

        check.LogSignatureValid.ShouldBeTrue();
        check.QuorumMet.ShouldBeTrue();
        check.IsValid.ShouldBeTrue();
        check.Cosigners.ShouldBe([("utility", 1000L), ("school", 1002L)]);
        check.InvalidCosigners.ShouldBeEmpty();
        check.Checkpoint!.Size.ShouldBe(3);
    }

    [Fact]
    public void Check_OneOfThreeCosigned_QuorumNotMet()
    {
        var check = TwoOfThree().Check(Checkpoint(1));

        check.LogSignatureValid.ShouldBeTrue();
        check.QuorumMet.ShouldBeFalse();
        check.Cosigners.Select(c => c.Name).ShouldBe(["coop"]);
        check.Problem.ShouldNotBeNull();
    }

    [Fact]
    public void Check_BadCosignatureLine_ReportsItAndFailsTheQuorum()
    {
        var note = Checkpoint(0, 1, 2);
        var broken = note.Signatures[2] with { Signature = [.. note.Signatures[2].Signature.Take(71), (byte)(note.Signatures[2].Signature[71] ^ 1)] };
        note = note with { Signatures = [note.Signatures[0], note.Signatures[1], broken, note.Signatures[3]] };

        var check = TwoOfThree().Check(note);

        check.InvalidCosigners.ShouldBe(["coop"]);
        check.Cosigners.Select(c => c.Name).ShouldBe(["utility", "school"]);
        check.QuorumMet.ShouldBeFalse();
        check.Problem!.ShouldContain("coop");
    }

    [Fact]
    public void Check_OriginNotTheLogKeyName_LogSignatureInvalid()
    {
        var body = new CheckpointNote("another.example/log", 3, new byte[32], []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, Log)]);

        var check = WitnessPolicy.Create(Log.VerifierKey, null, [], 0).Check(note);

        check.LogSignatureValid.ShouldBeFalse();
        check.QuorumMet.ShouldBeFalse();
    }

    [Fact]
    public void Check_NotACheckpoint_NoCheckpointAndAProblem()
    {
        var note = new SignedNote("hello\n", [SignedNote.Sign("hello\n", Log)]);

        var check = TwoOfThree().Check(note);

        check.Checkpoint.ShouldBeNull();
        check.QuorumMet.ShouldBeFalse();
        check.Problem.ShouldNotBeNull();
    }

    [Fact]
    public void Check_UnknownSignatures_AreIgnored()
    {
        var stranger = NoteSigningKey.Generate("stranger.example", NoteVerifierKey.CosignatureV1);
        var note = Checkpoint(0, 1);
        note = note.WithSignature(Cosignature.Sign(note.Text, 1, stranger));

        var check = TwoOfThree().Check(note);

        check.QuorumMet.ShouldBeTrue();
        check.Cosigners.Count.ShouldBe(2);
    }

    [Fact]
    public void TryParse_EncodedPolicy_RoundTrips()
    {
        var policy = TwoOfThree();

        WitnessPolicy.TryParse(policy.Encode(), out var parsed, out var error).ShouldBeTrue(error);

        parsed!.Encode().ShouldBe(policy.Encode());
        parsed.Logs.Single().Url.ShouldBe("https://market.example/");
        parsed.Witnesses.Select(w => w.Name).ShouldBe(Names);
    }

    [Fact]
    public void Encode_AnyAndAllGroups_WritesNumericThresholds()
    {
        var text = $"witness a {WitnessKeys[0].VerifierKey}\nwitness b {WitnessKeys[1].VerifierKey}\ngroup g all a b\ngroup h any g\nquorum h\n";

        WitnessPolicy.TryParse(text, out var policy, out var error).ShouldBeTrue(error);

        policy!.Encode().ShouldEndWith("group g 2 a b\ngroup h 1 g\nquorum h\n");
        policy.Logs.ShouldBeEmpty();
        policy.Threshold.ShouldBe(1);
    }

    [Fact]
    public void IsSatisfiedBy_UnknownNames_CountForNothing()
    {
        TwoOfThree().IsSatisfiedBy(new HashSet<string> { "utility", "stranger" }).ShouldBeFalse();
        TwoOfThree().IsSatisfiedBy(new HashSet<string> { "witnesses" }).ShouldBeFalse();
    }

    [Fact]
    public void TryParse_SingleWitnessQuorum_ThresholdOne()
    {
        var text = $"witness a {WitnessKeys[0].VerifierKey}\nquorum a\n";

        WitnessPolicy.TryParse(text, out var policy, out _).ShouldBeTrue();

        policy!.Threshold.ShouldBe(1);
        policy.IsSatisfiedBy(new HashSet<string> { "a" }).ShouldBeTrue();
    }
}
