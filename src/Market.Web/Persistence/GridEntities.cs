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
}
