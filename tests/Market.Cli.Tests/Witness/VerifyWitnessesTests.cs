using Market.Ledger;

namespace Market.Cli.Tests.Witness;

/// <summary><c>market ledger verify --note --policy</c>: who vouched for the verified tree, under the sealed policy or
/// the auditor's own (docs/witnesses.md).</summary>
public sealed class VerifyWitnessesTests : IDisposable
{
    private static readonly NoteSigningKey Utility = NoteSigningKey.FromSeed("utility.example/w", NoteVerifierKey.CosignatureV1, Seed(2));
    private static readonly NoteSigningKey Association = NoteSigningKey.FromSeed("assoc.example/w", NoteVerifierKey.CosignatureV1, Seed(3));
    private readonly LedgerFixture _ledger = new();

    public void Dispose() => _ledger.Dispose();

    [Fact]
    public void Verify_NoteCosignedByTwoOfTwo_SaysWhoWitnessed()
    {
        var (export, note) = Ledger(Utility, Association);

        var run = Verify(export, note);

        run.Stdout.ShouldContain("witnesses: the checkpoint of 8 blocks is witnessed by 2 of 2: utility, association (2 needed by the sealed policy)");
    }

    [Fact]
    public void Verify_OneOfTwoUnderTheSealedPolicy_ReportedNotWitnessedButValid()
    {
        var (export, note) = Ledger(Utility);

        var run = Verify(export, note);

        run.Stdout.ShouldContain("is NOT witnessed: 1 of the 2 needed by the sealed policy (utility)");
        run.Stdout.ShouldStartWith("valid:");
    }

    [Fact]
    public void Verify_AuditorPolicyNotMet_Tampered()
    {
        var (export, note) = Ledger(Utility);
        var policy = Path.Combine(_ledger.Folder, "mine.txt");
        File.WriteAllText(policy, WitnessPolicy.Create(FakeLog.DefaultNoteKey.VerifierKey, null, [("association", Association.VerifierKey, null)], 1).Encode());

        var run = Verify(export, note, "--policy", policy);

        run.ExitCode.ShouldBe(1, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("WitnessQuorumNotMet");
    }

    [Fact]
    public void Verify_AuditorPolicyMet_SaysYourPolicy()
    {
        var (export, note) = Ledger(Utility);
        var policy = Path.Combine(_ledger.Folder, "mine.txt");
        File.WriteAllText(policy, WitnessPolicy.Create(FakeLog.DefaultNoteKey.VerifierKey, null, [("utility", Utility.VerifierKey, null)], 1).Encode());

        var run = Verify(export, note, "--policy", policy);

        run.Stdout.ShouldContain("witnessed by 1 of 1: utility (1 needed by your policy)");
    }

    [Fact]
    public void Verify_NoteOfAnotherRoot_TamperedWithCheckpointNoteInvalid()
    {
        var (export, _) = Ledger(Utility);
        var forged = Path.Combine(_ledger.Folder, "forged.note");
        File.WriteAllText(forged, FakeLog.SignedNoteFor(FakeLog.DefaultNoteKey, 8, new byte[32]));

        var run = Verify(export, forged);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldContain("CheckpointNoteInvalid");
    }

    [Fact]
    public void Verify_PolicyFileNotAPolicy_Unreadable()
    {
        var (export, note) = Ledger(Utility);
        var policy = Path.Combine(_ledger.Folder, "bad.txt");
        File.WriteAllText(policy, "quorum nobody\n");

        var run = Verify(export, note, "--policy", policy);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("is not a witness policy");
    }

    private CliRun Verify(string export, string note, params string[] more) =>
        CliRunner.Run(["ledger", "verify", export, "--note", note, "--known-ledgers", Path.Combine(_ledger.Folder, "known"), .. more]);

    /// <summary>A ledger of two intervals whose last block seals a 2-of-2 policy, and its note cosigned by <paramref name="cosigners"/>.</summary>
    private (string Export, string Note) Ledger(params NoteSigningKey[] cosigners)
    {
        var chain = _ledger.Chain(2);
        var policy = WitnessPolicy.Create(FakeLog.DefaultNoteKey.VerifierKey, null, [("utility", Utility.VerifierKey, null), ("association", Association.VerifierKey, null)], 2);
        chain.Add(BlockSealer.SealWitnessPolicy(chain[^1].NextTip, _ledger.Key, policy, DateTimeOffset.FromUnixTimeMilliseconds(chain[^1].Header.SealedAtUnixMs)));
        var blocks = chain.Cast<LedgerBlock>().ToList();
        var export = _ledger.Export(blocks);
        var body = new CheckpointNote(FakeLog.Origin, blocks.Count, FakeLog.Root(blocks, blocks.Count), []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, FakeLog.DefaultNoteKey)]);
        foreach (var c in cosigners)
        {
            note = note.WithSignature(Cosignature.Sign(body, 1_780_000_000, c));
        }

        var path = Path.Combine(_ledger.Folder, "checkpoint.note");
        File.WriteAllText(path, note.Encode());
        return (export, path);
    }

    private static byte[] Seed(byte b) => Enumerable.Repeat(b, 32).ToArray();
}
