using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Grid;

/// <summary>Where an interval stands with the grid's limits.</summary>
public enum AppliedStatus
{
    /// <summary>Cleared under the grid's mechanism: the limits were applied and the flows are what the market scheduled.</summary>
    Cleared = 0,

    /// <summary>Not cleared yet: the envelope is in force and is applied at the interval's gate closure.</summary>
    Pending = 1,

    /// <summary>Cleared under a mechanism that does not take the grid's limits: the envelope was stored, not applied.</summary>
    NotApplied = 2,
}

/// <summary>
/// One line (a node's connection to its parent) in one interval: the limits it had or has, where they come from, and,
/// once cleared under the grid's mechanism, the flow the market scheduled on it and how much of the limit that used.
/// </summary>
/// <param name="IntervalStart">Unix seconds UTC.</param>
/// <param name="IntervalEnd">Unix seconds UTC, exclusive.</param>
/// <param name="Status">Cleared, pending, or cleared without the grid's limits.</param>
/// <param name="NodeId">The network's id of the node.</param>
/// <param name="ParentId">The network's id of its parent, or null when unknown.</param>
/// <param name="Kind">Transformer, feeder or connection.</param>
/// <param name="FromEnvelope">Whether the network operator sent limits for this node and interval (else static capacity).</param>
/// <param name="EventId">The network operator's event id, if any.</param>
/// <param name="Upload">The envelope upload whose window is in force for the node and interval, if any.</param>
/// <param name="EnvelopeExportW">The export limit as sent, W; null when the envelope leaves it open or there is none.</param>
/// <param name="EnvelopeImportW">The import limit as sent, W; null when the envelope leaves it open or there is none.</param>
/// <param name="ExportLimitWh">The export limit over the interval, Wh (as cleared, or as it will be); null = unlimited.</param>
/// <param name="ImportLimitWh">The import limit over the interval, Wh (as cleared, or as it will be); null = unlimited.</param>
/// <param name="FlowWh">Net energy scheduled up the line, Wh (negative: down); null until cleared under the grid's mechanism.</param>
/// <param name="State">Whether a limit bound in the clearing; null until cleared under the grid's mechanism.</param>
public sealed record AppliedLimit(
    long IntervalStart, long IntervalEnd, AppliedStatus Status, string NodeId, string? ParentId, NetworkNodeKind Kind,
    bool FromEnvelope, string? EventId, long? Upload, long? EnvelopeExportW, long? EnvelopeImportW,
    long? ExportLimitWh, long? ImportLimitWh, long? FlowWh, LineState? State)
{
    /// <summary>Whether the scheduled flow reached one of the limits.</summary>
    public bool Bound => State is LineState.ExportBinding or LineState.ImportBinding;

    /// <summary>The limit in the flow's direction, Wh: export when the flow goes up, import when it comes down; null when unlimited or not cleared.</summary>
    public long? LimitInFlowDirectionWh => FlowWh switch
    {
        > 0 => ExportLimitWh,
        < 0 => ImportLimitWh,
        _ => null,
    };

    /// <summary>
    /// The share of the limit in the flow's direction the market used, percent to one decimal (rounded half away from
    /// zero): 100 × |flow| / limit. 0 with no flow on a limited line; null when not cleared, unlimited in that
    /// direction, or the limit is 0 (nothing could flow; <see cref="Bound"/> says whether it bound).
    /// </summary>
    public decimal? UsedPercent => FlowWh switch
    {
        null => null,
        0 => ExportLimitWh is not null || ImportLimitWh is not null ? 0m : null,
        _ => LimitInFlowDirectionWh is long limit && limit > 0
            ? Math.Round(100m * Math.Abs(FlowWh.Value) / limit, 1, MidpointRounding.AwayFromZero)
            : null,
    };
}

/// <summary>The lines of a range of intervals; <paramref name="Truncated"/> when there were more than asked for.</summary>
/// <param name="Rows">By interval, then in network order.</param>
/// <param name="Truncated">Whether more rows than the limit matched (the rows are then incomplete).</param>
public sealed record AppliedLimits(IReadOnlyList<AppliedLimit> Rows, bool Truncated);

/// <summary>
/// The network operator's view of its limits: per interval and line, the envelope in force (the newest upload's
/// window), what the clearing applied and the flow it scheduled. Read from the clearing's stored node results (every
/// transformer and feeder, and every connection with an envelope or a binding line) and the stored envelope windows;
/// the ledger's grid-limits and clearing blocks are the record these copy.
/// </summary>
public sealed class AppliedLimitsQuery(IDbContextFactory<MarketDbContext> dbFactory, GridStore store, MarketClock clock)
{
    /// <summary>The CSV header of <see cref="ToCsv"/>.</summary>
    public const string CsvHeader =
        "interval_start_utc,interval_end_utc,status,node,parent,kind,source,event,upload,envelope_export_w,envelope_import_w,export_limit_wh,import_limit_wh,flow_wh,used_percent,binding";

    /// <summary>The lines of the intervals that start in <c>[from, to)</c>, at most <paramref name="maxRows"/>.</summary>
    /// <param name="from">Unix seconds UTC.</param>
    /// <param name="to">Unix seconds UTC, exclusive.</param>
    /// <param name="maxRows">The most rows returned; beyond it the result says it was truncated.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    public async Task<AppliedLimits> ForAsync(long from, long to, int maxRows, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var results = await db.GridNodeResults.AsNoTracking()
            .Where(r => r.IntervalStart >= from && r.IntervalStart < to)
            .OrderBy(r => r.IntervalStart).ThenBy(r => r.Node)
            .Take(maxRows + 1)
            .ToListAsync(cancellationToken);
        var cleared = await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= from && c.IntervalStart < to)
            .Select(c => new { c.IntervalStart, c.IntervalEnd })
            .ToDictionaryAsync(c => c.IntervalStart, c => c.IntervalEnd, cancellationToken);
        var windows = await db.Envelopes.AsNoTracking()
            .Where(e => e.Start < to && e.End > from)
            .Take(maxRows + 1)
            .ToListAsync(cancellationToken);
        var truncated = results.Count > maxRows || windows.Count > maxRows;

        // Per node and interval the newest upload's window is the one in force. A window cannot be sent for an interval
        // whose gate has closed, so the one in force now is the one the clearing applied.
        var covering = new Dictionary<(string Node, long Interval), List<EnvelopeEntity>>();
        foreach (var w in windows)
        {
            for (var t = w.Start; t < w.End && t < to; t = clock.Next(t))
            {
                if (t >= from)
                {
                    if (!covering.TryGetValue((w.NodeId, t), out var list))
                    {
                        covering[(w.NodeId, t)] = list = [];
                    }

                    list.Add(w);
                }
            }
        }

        var inForce = new Dictionary<(string Node, long Interval), EnvelopeEntity>();
        foreach (var (key, list) in covering)
        {
            if (LimitsInForce.Winner(list, w => w.UploadId, w => w.EventId, w => w.Cancels) is { } winner)
            {
                inForce[key] = winner;
            }
        }

        var rows = new List<(long Interval, int Order, AppliedLimit Row)>();
        foreach (var interval in results.GroupBy(r => r.IntervalStart))
        {
            var byIndex = interval.ToDictionary(r => r.Node, r => r.NodeId);
            var end = cleared.TryGetValue(interval.Key, out var e) ? e : clock.Next(interval.Key);
            foreach (var r in interval.Where(r => r.Kind != (byte)NetworkNodeKind.Community))
            {
                var window = r.FromEnvelope && inForce.TryGetValue((r.NodeId, r.IntervalStart), out var w) ? w : null;
                rows.Add((r.IntervalStart, r.Node, new AppliedLimit(
                    r.IntervalStart, end, AppliedStatus.Cleared, r.NodeId, byIndex.GetValueOrDefault(r.Parent), (NetworkNodeKind)r.Kind,
                    r.FromEnvelope, r.EventId ?? window?.EventId, window?.UploadId, window?.ExportLimitW, window?.ImportLimitW,
                    r.ExportLimitWh, r.ImportLimitWh, r.FlowWh, r.State)));
            }
        }

        var clearedUnderGrid = results.Select(r => r.IntervalStart).ToHashSet();
        var network = inForce.Count == 0 ? null : await store.CurrentAsync(cancellationToken);
        foreach (var ((nodeId, interval), w) in inForce)
        {
            if (clearedUnderGrid.Contains(interval) || network is null || !network.Definition.TryGetIndex(nodeId, out var index))
            {
                continue;
            }

            var node = network.Definition.Nodes[index];
            var parent = network.Definition.ParentIndex(index);
            var seconds = clock.LengthOf(interval);
            rows.Add((interval, index, new AppliedLimit(
                interval, cleared.TryGetValue(interval, out var end) ? end : clock.Next(interval),
                cleared.ContainsKey(interval) ? AppliedStatus.NotApplied : AppliedStatus.Pending,
                nodeId, parent >= 0 ? network.Definition.Nodes[parent].Id : null, node.Kind, true, w.EventId, w.UploadId, w.ExportLimitW, w.ImportLimitW,
                Limited(LimitsInForce.LineWh(w.ExportLimitW, node.ExportCapacityW, seconds)), Limited(LimitsInForce.LineWh(w.ImportLimitW, node.ImportCapacityW, seconds)), null, null)));
        }

        var ordered = rows.OrderBy(r => r.Interval).ThenBy(r => r.Order).Select(r => r.Row).Take(maxRows).ToList();
        return new AppliedLimits(ordered, truncated || rows.Count > maxRows);
    }

    /// <summary>
    /// The rows as CSV (<see cref="CsvHeader"/>), the same in every culture: UTC times, whole W and Wh, the percentage
    /// with a dot; an empty limit is unlimited, an empty flow not cleared under the grid's limits.
    /// </summary>
    public static string ToCsv(IEnumerable<AppliedLimit> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{Iso(r.IntervalStart)},{Iso(r.IntervalEnd)},{Status(r.Status)},{Field(r.NodeId)},{Field(r.ParentId)},{r.Kind.ToString().ToLowerInvariant()},{(r.FromEnvelope ? "envelope" : "capacity")},{Field(r.EventId)},{r.Upload},{r.EnvelopeExportW},{r.EnvelopeImportW},{r.ExportLimitWh},{r.ImportLimitWh},{r.FlowWh},{r.UsedPercent?.ToString("0.0", CultureInfo.InvariantCulture)},{Binding(r.State)}\n");
        }

        return csv.ToString();
    }

    /// <summary><c>cleared</c>, <c>pending</c> or <c>not_applied</c>.</summary>
    public static string Status(AppliedStatus status) => status switch
    {
        AppliedStatus.Cleared => "cleared",
        AppliedStatus.Pending => "pending",
        _ => "not_applied",
    };

    /// <summary><c>export</c>, <c>import</c>, or empty when no limit bound.</summary>
    public static string Binding(LineState? state) => state switch
    {
        LineState.ExportBinding => "export",
        LineState.ImportBinding => "import",
        _ => "",
    };

    private static long? Limited(long wh) => wh == Market.Ledger.GridTopology.UnlimitedWh ? null : wh;

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Quoted (RFC 4180) when it holds a separator, a quote or a line break; otherwise exactly as sent.
    private static string Field(string? text) =>
        text is null ? "" : text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
}
