namespace Market.Ledger;

public sealed partial class ChainVerifier
{
    private VerifyingKey KeyForSize(long size)
    {
        var key = _keyHistory[0].Key;
        foreach (var (activeFrom, candidate) in _keyHistory)
        {
            if (activeFrom <= size)
            {
                key = candidate;
            }
        }

        return key;
    }

    private VerificationFailure? CheckCheckpoint(Checkpoint checkpoint, string name)
    {
        if (checkpoint.Root is not { Length: 32 } || checkpoint.KeyId is not { Length: 32 } || checkpoint.Size < 1)
        {
            return Fail(VerificationFailureReason.CheckpointMismatch, null, $"the {name} needs a size of at least 1 and a 32-byte root and key id");
        }

        if (checkpoint.Size > BlockCount)
        {
            return Fail(VerificationFailureReason.Truncated, null,
                $"the {name} covers {checkpoint.Size} blocks but only {BlockCount} are present: the tail was cut");
        }

        if (!_ledgerTree.RootAt(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.Root))
        {
            return Fail(VerificationFailureReason.CheckpointMismatch, null,
                $"the {name}'s root is not the root of the first {checkpoint.Size} header hashes");
        }

        if (checkpoint.TimestampUnixMs < _sealedAt[(int)checkpoint.Size - 1])
        {
            return Fail(VerificationFailureReason.CheckpointMismatch, null, $"the {name} is dated before its last block was sealed");
        }

        var key = KeyForSize(checkpoint.Size);
        return checkpoint.VerifySignature(key.PublicKey)
            ? null
            : Fail(VerificationFailureReason.BadCheckpointSignature, null,
                $"the {name} is not validly signed by the key valid after block {checkpoint.Size - 1}");
    }

    private VerificationFailure? CheckKept(Checkpoint kept, Checkpoint latest)
    {
        if (kept.Root is not { Length: 32 } || kept.Size < 1)
        {
            return Fail(VerificationFailureReason.CheckpointMismatch, null, "the kept checkpoint needs a size of at least 1 and a 32-byte root");
        }

        if (kept.Size > BlockCount)
        {
            return Fail(VerificationFailureReason.Truncated, null,
                $"the kept checkpoint covers {kept.Size} blocks but only {BlockCount} are present: blocks were dropped");
        }

        var (older, newer) = kept.Size <= latest.Size ? (kept, latest) : (latest, kept);
        var proof = _ledgerTree.ConsistencyProof(older.Size, newer.Size);
        if (!_ledgerTree.RootAt(kept.Size).AsSpan().SequenceEqual(kept.Root) || !Checkpoint.IsConsistent(older, newer, proof))
        {
            return Fail(VerificationFailureReason.NotConsistent, null,
                $"the chain does not extend the kept checkpoint of size {kept.Size}: history was rewritten or forked");
        }

        return CheckCheckpoint(kept, "kept checkpoint");
    }
}
