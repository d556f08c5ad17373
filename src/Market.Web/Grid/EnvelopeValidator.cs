using System.Globalization;

namespace Market.Web.Grid;

/// <summary>The outcome of validating envelopes: the schedule when all are right, otherwise every error found.</summary>
/// <param name="Schedule">The per-interval limits; null when there is any error (all or nothing).</param>
/// <param name="Errors">Every problem found, ordered by item; empty when <paramref name="Schedule"/> is set.</param>
public sealed record EnvelopeValidation(EnvelopeSchedule? Schedule, IReadOnlyList<EnvelopeError> Errors)
{
    /// <summary>Whether the envelopes were accepted.</summary>
    public bool Succeeded => Schedule is not null;
}

/// <summary>
/// Checks the network operator's envelopes against a network and the market's interval grid, all or nothing, and
/// turns them into per-interval limits (<see cref="EnvelopeSchedule"/>).
/// </summary>
/// <remarks>
/// <para>Refused, each with its item and the node and window involved:</para>
/// <list type="bullet">
/// <item>a node that is not in the network, or the community node (the root has no line to limit);</item>
/// <item>neither limit, a negative limit, or a limit beyond <see cref="NetworkDefinition.MaxPowerW"/>;</item>
/// <item>an end at or before the start, or a start or end off the interval grid (whole multiples of the interval
/// length from 1970-01-01T00:00:00Z);</item>
/// <item>a window longer than <see cref="MaxWindowSeconds"/>;</item>
/// <item>two windows of the same node that overlap (each node has one limit per interval);</item>
/// <item>an event id longer than <see cref="EnvelopeParser.MaxEventIdLength"/>, or with characters outside
/// <c>[A-Za-z0-9._-]</c> (the grid-limits block seals it as it was sent, and CSV exports carry it unquoted);</item>
/// <item>more than <see cref="MaxItems"/> envelopes (one error for the upload, nothing else is checked);</item>
/// <item>windows that together cover more than <see cref="int.MaxValue"/> node-intervals (the schedule counts them in
/// an <see cref="int"/>; only possible with very short intervals and long windows).</item>
/// </list>
/// <para>
/// Runs in time linear in the envelopes plus sorting each node's windows, with no exception per item, so 10,000
/// connections × 96 intervals validate in well under a second.
/// </para>
/// </remarks>
public static class EnvelopeValidator
{
    /// <summary>The most envelopes one upload may hold.</summary>
    public const int MaxItems = 2_000_000;

    /// <summary>The longest window, in seconds (7 days).</summary>
    public const long MaxWindowSeconds = 7 * 86_400;

    /// <summary>Validates envelopes and expands them to per-interval limits.</summary>
    /// <param name="network">The community's network.</param>
    /// <param name="intervalSeconds">The market's interval length, 1 to <see cref="NetworkDefinition.MaxIntervalSeconds"/> seconds.</param>
    /// <param name="envelopes">The envelopes; errors are numbered by position in this list, from 1.</param>
    /// <returns>The schedule, or every error.</returns>
    public static EnvelopeValidation Validate(NetworkDefinition network, int intervalSeconds, IReadOnlyList<Envelope> envelopes)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(envelopes);
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(intervalSeconds, NetworkDefinition.MaxIntervalSeconds);
        var n = envelopes.Count;
        if (n > MaxItems)
        {
            return new EnvelopeValidation(null, [TooMany(n)]);
        }

        var nodeOf = new int[n];
        var starts = new long[n];
        var ends = new long[n];
        var perNode = new int[network.Count + 1];
        var errors = new List<EnvelopeError>();
        long nodeIntervals = 0;
        for (var i = 0; i < n; i++)
        {
            if (!Check(network, intervalSeconds, envelopes[i], i, errors, out nodeOf[i], out starts[i], out ends[i]))
            {
                nodeOf[i] = -1;
                continue;
            }

            perNode[nodeOf[i] + 1]++;
            nodeIntervals += (ends[i] - starts[i]) / intervalSeconds;
        }

        // Group by node (counting sort), then order each node's windows by start and look for overlaps.
        for (var node = 0; node < network.Count; node++)
        {
            perNode[node + 1] += perNode[node];
        }

        var valid = perNode[network.Count];
        var order = new int[valid];
        var keys = new long[valid];
        var fill = perNode[..network.Count];
        for (var i = 0; i < n; i++)
        {
            if (nodeOf[i] >= 0)
            {
                var at = fill[nodeOf[i]]++;
                order[at] = i;
                keys[at] = starts[i];
            }
        }

        for (var node = 0; node < network.Count; node++)
        {
            var from = perNode[node];
            var to = perNode[node + 1];
            if (!IsAscending(keys, from, to))
            {
                Array.Sort(keys, order, from, to - from);
            }

            var reach = from; // the window so far that ends last
            for (var k = from + 1; k < to; k++)
            {
                if (keys[k] < ends[order[reach]])
                {
                    var (early, late) = (order[reach], order[k]);
                    var other = envelopes[early];
                    errors.Add(new EnvelopeError(late + 1, $"{Where(late, envelopes[late])}: overlaps envelope {early + 1} ({Iso(other.Start)} to {Iso(other.End)}) of the same node; a node has one limit per interval."));
                }

                if (ends[order[k]] > ends[order[reach]])
                {
                    reach = k;
                }
            }
        }

        if (errors.Count == 0 && nodeIntervals > int.MaxValue)
        {
            errors.Add(new EnvelopeError(0, string.Create(CultureInfo.InvariantCulture, $"The envelopes cover {nodeIntervals:N0} node-intervals, more than {int.MaxValue:N0}; send fewer or shorter windows.")));
        }

        if (errors.Count > 0)
        {
            return new EnvelopeValidation(null, [.. errors.OrderBy(e => e.Item)]);
        }

        var windows = new Envelope[valid];
        var windowStarts = new long[valid];
        var windowEnds = new long[valid];
        for (var k = 0; k < valid; k++)
        {
            windows[k] = envelopes[order[k]];
            windowStarts[k] = keys[k];
            windowEnds[k] = ends[order[k]];
        }

        return new EnvelopeValidation(new EnvelopeSchedule(network, intervalSeconds, windows, windowStarts, windowEnds, perNode, (int)nodeIntervals), []);
    }

    internal static EnvelopeError TooMany(int count) =>
        new(0, string.Create(CultureInfo.InvariantCulture, $"The upload holds {count:N0} envelopes, more than {MaxItems:N0}; send it in parts."));

    /// <summary>One envelope on its own: adds an error per problem, and returns its node and window when it has none.</summary>
    private static bool Check(NetworkDefinition network, int intervalSeconds, Envelope? envelope, int index, List<EnvelopeError> errors, out int node, out long start, out long end)
    {
        node = -1;
        start = end = 0;
        if (envelope is null)
        {
            errors.Add(new EnvelopeError(index + 1, $"envelope {index + 1}: missing."));
            return false;
        }

        // Messages are built only for the envelopes that need them: the common case allocates nothing here.
        var ok = true;
        if (envelope.NodeId is null || !network.TryGetIndex(envelope.NodeId, out node))
        {
            ok = Fail(errors, index, envelope, $"node \"{Clip(envelope.NodeId)}\" is not a node of the network.");
        }
        else if (node == network.RootIndex)
        {
            ok = Fail(errors, index, envelope, $"node \"{envelope.NodeId}\" is the community node, the root; envelopes limit connections, feeders and transformers.");
        }

        if (envelope.ImportLimitW is null && envelope.ExportLimitW is null)
        {
            ok = Fail(errors, index, envelope, "neither an import nor an export limit is given.");
        }

        if (LimitProblem(envelope.ImportLimitW, "import") is { } importProblem)
        {
            ok = Fail(errors, index, envelope, importProblem);
        }

        if (LimitProblem(envelope.ExportLimitW, "export") is { } exportProblem)
        {
            ok = Fail(errors, index, envelope, exportProblem);
        }

        start = envelope.Start.ToUnixTimeSeconds();
        end = envelope.End.ToUnixTimeSeconds();
        if (envelope.End.UtcTicks <= envelope.Start.UtcTicks)
        {
            ok = Fail(errors, index, envelope, $"ends at {Iso(envelope.End)}, not after its start.");
        }
        else if (end - start > MaxWindowSeconds)
        {
            ok = Fail(errors, index, envelope, $"lasts {Duration(end - start)}; a window lasts at most 7 days.");
        }

        if (!OnGrid(envelope.Start, start, intervalSeconds))
        {
            ok = Fail(errors, index, envelope, $"start {Iso(envelope.Start)} is not on the interval grid ({Grid(intervalSeconds)}).");
        }

        if (!OnGrid(envelope.End, end, intervalSeconds))
        {
            ok = Fail(errors, index, envelope, $"end {Iso(envelope.End)} is not on the interval grid ({Grid(intervalSeconds)}).");
        }

        if (envelope.EventId is { } eventId && !Market.Ledger.NetworkNodeLeaf.IsValidId(eventId))
        {
            ok = Fail(errors, index, envelope, $"the event id must be 1 to {EnvelopeParser.MaxEventIdLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
        }

        return ok;
    }

    private static bool Fail(List<EnvelopeError> errors, int index, Envelope envelope, string message)
    {
        errors.Add(new EnvelopeError(index + 1, $"{Where(index, envelope)}: {message}"));
        return false;
    }

    private static string? LimitProblem(long? watts, string direction) =>
        watts < 0 ? $"the {direction} limit {watts} W is negative; a limit is 0 or more watts."
        : watts > NetworkDefinition.MaxPowerW ? $"the {direction} limit {watts} W is beyond {NetworkDefinition.MaxPowerW} W."
        : null;

    private static bool OnGrid(DateTimeOffset at, long unixSeconds, int intervalSeconds) =>
        at.UtcTicks % TimeSpan.TicksPerSecond == 0 && unixSeconds % intervalSeconds == 0;

    private static bool IsAscending(long[] keys, int from, int to)
    {
        for (var k = from + 1; k < to; k++)
        {
            if (keys[k] < keys[k - 1])
            {
                return false;
            }
        }

        return true;
    }

    private static string Where(int index, Envelope envelope) =>
        $"envelope {index + 1} (node \"{Clip(envelope.NodeId)}\" from {Iso(envelope.Start)})";

    private static string Grid(int intervalSeconds) =>
        intervalSeconds % 60 == 0
            ? $"{intervalSeconds / 60}-minute intervals start at whole multiples of {intervalSeconds} s from 1970-01-01T00:00:00Z"
            : $"{intervalSeconds}-second intervals start at whole multiples of {intervalSeconds} s from 1970-01-01T00:00:00Z";

    private static string Duration(long seconds) =>
        seconds % 3600 == 0 ? $"{seconds / 3600} hours" : $"{seconds} s";

    internal static string Iso(DateTimeOffset at) =>
        at.UtcDateTime.ToString(at.UtcTicks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Clip(string? value) => value is null ? "" : value.Length <= 40 ? value : value[..40] + "…";
}
