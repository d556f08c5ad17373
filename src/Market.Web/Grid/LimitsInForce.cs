using Market.Ledger;

namespace Market.Web.Grid;

/// <summary>The limits in force for one interval, as sealed and as the pages show them.</summary>
/// <param name="Wh">Each node's (export, import) limit in Wh.</param>
/// <param name="Leaves">The grid-limits leaves: the nodes whose limits differ from their static capacities.</param>
/// <param name="FromEnvelope">Whether a node's limits came from the network operator for this interval.</param>
/// <param name="EventIds">The network operator's event id per node, where it gave one.</param>
public sealed record IntervalLimits((long ExportWh, long ImportWh)[] Wh, IReadOnlyList<GridLimitLeaf> Leaves, bool[] FromEnvelope, string?[] EventIds);

/// <summary>
/// The one rule for the limits a line has in an interval, shared by the clearing (which seals them) and the network
/// operator's page (which shows them before the clearing): per node the newest envelope covering the interval, a
/// direction it leaves open keeping the line's static capacity; else the static capacity.
/// </summary>
public static class LimitsInForce
{
    /// <summary>
    /// The limits of every node for an interval: the network operator's newest envelope covering it where one exists
    /// (a direction it leaves open keeps the static capacity), else the static capacity. The root has no line, so an
    /// envelope for it is not applied.
    /// </summary>
    public static IntervalLimits For(GridTopology topology, long intervalSeconds, IReadOnlyList<LimitInForce> envelopes)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(envelopes);
        var wh = topology.StaticLimits(intervalSeconds);
        var fromEnvelope = new bool[wh.Length];
        var eventIds = new string?[wh.Length];
        var index = new Dictionary<string, int>(topology.Count, StringComparer.Ordinal);
        for (var i = 0; i < topology.Count; i++)
        {
            index[topology.Nodes[i].NodeId] = i;
        }

        foreach (var envelope in envelopes)
        {
            if (!index.TryGetValue(envelope.NodeId, out var node) || node == topology.Root)
            {
                continue;
            }

            var line = topology.Nodes[node];
            wh[node] = (
                LineWh(envelope.ExportLimitW, line.ExportCapacityW, intervalSeconds),
                LineWh(envelope.ImportLimitW, line.ImportCapacityW, intervalSeconds));
            fromEnvelope[node] = true;
            eventIds[node] = envelope.EventId; // validated on import: sealed as the network operator sent it
        }

        var statics = topology.StaticLimits(intervalSeconds);
        var leaves = new List<GridLimitLeaf>();
        for (var node = 0; node < wh.Length; node++)
        {
            if (fromEnvelope[node] && (wh[node] != statics[node] || eventIds[node] is not null))
            {
                leaves.Add(new GridLimitLeaf(node, wh[node].ExportWh, wh[node].ImportWh, eventIds[node] ?? ""));
            }
        }

        return new IntervalLimits(wh, leaves, fromEnvelope, eventIds);
    }

    /// <summary>A line's limit in one direction over an interval: the envelope's where it sets one, else the static capacity.</summary>
    /// <param name="envelopeW">The envelope's limit in W, or null when it leaves the direction open (or there is none).</param>
    /// <param name="staticW">The line's static capacity in W (-1 or null: unlimited).</param>
    /// <param name="intervalSeconds">The interval's length.</param>
    /// <returns>The limit in Wh; <see cref="GridTopology.UnlimitedWh"/> when unlimited.</returns>
    public static long LineWh(long? envelopeW, long? staticW, long intervalSeconds) =>
        GridTopology.CapacityWh(envelopeW ?? staticW ?? NetworkNodeLeaf.Unlimited, intervalSeconds);
}
