namespace Market.Ledger;

/// <summary>The first thing that failed.</summary>
/// <param name="Reason">Machine-readable reason.</param>
/// <param name="Height">Block height where relevant (null for checkpoint and file-level failures).</param>
/// <param name="TradeId">Trade id where relevant.</param>
/// <param name="LeafIndex">0-based leaf index within the block where relevant.</param>
/// <param name="Message">A sentence for people.</param>
public sealed record VerificationFailure(
    VerificationFailureReason Reason,
    long? Height,
    long? TradeId,
    int? LeafIndex,
    string Message)
{
    /// <summary>"Reason at height h, leaf i, trade t: message".</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var where = Height is { } h ? $" at height {h}" : string.Empty;
        where += LeafIndex is { } l ? $", leaf {l}" : string.Empty;
        where += TradeId is { } t ? $", trade {t}" : string.Empty;
        return $"{Reason}{where}: {Message}";
    }
}
