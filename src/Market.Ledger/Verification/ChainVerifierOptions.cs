namespace Market.Ledger;

/// <summary>Options of <see cref="ChainVerifier"/>.</summary>
public sealed record ChainVerifierOptions
{
    /// <summary>When set, the genesis key must have this id (pin the operator's first key out of band).</summary>
    public byte[]? TrustedGenesisKeyId { get; init; }

    /// <summary>When set, the meter reading named in every opened household record is confirmed against these
    /// records (<see cref="VerificationFailureReason.ReadingMismatch"/>, <see cref="VerificationFailureReason.ReadingMissing"/>).
    /// Without <see cref="Openings"/> there is nothing to confirm: the ledger holds only commitments.</summary>
    public IMeterReadingSource? MeterReadings { get; init; }

    /// <summary>
    /// Openings of household commitments (a household's own, or an auditor's of a range; <see cref="OpeningsFile"/>).
    /// Each opened record is checked against its commitment and then against every rule of a household's settlement;
    /// a reconciliation whose every household record is opened is checked in full (exact pro-rata shares, the
    /// pairing's amounts, the summary's totals). At most one opening per household, interval and version.
    /// </summary>
    public IReadOnlyCollection<ReconciliationOpening>? Openings { get; init; }
}
