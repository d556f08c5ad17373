namespace Market.Ledger;

public sealed partial class ChainVerifier
{
    // Every log key sealed so far, oldest first: a note about an earlier size may carry an earlier key's signature.
    private readonly List<NoteVerifierKey> _logKeys = [];
    private WitnessPolicy? _witnessPolicy;

    /// <summary>The witness policy in force after the blocks appended so far (the last witness-policy block), or
    /// null before the first.</summary>
    public WitnessPolicy? WitnessPolicy => _witnessPolicy;

    /// <summary>The ledger's origin (the log key name of the first witness-policy block), or null before it.</summary>
    public string? Origin => _logKeys.Count > 0 ? _logKeys[0].Name : null;

    /// <summary>
    /// Checks a checkpoint note against the blocks appended so far: the body is a checkpoint, its origin is the
    /// sealed one, its size at most the blocks, its root the ledger-wide tree's root at that size, and it carries a
    /// valid signature from a sealed log key with no failing line from one
    /// (<see cref="VerificationFailureReason.CheckpointNoteInvalid"/>). Its cosignatures are then judged under
    /// <paramref name="auditorPolicy"/> when given (its quorum not met is
    /// <see cref="VerificationFailureReason.WitnessQuorumNotMet"/>; when the auditor's policy lists logs, one of them
    /// must have signed it), else under the sealed policy (the quorum is then reported, not a failure). Does not
    /// change <see cref="Failure"/>; never throws.
    /// </summary>
    /// <param name="note">The signed checkpoint.</param>
    /// <param name="auditorPolicy">The auditor's own policy, or null to use the sealed one.</param>
    /// <returns>The report.</returns>
    public NoteCheck CheckNote(SignedNote note, WitnessPolicy? auditorPolicy)
    {
        ArgumentNullException.ThrowIfNull(note);
        var policy = auditorPolicy ?? _witnessPolicy;
        var fromAuditor = auditorPolicy is not null;
        NoteCheck Invalid(CheckpointNote? checkpoint, bool rootMatches, bool signed, string message) =>
            new(checkpoint, rootMatches, signed, [], [], false, policy, fromAuditor,
                Fail(VerificationFailureReason.CheckpointNoteInvalid, null, message));

        if (_witnessPolicy is null)
        {
            return Invalid(null, false, false, "the ledger has no witness-policy block, so its origin and log key are unknown");
        }

        if (!CheckpointNote.TryParse(note.Text, out var checkpoint, out var error))
        {
            return Invalid(null, false, false, $"the note is not a checkpoint: {error}");
        }

        if (!string.Equals(checkpoint.Origin, Origin, StringComparison.Ordinal))
        {
            return Invalid(checkpoint, false, false, $"the note's origin {checkpoint.Origin} is not the ledger's ({Origin})");
        }

        if (checkpoint.Size > BlockCount)
        {
            return Invalid(checkpoint, false, false, $"the note covers {checkpoint.Size} blocks but only {BlockCount} are present");
        }

        var rootMatches = _ledgerTree.RootAt(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.Root);
        var verdicts = _logKeys.Select(note.VerifyBy).ToList();
        var signed = verdicts.Contains(true) && !verdicts.Contains(false);
        if (!rootMatches)
        {
            return Invalid(checkpoint, false, signed, $"the note's root is not the root of the first {checkpoint.Size} header hashes");
        }

        if (!signed)
        {
            return Invalid(checkpoint, true, false, verdicts.Contains(false)
                ? "a signature line from a sealed log key does not verify"
                : "the note carries no signature from a sealed log key");
        }

        var witnesses = policy!.Check(note);
        if (fromAuditor && policy.Logs.Count > 0 && !witnesses.LogSignatureValid)
        {
            return Invalid(checkpoint, true, true, "the note is not signed by a log of the auditor's policy");
        }

        var quorumMet = witnesses.InvalidCosigners.Count == 0
            && policy.IsSatisfiedBy(witnesses.Cosigners.Select(c => c.Name).ToHashSet(StringComparer.Ordinal));
        var failure = fromAuditor && !quorumMet
            ? Fail(VerificationFailureReason.WitnessQuorumNotMet, null, witnesses.InvalidCosigners.Count > 0
                ? $"cosignatures that do not verify: {string.Join(", ", witnesses.InvalidCosigners)}"
                : $"the auditor's quorum {policy.Quorum} is not met ({witnesses.Cosigners.Count} valid cosignature(s))")
            : null;
        return new NoteCheck(checkpoint, true, true, witnesses.Cosigners, witnesses.InvalidCosigners, quorumMet, policy, fromAuditor, failure);
    }

    private VerificationFailure? CheckWitnessPolicy(LedgerBlock block, BlockHeader header)
    {
        if (block.Leaves.Count != 1)
        {
            return Fail(VerificationFailureReason.WitnessPolicyInvalid, header.Height, "a witness-policy block holds exactly one leaf");
        }

        var leaf = block.Leaves.GetSpan(0);
        if (leaf.Length > BlockSealer.MaxWitnessPolicySize)
        {
            return Fail(VerificationFailureReason.WitnessPolicyInvalid, header.Height,
                $"the witness policy has {leaf.Length} bytes, more than {BlockSealer.MaxWitnessPolicySize}", leafIndex: 0);
        }

        string text;
        try
        {
            text = NoteEncoding.StrictUtf8.GetString(leaf);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return Fail(VerificationFailureReason.WitnessPolicyInvalid, header.Height, "the witness policy is not UTF-8", leafIndex: 0);
        }

        if (!WitnessPolicy.TryParse(text, out var policy, out var error))
        {
            return Fail(VerificationFailureReason.WitnessPolicyInvalid, header.Height, $"not a tlog-policy: {error}", leafIndex: 0);
        }

        if (policy.Logs.Count != 1)
        {
            return Fail(VerificationFailureReason.WitnessPolicyInvalid, header.Height,
                $"a sealed witness policy names exactly one log, this one {policy.Logs.Count}", leafIndex: 0);
        }

        var log = policy.Logs[0].Key;
        if (Origin is { } origin && !string.Equals(log.Name, origin, StringComparison.Ordinal))
        {
            return Fail(VerificationFailureReason.WitnessPolicyOriginChanged, header.Height,
                $"the log key name (origin) {log.Name} is not the ledger's origin {origin}", leafIndex: 0);
        }

        if (!_logKeys.Any(k => k.KeyId == log.KeyId && k.SameKey(log)))
        {
            _logKeys.Add(log);
        }

        _witnessPolicy = policy;
        return null;
    }
}
