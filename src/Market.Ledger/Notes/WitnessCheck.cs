namespace Market.Ledger;

/// <summary>What <see cref="WitnessPolicy.Check"/> found in a checkpoint note.</summary>
/// <param name="LogSignatureValid">Signed by a policy log whose key name equals the origin, every line from that key
/// verifying.</param>
/// <param name="Checkpoint">The parsed body; null when the text is not a checkpoint.</param>
/// <param name="Cosigners">Policy witnesses (policy names) whose cosignature verified, with its POSIX timestamp.</param>
/// <param name="InvalidCosigners">Policy witnesses with a matching line that does not verify (the note is then
/// malformed).</param>
/// <param name="QuorumMet">True only when the body is a checkpoint, the log signature is valid, no known line fails
/// and the quorum holds over <paramref name="Cosigners"/>.</param>
/// <param name="Problem">Why not, for people; null when all is well.</param>
public sealed record WitnessCheck(
    bool LogSignatureValid,
    CheckpointNote? Checkpoint,
    IReadOnlyList<(string Name, long Timestamp)> Cosigners,
    IReadOnlyList<string> InvalidCosigners,
    bool QuorumMet,
    string? Problem)
{
    /// <summary>Whether everything holds (no problem).</summary>
    public bool IsValid => Problem is null;
}
