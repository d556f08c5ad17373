namespace Market.Web.Persistence;

/// <summary>
/// One version of the community's network as imported (all or nothing): the nodes in canonical order as JSON. The
/// newest version is the one in force; older ones stay (append-only), so what any interval was cleared on can be
/// shown.
/// </summary>
public sealed class NetworkVersionEntity
{
    /// <summary>The version: 1, 2, 3, … in import order.</summary>
    public long Id { get; set; }

    /// <summary>Unix milliseconds UTC.</summary>
    public long ImportedAtMs { get; set; }

    /// <summary>Who imported it (user name).</summary>
    public string ImportedBy { get; set; } = "";

    /// <summary><c>csv</c> or <c>json</c>.</summary>
    public string Format { get; set; } = "";

    /// <summary>The nodes, canonical JSON (<see cref="Market.Web.Grid.GridStore"/>).</summary>
    public string NodesJson { get; set; } = "";

    /// <summary>SHA-256 of <see cref="NodesJson"/> (UTF-8), lower-case hex: what the importer's receipt names.</summary>
    public string Sha256 { get; set; } = "";

    public int NodeCount { get; set; }

    public int ConnectionCount { get; set; }
}

/// <summary>One accepted envelope upload of the network operator (all or nothing), with its envelopes in <see cref="EnvelopeEntity"/>.</summary>
public sealed class EnvelopeUploadEntity
{
    public long Id { get; set; }

    /// <summary>Unix milliseconds UTC.</summary>
    public long ReceivedAtMs { get; set; }

    /// <summary>Who sent it (user name).</summary>
    public string ReceivedBy { get; set; } = "";

    /// <summary><c>json</c> or <c>csip-aus</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>The network version the envelopes were checked against.</summary>
    public long NetworkVersion { get; set; }

    /// <summary>SHA-256 of the request body, lower-case hex: what the network operator's receipt names.</summary>
    public string Sha256 { get; set; } = "";

    public int Count { get; set; }
}

/// <summary>
/// One envelope or capacity window for one node, as the network operator sent it. A later upload's window for the same
/// node and interval replaces an earlier one's (the newest upload wins); rows are never changed.
/// </summary>
public sealed class EnvelopeEntity
{
    public long Id { get; set; }

    public long UploadId { get; set; }

    /// <summary>The node's id in the network.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>Window start, Unix seconds UTC, on the interval grid.</summary>
    public long Start { get; set; }

    /// <summary>Window end (exclusive), Unix seconds UTC, on the interval grid.</summary>
    public long End { get; set; }

    /// <summary>Import limit in watts; null for the node's static limit.</summary>
    public long? ImportLimitW { get; set; }

    /// <summary>Export limit in watts; null for the node's static limit.</summary>
    public long? ExportLimitW { get; set; }

    /// <summary>The network operator's event id (a CSIP-AUS control's mRID), if any.</summary>
    public string? EventId { get; set; }

    /// <summary>
    /// A cancellation (a CSIP-AUS control with <c>EventStatus</c> 2 or 3), not a limit: over this window (from the first
    /// interval still open when it arrived) the node's windows of event <see cref="EventId"/> from this or earlier
    /// uploads no longer count. Both limits are null.
    /// </summary>
    public bool Cancels { get; set; }
}

/// <summary>How a line's limit stood after an interval's clearing.</summary>
public enum LineState : byte
{
    /// <summary>Neither limit reached.</summary>
    Free = 0,

    /// <summary>The flow up to the parent reached the export limit.</summary>
    ExportBinding = 1,

    /// <summary>The flow down from the parent reached the import limit.</summary>
    ImportBinding = 2,
}

/// <summary>
/// One node of the network after an interval cleared under the grid's mechanism: its zone price, its line's net
/// flow and the limits in force (copied from the sealed network and grid-limits blocks, for the pages; the ledger is
/// the record). Every node that is not a connection has a row; a connection has one when an envelope applied to it
/// or its line bound.
/// </summary>
public sealed class GridNodeResultEntity
{
    public long Id { get; set; }

    public long IntervalStart { get; set; }

    /// <summary>The node's index in the network block in force.</summary>
    public int Node { get; set; }

    /// <summary>The parent's index; −1 for the root.</summary>
    public int Parent { get; set; }

    /// <summary>The network's id of the node.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>The node's kind (<see cref="Market.Ledger.NetworkNodeKind"/>).</summary>
    public byte Kind { get; set; }

    /// <summary>The node's zone price, 1/10,000 currency per kWh.</summary>
    public long ZonePrice { get; set; }

    /// <summary>Net energy the node's subtree sent up its line (negative: took down), Wh; 0 for the root.</summary>
    public long FlowWh { get; set; }

    /// <summary>The export limit of the line in the interval, Wh; null when unlimited.</summary>
    public long? ExportLimitWh { get; set; }

    /// <summary>The import limit of the line in the interval, Wh; null when unlimited.</summary>
    public long? ImportLimitWh { get; set; }

    /// <summary>Whether the limits came from the network operator for this interval (an envelope), not the static capacity.</summary>
    public bool FromEnvelope { get; set; }

    /// <summary>The network operator's event id of the envelope, if any.</summary>
    public string? EventId { get; set; }

    public LineState State { get; set; }
}
