namespace Market.Ledger;

/// <summary>
/// Replays the clearing of one interval from its committed order book, independently of whoever sealed it (the CLI
/// implements it with Market.Matching). Must be deterministic.
/// </summary>
public interface IClearingReplayer
{
    /// <summary>The trades the rules give for these orders, in clearing order.</summary>
    /// <param name="orders">The committed orders of the interval, in sequence order.</param>
    /// <param name="mechanism">The clearing mechanism byte of the blocks.</param>
    /// <param name="rulesVersion">The rules version of the blocks.</param>
    /// <returns>The expected trades, or <see langword="null"/> when this mechanism or rules version is not
    /// supported (reported as <see cref="VerificationFailureReason.ReplayUnsupported"/>).</returns>
    IReadOnlyList<ReplayedTrade>? Replay(IReadOnlyList<OrderLeaf> orders, byte mechanism, int rulesVersion);
}
