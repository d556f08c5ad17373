namespace Market.Ledger;

/// <summary>
/// Replays a clearing under the grid's limits (mechanism 3) independently of whoever sealed it, and checks the
/// recorded clearing's certificate with the matching engine's own checker (the CLI implements it with
/// Market.Matching). A replayer passed to <see cref="ChainVerifier"/> that does not implement this reports every
/// mechanism-3 clearing as <see cref="VerificationFailureReason.ReplayUnsupported"/>. Must be deterministic.
/// </summary>
public interface IGridClearingReplayer
{
    /// <summary>The trades, zone prices and residual the rules give, and the matching engine's verdict on the recorded ones.</summary>
    /// <param name="input">The book, each order's node, the network, the limits in force and what the block records.</param>
    /// <returns>The replay, or <see langword="null"/> when this rules version is not supported.</returns>
    GridReplay? ReplayGrid(GridReplayInput input);
}

/// <summary>What a mechanism-3 replay needs.</summary>
/// <param name="Orders">The committed orders of the interval, in sequence order.</param>
/// <param name="OrderNodes">Each order's connection in the network in force.</param>
/// <param name="Network">The network in force.</param>
/// <param name="Rules">The rules in force (fees).</param>
/// <param name="Limits">Each node's (export, import) limit in Wh in force for the interval.</param>
/// <param name="RecordedFills">Each order's fill as the block's trades give it, in Wh.</param>
/// <param name="RecordedZonePrices">Each node's zone price as the block's zone leaves give it.</param>
public sealed record GridReplayInput(
    IReadOnlyList<OrderLeaf> Orders,
    IReadOnlyList<int> OrderNodes,
    GridTopology Network,
    RulesRecord Rules,
    IReadOnlyList<(long ExportWh, long ImportWh)> Limits,
    IReadOnlyList<long> RecordedFills,
    IReadOnlyList<long> RecordedZonePrices);

/// <summary>The outcome of a mechanism-3 replay.</summary>
/// <param name="Trades">The trades the rules give, in clearing order.</param>
/// <param name="ZonePrices">The zone prices the rules give, by node.</param>
/// <param name="CertificateFailure">The matching engine's reason to refuse the recorded fills and zone prices, or null.</param>
/// <param name="Residual">The community's residual the rules give.</param>
public sealed record GridReplay(IReadOnlyList<ReplayedGridTrade> Trades, IReadOnlyList<long> ZonePrices, string? CertificateFailure, ResidualLeaf Residual);

/// <summary>One trade as a mechanism-3 replay gives it.</summary>
/// <param name="BuySequence">Sequence of the buy order.</param>
/// <param name="SellSequence">Sequence of the sell order.</param>
/// <param name="EnergyWh">Energy in Wh.</param>
/// <param name="BuyPrice">The buyer's zone price.</param>
/// <param name="SellPrice">The seller's zone price.</param>
/// <param name="FeePrice">The path fee.</param>
/// <param name="MeetNode">The nearest common ancestor of both orders' nodes.</param>
public readonly record struct ReplayedGridTrade(long BuySequence, long SellSequence, long EnergyWh, long BuyPrice, long SellPrice, long FeePrice, int MeetNode);
