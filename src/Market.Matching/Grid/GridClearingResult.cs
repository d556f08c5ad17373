using System.Collections.Immutable;

namespace Market.Matching.Grid;

/// <summary>
/// The outcome of clearing one interval's book under the grid's limits: either a <see cref="Rejection"/>, or each
/// order's fill, each node's zone price and flow, and the trades.
/// </summary>
/// <remarks>
/// Prices are in 1/10,000 of the currency per kWh, energies in watt-hours. The fills, the flows and the zone prices
/// together are the certificate of <see cref="GridCertificate"/>: anyone can check from them, without a solver, that
/// no limit is exceeded and that no other allocation would have given the community more surplus.
/// </remarks>
public sealed class GridClearingResult
{
    private readonly GridNetwork? _network;
    private readonly int[] _orderNodes;
    private readonly Side[] _sides;

    private GridClearingResult(
        ClearingRejection? rejection,
        GridNetwork? network,
        int[] orderNodes,
        Side[] sides,
        long volumeWh,
        ImmutableArray<OrderOutcome> outcomes,
        ImmutableArray<long> zonePrices,
        ImmutableArray<long> flowsWh,
        ImmutableArray<EdgeState> edgeStates,
        ImmutableArray<GridTrade> trades,
        CommunityResidual? residual)
    {
        Rejection = rejection;
        Residual = residual;
        _network = network;
        _orderNodes = orderNodes;
        _sides = sides;
        VolumeWh = volumeWh;
        Outcomes = outcomes;
        ZonePrices = zonePrices;
        FlowsWh = flowsWh;
        EdgeStates = edgeStates;
        Trades = trades;
    }

    /// <summary>Whether the book was cleared; <see langword="false"/> when it was rejected.</summary>
    public bool IsSuccess => Rejection is null;

    /// <summary>Why the book was rejected, naming the first offending order; <see langword="null"/> on success.</summary>
    public ClearingRejection? Rejection { get; }

    /// <summary>The version of the clearing rules that produced this result (<see cref="GridAuction.RulesVersion"/>).</summary>
    public ushort RulesVersion { get; } = GridAuction.RulesVersion;

    /// <summary>
    /// The community's price: the zone price of the root; <see langword="null"/> when nothing traded or when rejected.
    /// </summary>
    public long? Price => VolumeWh > 0 && _network is not null ? ZonePrices[_network.Root] : null;

    /// <summary>The energy traded in watt-hours: the energy bought, equal to the energy sold.</summary>
    public long VolumeWh { get; }

    /// <summary>Each order's filled energy and reason, in input order.</summary>
    public ImmutableArray<OrderOutcome> Outcomes { get; }

    /// <summary>
    /// Each node's zone price, by node index: what a bid at the node pays and an offer at the node receives per kWh.
    /// Neighbouring nodes' prices differ by at most their line's fees unless a limit of the line binds. Present even
    /// when nothing traded (they show that the book did not cross).
    /// </summary>
    public ImmutableArray<long> ZonePrices { get; }

    /// <summary>
    /// Each node's net flow to its parent, by node index, in watt-hours: positive when its subtree exports, negative
    /// when it imports; 0 for the root.
    /// </summary>
    public ImmutableArray<long> FlowsWh { get; }

    /// <summary>Whether a limit of each node's line binds, by node index; <see cref="EdgeState.Free"/> for the root.</summary>
    public ImmutableArray<EdgeState> EdgeStates { get; }

    /// <summary>
    /// The trades: matched nearest first (within a node before across its parent's line), node by node from the
    /// deepest, and at each node by price-time priority as in the single-zone walk.
    /// </summary>
    public ImmutableArray<GridTrade> Trades { get; }

    /// <summary>
    /// The community as one resource after the local clearing: what it would export or import at an outside price,
    /// within every envelope and capacity; <see langword="null"/> when rejected.
    /// </summary>
    public CommunityResidual? Residual { get; }

    /// <summary>
    /// The node whose binding limit cut an order: the nearest node on the path from the order's node to the root whose
    /// line binds in the order's direction (export for an offer, import for a bid); <c>-1</c> when none does.
    /// </summary>
    /// <param name="order">The order's input position.</param>
    /// <returns>The node's index, or <c>-1</c>.</returns>
    public int LimitingNode(int order)
    {
        if (_network is null)
        {
            return -1;
        }

        var wanted = _sides[order] == Side.Sell ? EdgeState.ExportLimitBinding : EdgeState.ImportLimitBinding;
        for (var node = _orderNodes[order]; node != _network.Root; node = _network.Nodes[node].Parent)
        {
            if (EdgeStates[node] == wanted)
            {
                return node;
            }
        }

        return -1;
    }

    internal static GridClearingResult Rejected(ClearingRejection rejection) =>
        new(rejection, null, [], [], 0, [], [], [], [], [], null);

    internal static GridClearingResult Cleared(
        GridNetwork network,
        int[] orderNodes,
        Side[] sides,
        long volumeWh,
        ImmutableArray<OrderOutcome> outcomes,
        ImmutableArray<long> zonePrices,
        ImmutableArray<long> flowsWh,
        ImmutableArray<EdgeState> edgeStates,
        ImmutableArray<GridTrade> trades,
        CommunityResidual residual) =>
        new(null, network, orderNodes, sides, volumeWh, outcomes, zonePrices, flowsWh, edgeStates, trades, residual);
}
