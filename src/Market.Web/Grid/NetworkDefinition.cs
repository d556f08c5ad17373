using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Market.Matching.Grid;

namespace Market.Web.Grid;

/// <summary>
/// A community's network as validated by <see cref="NetworkDefinitionParser"/>: one community node at the root,
/// transformers under it, feeders under transformers and connections (one household meter each) under feeders.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. The nodes keep the order they were given in, which is the canonical order: node
/// <c>i</c> of <see cref="Nodes"/> is node <c>i</c> of <see cref="ToGridNodes"/>. Node ids and meter ids compare
/// ordinally (case-sensitive).
/// </remarks>
public sealed class NetworkDefinition
{
    /// <summary>The most nodes a network may have.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>The longest node id, in characters (all ASCII).</summary>
    public const int MaxNodeIdLength = 64;

    /// <summary>
    /// The highest capacity or limit, in watts (100 GW): far above any community's network, low enough that a
    /// day's energy at that power fits a <see cref="long"/> many times over.
    /// </summary>
    public const long MaxPowerW = 100_000_000_000;

    /// <summary>The longest interval <see cref="ToGridNodes"/> and the envelopes accept, in seconds (a day).</summary>
    public const int MaxIntervalSeconds = 86_400;

    private readonly int[] _parents;
    private readonly Dictionary<string, int> _byId;
    private readonly Dictionary<string, int> _byMeter;

    internal NetworkDefinition(ImmutableArray<NetworkNodeDefinition> nodes, int[] parents, Dictionary<string, int> byId, Dictionary<string, int> byMeter, int root)
    {
        Nodes = nodes;
        _parents = parents;
        _byId = byId;
        _byMeter = byMeter;
        RootIndex = root;
    }

    /// <summary>The nodes in canonical order (as given).</summary>
    public ImmutableArray<NetworkNodeDefinition> Nodes { get; }

    /// <summary>The number of nodes.</summary>
    public int Count => Nodes.Length;

    /// <summary>The index of the community node, the root.</summary>
    public int RootIndex { get; }

    /// <summary>The community node, the root.</summary>
    public NetworkNodeDefinition Root => Nodes[RootIndex];

    /// <summary>The number of connections (household meters).</summary>
    public int ConnectionCount => _byMeter.Count;

    /// <summary>Whether <paramref name="id"/> is a well-formed node id: 1 to 64 characters of <c>[A-Za-z0-9._-]</c>.</summary>
    /// <param name="id">The candidate id.</param>
    /// <returns>Whether it is well-formed (not whether it is a node of some network).</returns>
    public static bool IsWellFormedNodeId(string? id)
    {
        if (id is null || id.Length is 0 or > MaxNodeIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Finds a node's index by its id.</summary>
    /// <param name="nodeId">The node id (case-sensitive).</param>
    /// <param name="index">The node's index in <see cref="Nodes"/>, or -1.</param>
    /// <returns>Whether the node exists.</returns>
    public bool TryGetIndex(string nodeId, out int index)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        if (_byId.TryGetValue(nodeId, out index))
        {
            return true;
        }

        index = -1;
        return false;
    }

    /// <summary>Finds a node by its id.</summary>
    /// <param name="nodeId">The node id (case-sensitive).</param>
    /// <param name="node">The node, when found.</param>
    /// <returns>Whether the node exists.</returns>
    public bool TryGetNode(string nodeId, [NotNullWhen(true)] out NetworkNodeDefinition? node)
    {
        node = TryGetIndex(nodeId, out var index) ? Nodes[index] : null;
        return node is not null;
    }

    /// <summary>Finds the connection that names a meter.</summary>
    /// <param name="meterId">The meter id (case-sensitive).</param>
    /// <param name="connection">The connection, when found.</param>
    /// <returns>Whether a connection names the meter.</returns>
    public bool TryGetConnectionByMeter(string meterId, [NotNullWhen(true)] out NetworkNodeDefinition? connection)
    {
        ArgumentNullException.ThrowIfNull(meterId);
        connection = _byMeter.TryGetValue(meterId, out var index) ? Nodes[index] : null;
        return connection is not null;
    }

    /// <summary>The index of a node's parent.</summary>
    /// <param name="index">The node's index.</param>
    /// <returns>The parent's index, or -1 for the root.</returns>
    public int ParentIndex(int index) => _parents[index];

    /// <summary>
    /// The most energy a line may carry in one interval at a constant power: <c>floor(W × seconds / 3600)</c> Wh, or
    /// <see cref="GridNetwork.Unlimited"/> for no limit. Rounding down keeps every interval's energy within the power.
    /// </summary>
    /// <param name="watts">The power in watts, 0 to <see cref="MaxPowerW"/>; null for no limit.</param>
    /// <param name="intervalSeconds">The interval length, 1 to <see cref="MaxIntervalSeconds"/> seconds.</param>
    /// <returns>The energy in watt-hours.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The power or the interval is out of range.</exception>
    public static long ToWattHours(long? watts, int intervalSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(intervalSeconds, MaxIntervalSeconds);
        if (watts is not { } w)
        {
            return GridNetwork.Unlimited;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(w, nameof(watts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(w, MaxPowerW, nameof(watts));
        return w * intervalSeconds / 3600;
    }

    /// <summary>
    /// The network for <see cref="GridAuction"/>: one <see cref="GridNode"/> per node in canonical order, capacities
    /// converted to watt-hours per interval (<see cref="ToWattHours"/>), and the fees placed so that a trade's fee,
    /// the export fees on the seller's lines up to where the two paths meet plus the import fees on the buyer's lines
    /// down from there, is exactly the table's.
    /// </summary>
    /// <param name="intervalSeconds">The interval length, 1 to <see cref="MaxIntervalSeconds"/> seconds.</param>
    /// <param name="fees">The fees by distance; must be valid (<see cref="NetworkFees.IsValid"/>).</param>
    /// <returns>The nodes, each with its parent's index (-1 for the root).</returns>
    /// <remarks>
    /// The whole fee sits on the export side, every import fee is 0: a connection's line carries
    /// <see cref="NetworkFees.SameFeeder"/>, a feeder's line <c>SameTransformer − SameFeeder</c> and a transformer's
    /// line <c>AcrossTransformers − SameTransformer</c>. Energy sold to a neighbour on the same feeder crosses only
    /// the seller's connection line; to a neighbour on another feeder also the seller's feeder line; to one under
    /// another transformer also the seller's transformer line. The root's capacities are unlimited and its fees 0
    /// (both are ignored by the auction).
    /// </remarks>
    /// <exception cref="ArgumentException">The fees are invalid or the interval is out of range.</exception>
    public ImmutableArray<GridNode> ToGridNodes(int intervalSeconds, NetworkFees fees)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(intervalSeconds, MaxIntervalSeconds);
        if (!fees.IsValid(out var problem))
        {
            throw new ArgumentException(problem, nameof(fees));
        }

        var result = ImmutableArray.CreateBuilder<GridNode>(Count);
        for (var i = 0; i < Count; i++)
        {
            var node = Nodes[i];
            var fee = node.Kind switch
            {
                NetworkNodeKind.Connection => fees.SameFeeder,
                NetworkNodeKind.Feeder => fees.SameTransformer - fees.SameFeeder,
                NetworkNodeKind.Transformer => fees.AcrossTransformers - fees.SameTransformer,
                _ => 0,
            };
            result.Add(i == RootIndex
                ? new GridNode(-1, GridNetwork.Unlimited, GridNetwork.Unlimited, 0, 0)
                : new GridNode(_parents[i], ToWattHours(node.ExportCapacityW, intervalSeconds), ToWattHours(node.ImportCapacityW, intervalSeconds), fee, 0));
        }

        return result.MoveToImmutable();
    }

    /// <summary>The validated <see cref="GridNetwork"/> of <see cref="ToGridNodes"/>.</summary>
    /// <param name="intervalSeconds">The interval length, 1 to <see cref="MaxIntervalSeconds"/> seconds.</param>
    /// <param name="fees">The fees by distance; must be valid (<see cref="NetworkFees.IsValid"/>).</param>
    /// <returns>The network.</returns>
    /// <exception cref="ArgumentException">The fees are invalid or the interval is out of range.</exception>
    public GridNetwork ToGridNetwork(int intervalSeconds, NetworkFees fees)
    {
        var nodes = ToGridNodes(intervalSeconds, fees);
        // The parser checked every rule GridNetwork checks, so a refusal here is a bug, not bad input.
        return GridNetwork.TryCreate(nodes.AsSpan(), out var network, out var error)
            ? network
            : throw new InvalidOperationException($"A validated network was refused by the grid model at node \"{Nodes[Math.Max(error.Node, 0)].Id}\": {error.Code}.");
    }
}
