namespace Market.Ledger;

/// <summary>What <see cref="ChainVerifier.CheckNote"/> found in a checkpoint note.</summary>
/// <param name="Checkpoint">The parsed body (size, root), or null when it is not a checkpoint.</param>
/// <param name="RootMatches">Its root is the ledger-wide tree's root at its size.</param>
/// <param name="LogSignatureValid">Signed by a sealed log key, no line from one failing.</param>
/// <param name="Cosigners">Witnesses of <paramref name="Policy"/> (policy names) whose cosignature verified, with its
/// POSIX timestamp.</param>
/// <param name="InvalidCosigners">Witnesses of <paramref name="Policy"/> with a line that does not verify.</param>
/// <param name="QuorumMet">The cosigners meet <paramref name="Policy"/>'s quorum and none failed.</param>
/// <param name="Policy">The policy the cosignatures were judged under (the auditor's or the sealed one; null when
/// neither exists).</param>
/// <param name="AuditorPolicy">Whether <paramref name="Policy"/> is the auditor's.</param>
/// <param name="Failure"><see cref="VerificationFailureReason.CheckpointNoteInvalid"/>,
/// <see cref="VerificationFailureReason.WitnessQuorumNotMet"/> (only under an auditor's policy), or null.</param>
public sealed record NoteCheck(
    CheckpointNote? Checkpoint,
    bool RootMatches,
    bool LogSignatureValid,
    IReadOnlyList<(string Name, long Timestamp)> Cosigners,
    IReadOnlyList<string> InvalidCosigners,
    bool QuorumMet,
    WitnessPolicy? Policy,
    bool AuditorPolicy,
    VerificationFailure? Failure)
{
    /// <summary>Whether the note holds (a quorum not met under the sealed policy is reported, not a failure).</summary>
    public bool IsValid => Failure is null;

    /// <summary>The note's tree size, or null when it is not a checkpoint.</summary>
    public long? Size => Checkpoint?.Size;
}
