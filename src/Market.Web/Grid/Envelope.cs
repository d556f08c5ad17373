namespace Market.Web.Grid;

/// <summary>
/// A dynamic operating envelope from the network operator: the most power a node's line may carry in each
/// direction during a time window. On a connection it is the household's import and export limit; on a feeder or
/// a transformer it is that line's capacity while it varies.
/// </summary>
/// <param name="NodeId">The node it applies to (a connection, feeder or transformer of the network).</param>
/// <param name="Start">The window's start, inclusive.</param>
/// <param name="End">The window's end, exclusive: the window is <c>[Start, End)</c>.</param>
/// <param name="ImportLimitW">The most power the node may take from the grid, in watts; null for no envelope in that direction.</param>
/// <param name="ExportLimitW">The most power the node may send to the grid, in watts; null for no envelope in that direction.</param>
/// <param name="EventId">The operator's id of the event (at most 64 characters), or null.</param>
public sealed record Envelope(
    string NodeId,
    DateTimeOffset Start,
    DateTimeOffset End,
    long? ImportLimitW,
    long? ExportLimitW,
    string? EventId);

/// <summary>What is wrong with one envelope of an upload, or with the upload as a whole.</summary>
/// <param name="Item">
/// The 1-based item of a JSON upload, the 1-based <c>DERControl</c> of an XML document, the 1-based position in
/// the list given to <see cref="EnvelopeValidator"/>; 0 for the upload as a whole.
/// </param>
/// <param name="Message">For the network operator, in English, starting with where the problem is.</param>
public sealed record EnvelopeError(int Item, string Message);

/// <summary>A control of an XML document that is well-formed but sets no limit, because it is no longer in force.</summary>
/// <param name="Item">The 1-based <c>DERControl</c> in the document.</param>
/// <param name="EventId">The control's <c>mRID</c>.</param>
/// <param name="Reason">Why it sets no limit, for people.</param>
public sealed record SkippedControl(int Item, string EventId, string Reason);

/// <summary>The envelopes of an upload that parsed, and what did not.</summary>
/// <param name="Envelopes">The envelopes, in the upload's order.</param>
/// <param name="Errors">Every malformed item; when there is any, the upload must be refused as a whole.</param>
public sealed record ParsedEnvelopes(IReadOnlyList<Envelope> Envelopes, IReadOnlyList<EnvelopeError> Errors)
{
    /// <summary>XML controls left out because they were superseded (never an error).</summary>
    public IReadOnlyList<SkippedControl> Skipped { get; init; } = [];

    /// <summary>
    /// Cancelled XML controls (<c>EventStatus</c> 2 or 3), each as the event it cancels: its node, window and
    /// <c>mRID</c> (limits null). Stored, they take the node's windows of that event from earlier uploads out of force
    /// for the intervals still open (<see cref="LimitsInForce.Winner{TWindow}"/>).
    /// </summary>
    public IReadOnlyList<Envelope> Cancellations { get; init; } = [];

    /// <summary>Whether every item parsed.</summary>
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// A JSON upload: <c>{"envelopes":[{"node":"C17","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z",
/// "importLimitW":5000,"exportLimitW":2400,"event":"DOE-2026-06-15-0042"}]}</c>, read by the API's strict JSON
/// options (no unknown or repeated member).
/// </summary>
/// <param name="Envelopes">The envelopes.</param>
public sealed record EnvelopeUpload(IReadOnlyList<EnvelopeUploadItem?>? Envelopes);

/// <summary>One envelope of a JSON upload; see <see cref="Envelope"/>.</summary>
/// <param name="Node">The node's id.</param>
/// <param name="Start">ISO 8601 in UTC, e.g. <c>2026-06-15T10:00:00Z</c>.</param>
/// <param name="End">ISO 8601 in UTC, after <paramref name="Start"/>.</param>
/// <param name="ImportLimitW">Watts, or absent; at least one of the two limits is given.</param>
/// <param name="ExportLimitW">Watts, or absent; at least one of the two limits is given.</param>
/// <param name="Event">The operator's event id, 1 to 64 characters, or absent.</param>
public sealed record EnvelopeUploadItem(string? Node, string? Start, string? End, long? ImportLimitW, long? ExportLimitW, string? Event);
