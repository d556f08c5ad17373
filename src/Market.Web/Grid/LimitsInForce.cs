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

    /// <summary>
    /// The window in force for one node and one interval among the node's windows that cover it: the newest upload's
    /// limit window whose event no cancellation from the same or a newer upload names. A cancelled event's window thus
    /// gives way to an older window of another event, or to the static capacity when there is none.
    /// </summary>
    /// <typeparam name="TWindow">How the caller holds a window.</typeparam>
    /// <param name="windows">The node's windows (limits and cancellations) that cover the interval.</param>
    /// <param name="upload">A window's upload id (uploads are numbered in arrival order).</param>
    /// <param name="eventId">A window's event id, or null.</param>
    /// <param name="cancels">Whether a window is a cancellation.</param>
    /// <returns>The window in force, or null for the static capacity.</returns>
    public static TWindow? Winner<TWindow>(IEnumerable<TWindow> windows, Func<TWindow, long> upload, Func<TWindow, string?> eventId, Func<TWindow, bool> cancels)
        where TWindow : class
    {
        ArgumentNullException.ThrowIfNull(windows);
        var list = windows as IReadOnlyList<TWindow> ?? [.. windows];
        TWindow? winner = null;
        foreach (var w in list)
        {
            if (cancels(w) || (winner is not null && upload(w) <= upload(winner)))
            {
                continue;
            }

            var id = eventId(w);
            var cancelled = false;
            foreach (var c in list)
            {
                // Ignoring case: a CSIP-AUS mRID is hex, and AB12 and ab12 are the same event.
                if (cancels(c) && upload(c) >= upload(w) && id is not null && string.Equals(eventId(c), id, StringComparison.OrdinalIgnoreCase))
                {
                    cancelled = true;
                    break;
                }
            }

            if (!cancelled)
            {
                winner = w;
            }
        }

        return winner;
    }

    /// <summary>A line's limit in one direction over an interval: the envelope's where it sets one, else the static capacity.</summary>
    /// <param name="envelopeW">The envelope's limit in W, or null when it leaves the direction open (or there is none).</param>
    /// <param name="staticW">The line's static capacity in W (-1 or null: unlimited).</param>
    /// <param name="intervalSeconds">The interval's length.</param>
    /// <returns>The limit in Wh; <see cref="GridTopology.UnlimitedWh"/> when unlimited.</returns>
    public static long LineWh(long? envelopeW, long? staticW, long intervalSeconds) =>
        GridTopology.CapacityWh(envelopeW ?? staticW ?? NetworkNodeLeaf.Unlimited, intervalSeconds);
}
