using System.Collections;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using Market.Matching.Grid;

namespace Market.Web.Grid;

/// <summary>A node and the start of one interval.</summary>
/// <param name="NodeId">The node's id.</param>
/// <param name="IntervalStart">The interval's start, Unix seconds UTC, on the interval grid.</param>
public readonly record struct NodeInterval(string NodeId, long IntervalStart);

/// <summary>The envelope in force for a node in one interval.</summary>
/// <param name="ImportW">The import limit in watts, or null when the envelope sets none (the node's capacity holds).</param>
/// <param name="ExportW">The export limit in watts, or null when the envelope sets none (the node's capacity holds).</param>
/// <param name="EventId">The operator's event id, or null.</param>
public readonly record struct IntervalLimit(long? ImportW, long? ExportW, string? EventId);

/// <summary>
/// Validated envelopes as per-interval limits: a read-only map from (node, interval start) to the limit in force,
/// for every interval that some envelope covers.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. It stores the windows, not the intervals: each node's windows sorted by start, so a
/// lookup is a binary search among that node's windows and memory grows with the envelopes, not with their length
/// (24 bytes per envelope besides the envelopes themselves, about 23 MB for 10,000 connections × 96 quarter hours; a
/// week-long window costs what a quarter-hour one does). Enumeration expands the windows interval by interval, nodes
/// in network order, then in time.
/// </remarks>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "It is the envelopes' schedule, which can also be read as a dictionary; a name ending in Dictionary would hide what it holds.")]
public sealed class EnvelopeSchedule : IReadOnlyDictionary<NodeInterval, IntervalLimit>
{
    private readonly Envelope[] _windows;
    private readonly long[] _starts;
    private readonly long[] _ends;
    private readonly int[] _nodeStart;

    internal EnvelopeSchedule(NetworkDefinition network, int intervalSeconds, Envelope[] windows, long[] starts, long[] ends, int[] nodeStart, int count)
    {
        Network = network;
        IntervalSeconds = intervalSeconds;
        _windows = windows;
        _starts = starts;
        _ends = ends;
        _nodeStart = nodeStart;
        Count = count;
        Windows = new ReadOnlyCollection<Envelope>(windows);
    }

    /// <summary>The network the envelopes were validated against.</summary>
    public NetworkDefinition Network { get; }

    /// <summary>The interval length, in seconds.</summary>
    public int IntervalSeconds { get; }

    /// <summary>The envelopes, grouped by node in network order and sorted by start within each node.</summary>
    public IReadOnlyList<Envelope> Windows { get; }

    /// <summary>The number of (node, interval) pairs with a limit.</summary>
    public int Count { get; }

    /// <inheritdoc/>
    public IEnumerable<NodeInterval> Keys
    {
        get
        {
            foreach (var (key, _) in this)
            {
                yield return key;
            }
        }
    }

    /// <inheritdoc/>
    public IEnumerable<IntervalLimit> Values
    {
        get
        {
            foreach (var (_, value) in this)
            {
                yield return value;
            }
        }
    }

    /// <summary>The limit of a node in an interval.</summary>
    /// <param name="key">The node and the interval's start.</param>
    /// <returns>The limit.</returns>
    /// <exception cref="KeyNotFoundException">No envelope covers that node in that interval.</exception>
    public IntervalLimit this[NodeInterval key] =>
        TryGetValue(key, out var limit) ? limit : throw new KeyNotFoundException($"No envelope covers node \"{key.NodeId}\" at {key.IntervalStart}.");

    /// <inheritdoc/>
    public bool ContainsKey(NodeInterval key) => TryGetValue(key, out _);

    /// <inheritdoc/>
    public bool TryGetValue(NodeInterval key, out IntervalLimit value) => TryGetLimit(key.NodeId, key.IntervalStart, out value);

    /// <summary>The limit in force for a node in an interval.</summary>
    /// <param name="nodeId">The node's id.</param>
    /// <param name="intervalStart">The interval's start, Unix seconds UTC; an instant off the grid has no limit.</param>
    /// <param name="limit">The limit, when an envelope covers the interval.</param>
    /// <returns>Whether an envelope covers the node in that interval.</returns>
    public bool TryGetLimit(string nodeId, long intervalStart, out IntervalLimit limit)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        if (Network.TryGetIndex(nodeId, out var node))
        {
            return TryGetLimit(node, intervalStart, out limit);
        }

        limit = default;
        return false;
    }

    /// <summary>The limit in force for a node, given by its index in <see cref="NetworkDefinition.Nodes"/>, in an interval.</summary>
    /// <param name="nodeIndex">The node's index.</param>
    /// <param name="intervalStart">The interval's start, Unix seconds UTC; an instant off the grid has no limit.</param>
    /// <param name="limit">The limit, when an envelope covers the interval.</param>
    /// <returns>Whether an envelope covers the node in that interval.</returns>
    public bool TryGetLimit(int nodeIndex, long intervalStart, out IntervalLimit limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(nodeIndex, Network.Count);
        limit = default;
        var from = _nodeStart[nodeIndex];
        var count = _nodeStart[nodeIndex + 1] - from;
        if (count == 0 || intervalStart % IntervalSeconds != 0)
        {
            return false;
        }

        var at = Array.BinarySearch(_starts, from, count, intervalStart);
        at = at >= 0 ? at : ~at - 1; // the last window starting at or before the interval
        if (at < from || intervalStart >= _ends[at])
        {
            return false;
        }

        var window = _windows[at];
        limit = new IntervalLimit(window.ImportLimitW, window.ExportLimitW, window.EventId);
        return true;
    }

    /// <summary>
    /// The limits in force for one interval, one per node in network order, ready for <see cref="GridAuction"/>:
    /// each node's static capacities (<see cref="NetworkDefinition.ToGridNodes"/>), with the direction an envelope
    /// limits replaced by the envelope, converted to watt-hours per interval with
    /// <see cref="NetworkDefinition.ToWattHours"/>. The network operator's envelope is the figure in force, even when
    /// it is above the static capacity (a dynamic rating may be).
    /// </summary>
    /// <param name="intervalStart">The interval's start, Unix seconds UTC, on the interval grid.</param>
    /// <returns>One limit per node; the root's is unlimited (the auction ignores it).</returns>
    /// <exception cref="ArgumentException">The instant is not an interval start.</exception>
    public EdgeLimit[] EdgeLimitsAt(long intervalStart)
    {
        if (intervalStart % IntervalSeconds != 0)
        {
            throw new ArgumentException($"{intervalStart} is not the start of a {IntervalSeconds}-second interval.", nameof(intervalStart));
        }

        var result = new EdgeLimit[Network.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var node = Network.Nodes[i];
            long? export = node.ExportCapacityW, import = node.ImportCapacityW;
            if (TryGetLimit(i, intervalStart, out var limit))
            {
                export = limit.ExportW ?? export;
                import = limit.ImportW ?? import;
            }

            result[i] = i == Network.RootIndex
                ? new EdgeLimit(GridNetwork.Unlimited, GridNetwork.Unlimited)
                : new EdgeLimit(NetworkDefinition.ToWattHours(export, IntervalSeconds), NetworkDefinition.ToWattHours(import, IntervalSeconds));
        }

        return result;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<NodeInterval, IntervalLimit>> GetEnumerator()
    {
        for (var k = 0; k < _windows.Length; k++)
        {
            var window = _windows[k];
            var limit = new IntervalLimit(window.ImportLimitW, window.ExportLimitW, window.EventId);
            for (var t = _starts[k]; t < _ends[k]; t += IntervalSeconds)
            {
                yield return new KeyValuePair<NodeInterval, IntervalLimit>(new NodeInterval(window.NodeId, t), limit);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
