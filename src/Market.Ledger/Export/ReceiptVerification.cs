namespace Market.Ledger;

/// <summary>The outcome of <see cref="TradeReceipt.Verify(IEnumerable{byte[]}, WitnessPolicy)"/>.</summary>
/// <param name="Failure">The first failure, or null.</param>
/// <param name="Trade">The verified trade (null on failure).</param>
/// <param name="Height">Height of the block (when the header decoded).</param>
public sealed record ReceiptVerification(VerificationFailure? Failure, ClearedTrade? Trade, long? Height)
{
    /// <summary>Whether the receipt verified.</summary>
    public bool IsValid => Failure is null;

    /// <summary>Who cosigned the receipt's checkpoint, under which policy; null when it carries no cosigned checkpoint.</summary>
    public WitnessCheck? Witnesses { get; init; }
}
