namespace Market.Ledger.Tests;

/// <summary>A trade receipt's cosigned checkpoint (docs/ledger-format.md §15): the household holds what witnesses
/// vouched for, checked by the policy the receipt carries or by the auditor's own.</summary>
public sealed class ReceiptNoteTests
{
    private const string Origin = "market.example/ledger";
    private static readonly NoteSigningKey Log = NoteSigningKey.FromSeed(Origin, NoteVerifierKey.Ed25519, Seed(1));
    private static readonly NoteSigningKey Utility = NoteSigningKey.FromSeed("utility.example/w", NoteVerifierKey.CosignatureV1, Seed(2));
    private static readonly NoteSigningKey Association = NoteSigningKey.FromSeed("assoc.example/w", NoteVerifierKey.CosignatureV1, Seed(3));

    [Fact]
    public void Verify_NoteCosignedByTwoOfTwo_IsValidAndNamesTheWitnesses()
    {
        var receipt = Witnessed(Receipt(), Policy(2), Utility, Association);

        var result = receipt.Verify(null, null);

        result.IsValid.ShouldBeTrue(result.Failure?.Message);
        result.Witnesses!.QuorumMet.ShouldBeTrue();
        result.Witnesses.Cosigners.Select(c => c.Name).Order().ShouldBe(["association", "utility"]);
    }

    [Fact]
    public void FromJson_ReceiptWithNote_RoundTripsAndStillVerifies()
    {
        var receipt = Witnessed(Receipt(), Policy(2), Utility, Association);

        var parsed = TradeReceipt.FromJson(receipt.ToJson());

        parsed.CheckpointNote.ShouldBe(receipt.CheckpointNote);
        parsed.WitnessPolicy.ShouldBe(receipt.WitnessPolicy);
        parsed.Verify(null, null).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Verify_NoteOfAnotherSize_FailsWithCheckpointNoteInvalid()
    {
        var receipt = Receipt();
        var body = new CheckpointNote(Origin, receipt.Checkpoint.Size - 1, receipt.Checkpoint.Root, []).Body();
        var forged = receipt with { CheckpointNote = new SignedNote(body, [SignedNote.Sign(body, Log)]).Encode(), WitnessPolicy = Policy(1).Encode() };

        var result = forged.Verify(null, null);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.CheckpointNoteInvalid);
    }

    [Fact]
    public void Verify_NoteSignedByAnotherLogKey_FailsWithCheckpointNoteInvalid()
    {
        var other = NoteSigningKey.FromSeed(Origin, NoteVerifierKey.Ed25519, Seed(9));
        var receipt = Receipt();
        var body = new CheckpointNote(Origin, receipt.Checkpoint.Size, receipt.Checkpoint.Root, []).Body();
        var forged = receipt with { CheckpointNote = new SignedNote(body, [SignedNote.Sign(body, other)]).Encode(), WitnessPolicy = Policy(1).Encode() };

        var result = forged.Verify(null, null);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.CheckpointNoteInvalid);
    }

    [Fact]
    public void Verify_AuditorPolicyNeedsAWitnessThatDidNotCosign_FailsWithQuorumNotMet()
    {
        var receipt = Witnessed(Receipt(), Policy(1), Utility);
        var auditors = WitnessPolicy.Create(Log.VerifierKey, null, [("association", Association.VerifierKey, null)], 1);

        var result = receipt.Verify(null, auditors);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.WitnessQuorumNotMet);
    }

    [Fact]
    public void Verify_SealedPolicyNotMet_IsValidAndSaysSo()
    {
        var receipt = Witnessed(Receipt(), Policy(2), Utility);

        var result = receipt.Verify(null, null);

        result.IsValid.ShouldBeTrue();
        result.Witnesses!.QuorumMet.ShouldBeFalse();
    }

    [Fact]
    public void Verify_AuditorPolicyAndNoNote_FailsWithQuorumNotMet()
    {
        var auditors = WitnessPolicy.Create(Log.VerifierKey, null, [("utility", Utility.VerifierKey, null)], 1);

        var result = Receipt().Verify(null, auditors);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.WitnessQuorumNotMet);
    }

    private static TradeReceipt Receipt() => ReceiptTests.Receipt(6, 1);

    private static WitnessPolicy Policy(int threshold) => WitnessPolicy.Create(
        Log.VerifierKey, null, [("utility", Utility.VerifierKey, null), ("association", Association.VerifierKey, null)], threshold);

    private static TradeReceipt Witnessed(TradeReceipt receipt, WitnessPolicy policy, params NoteSigningKey[] witnesses)
    {
        var body = new CheckpointNote(Origin, receipt.Checkpoint.Size, receipt.Checkpoint.Root, []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, Log)]);
        foreach (var w in witnesses)
        {
            note = note.WithSignature(Cosignature.Sign(body, 1_780_000_000, w));
        }

        return receipt with { CheckpointNote = note.Encode(), WitnessPolicy = policy.Encode() };
    }

    private static byte[] Seed(byte b) => Enumerable.Repeat(b, 32).ToArray();
}
