namespace Market.Ledger;

/// <summary>Options of <see cref="ChainVerifier"/>.</summary>
public sealed record ChainVerifierOptions
{
    /// <summary>When set, the genesis key must have this id (pin the operator's first key out of band).</summary>
    public byte[]? TrustedGenesisKeyId { get; init; }

    /// <summary>When set, every meter reading hash sealed in a reconciliation block is confirmed against these
    /// records (<see cref="VerificationFailureReason.ReadingMismatch"/>, <see cref="VerificationFailureReason.ReadingMissing"/>).</summary>
    public IMeterReadingSource? MeterReadings { get; init; }
}
