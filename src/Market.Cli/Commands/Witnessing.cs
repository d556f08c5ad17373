using System.Globalization;
using Market.Ledger;

namespace Market.Cli.Commands;

/// <summary>
/// What <c>market ledger verify</c> says about witnessing: the checkpoint note checked against the verified tree
/// (its log signature under the sealed log key), and its cosignatures judged by the auditor's policy (the quorum is
/// then required) or by the sealed one (reported).
/// </summary>
internal static class Witnessing
{
    internal sealed record Outcome(string Line, VerificationFailure? Failure, NoteCheck? Check);

    /// <param name="verifier">The verifier after the last block, or null when the chain did not verify.</param>
    /// <param name="noteText">The note, or null.</param>
    /// <param name="auditorPolicy">The auditor's policy, or null.</param>
    /// <param name="given">Whether the auditor gave the note (a published one is checked only under a sealed policy).</param>
    public static Outcome Check(ChainVerifier? verifier, string? noteText, WitnessPolicy? auditorPolicy, bool given)
    {
        if (verifier is null)
        {
            return new Outcome("witnesses: not checked", null, null);
        }

        if (noteText is not null && !given && auditorPolicy is null && verifier.WitnessPolicy is null)
        {
            return new Outcome("witnesses: this ledger seals no witness policy; the published checkpoint note is not checked", null, null);
        }

        if (noteText is null)
        {
            return auditorPolicy is { Quorum: not WitnessPolicy.None }
                ? new Outcome("witnesses: no checkpoint note to check", Fail("no checkpoint note was given or published, and your policy needs cosignatures"), null)
                : new Outcome(verifier.WitnessPolicy is null
                    ? "witnesses: this ledger seals no witness policy"
                    : "witnesses: no checkpoint note checked (give --note FILE, or verify the market's URL)", null, null);
        }

        if (!SignedNote.TryParse(noteText, out var note, out var error))
        {
            return new Outcome("witnesses: the checkpoint note is malformed", new VerificationFailure(VerificationFailureReason.CheckpointNoteInvalid, null, null, null, $"the checkpoint note is not a signed note: {error}"), null);
        }

        var check = verifier.CheckNote(note!, auditorPolicy);
        if (check.Failure is { } failure)
        {
            return new Outcome($"witnesses: {failure.Message}", failure, check);
        }

        var whose = check.AuditorPolicy ? "your policy" : "the sealed policy";
        var needed = check.Policy?.Threshold ?? 0;
        var of = check.Policy?.Witnesses.Count ?? 0;
        var names = string.Join(", ", check.Cosigners.Select(c => c.Name));
        var line = check.QuorumMet
            ? string.Create(CultureInfo.InvariantCulture, $"witnesses: the checkpoint of {check.Size} blocks is witnessed by {check.Cosigners.Count} of {of}{(names.Length > 0 ? ": " + names : "")} ({needed} needed by {whose})")
            : string.Create(CultureInfo.InvariantCulture, $"witnesses: the checkpoint of {check.Size} blocks is NOT witnessed: {check.Cosigners.Count} of the {needed} needed by {whose}{(names.Length > 0 ? " (" + names + ")" : "")}");
        return new Outcome(line, check.AuditorPolicy && !check.QuorumMet ? Fail(string.Create(CultureInfo.InvariantCulture, $"the checkpoint is not witnessed as your policy requires ({check.Cosigners.Count} of {needed})")) : null, check);
    }

    private static VerificationFailure Fail(string message) => new(VerificationFailureReason.WitnessQuorumNotMet, null, null, null, message);
}
