namespace Market.Ledger;

/// <summary>The outcome of verifying a chain: valid, or the first failure, with what was covered.</summary>
public sealed record VerificationResult
{
    /// <summary>Whether everything verified.</summary>
    public bool IsValid => Failure is null;

    /// <summary>The first failure, or null.</summary>
    public VerificationFailure? Failure { get; init; }

    /// <summary>Blocks read and fully checked.</summary>
    public long BlockCount { get; init; }

    /// <summary>Trades in the checked blocks.</summary>
    public long TradeCount { get; init; }

    /// <summary>Orders in the checked order-book blocks.</summary>
    public long OrderCount { get; init; }

    /// <summary>Whether clearing blocks were replayed (a replayer was given).</summary>
    public bool ReplayPerformed { get; init; }

    /// <summary>Root of the ledger-wide tree over all checked blocks (null when none).</summary>
    public byte[]? LedgerRoot { get; init; }

    /// <summary>Size of the latest checkpoint that was verified (null when none).</summary>
    public long? CheckpointSize { get; init; }

    /// <summary>Reconciliation blocks checked (every version counts).</summary>
    public long ReconciliationCount { get; init; }

    /// <summary>Meter reading hashes confirmed against the caller's records (0 without <see cref="ChainVerifierOptions.MeterReadings"/>
    /// and <see cref="ChainVerifierOptions.Openings"/>).</summary>
    public long ReadingsChecked { get; init; }

    /// <summary>Household records in the checked reconciliation blocks (every version counts).</summary>
    public long HouseholdRecords { get; init; }

    /// <summary>Household records (key enrolments and revocations, mandates, cancellations) in the household blocks accepted.</summary>
    public long HouseholdStatements { get; init; }

    /// <summary>Household records whose commitment was opened and whose settlement was checked (0 without
    /// <see cref="ChainVerifierOptions.Openings"/>: then only what the public can check was checked).</summary>
    public long OpeningsChecked { get; init; }

    /// <summary>Openings given that name no household record of the checked blocks (e.g. of blocks not in this export).</summary>
    public long OpeningsUnmatched { get; init; }

    /// <summary>Reconciliation blocks checked in full: every household record opened (a block without household
    /// records counts too).</summary>
    public long ReconciliationsFullyChecked { get; init; }

    /// <summary>Order-book blocks not yet followed by their clearing block (normal at the tip).</summary>
    public int PendingOrderBooks { get; init; }

    /// <summary>Key ids of every operator key introduced in the checked blocks, in order (e.g. the trusted keys for
    /// <see cref="TradeReceipt.Verify"/>).</summary>
    public IReadOnlyList<byte[]> KeyIds { get; init; } = [];

    /// <summary>The witness policy in force after the checked blocks (the last witness-policy block), or null when
    /// they have none.</summary>
    public WitnessPolicy? WitnessPolicy { get; init; }
}
