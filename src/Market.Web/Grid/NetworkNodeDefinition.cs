namespace Market.Web.Grid;

/// <summary>
/// What a node of the community's network is. The tree nests in this order and no other: the community at the
/// root, transformers under the community, feeders under a transformer, connections under a feeder.
/// </summary>
public enum NetworkNodeKind : byte
{
    /// <summary>The community's connection to the upstream grid: the root, exactly one, with no capacities.</summary>
    Community = 1,

    /// <summary>A distribution transformer; its parent is the community.</summary>
    Transformer = 2,

    /// <summary>A low-voltage feeder; its parent is a transformer.</summary>
    Feeder = 3,

    /// <summary>A household's connection point, a leaf that names the household's meter; its parent is a feeder.</summary>
    Connection = 4,
}

/// <summary>One node of a community's network as the network operator defines it.</summary>
/// <param name="Id">1 to 64 characters of <c>[A-Za-z0-9._-]</c>, unique in the network (case-sensitive).</param>
/// <param name="ParentId">The parent's id; null for the community (the root) only.</param>
/// <param name="Kind">What the node is; fixes what its parent may be.</param>
/// <param name="ExportCapacityW">
/// The most power the node's subtree may send up through its line to the parent, in watts; null for no limit.
/// Null for the community.
/// </param>
/// <param name="ImportCapacityW">
/// The most power the node's subtree may take down through its line from the parent, in watts; null for no limit.
/// Null for the community.
/// </param>
/// <param name="MeterId">The household's meter id (1 to 64 UTF-8 bytes) for a connection; null for every other kind.</param>
public sealed record NetworkNodeDefinition(
    string Id,
    string? ParentId,
    NetworkNodeKind Kind,
    long? ExportCapacityW,
    long? ImportCapacityW,
    string? MeterId);

/// <summary>What is wrong with a network upload, and where.</summary>
/// <param name="Line">
/// The line of the CSV file (the header is line 1), the 1-based item of a JSON upload or node list, or 0 for the
/// network as a whole (no community node, too many nodes).
/// </param>
/// <param name="Message">
/// For the network operator, in English, starting with where the problem is (<c>line 7: parent "F9" is not a node
/// of the network (node "C12")</c>) and naming nodes by their ids.
/// </param>
public sealed record NetworkError(int Line, string Message);

/// <summary>The outcome of reading a network: the network when every node is right, otherwise every error found.</summary>
/// <param name="Network">The network; null when there is any error (all or nothing).</param>
/// <param name="Errors">Every problem found, ordered by line; empty when <paramref name="Network"/> is set.</param>
public sealed record NetworkParseResult(NetworkDefinition? Network, IReadOnlyList<NetworkError> Errors)
{
    /// <summary>Whether the network was accepted.</summary>
    public bool Succeeded => Network is not null;
}

/// <summary>
/// A JSON upload of a network: <c>{"nodes":[{"id":"T1","parent":"ROOT","kind":"transformer","exportCapacityW":…,
/// "importCapacityW":…,"meterId":…}]}</c>, read by the API's strict JSON options (no unknown or repeated member).
/// </summary>
/// <param name="Nodes">The nodes, in the order that becomes the network's canonical order.</param>
public sealed record NetworkUpload(IReadOnlyList<NetworkUploadNode?>? Nodes);

/// <summary>One node of a JSON network upload; see <see cref="NetworkNodeDefinition"/> for the meaning of each member.</summary>
/// <param name="Id">The node's id.</param>
/// <param name="Parent">The parent's id; null or absent for the community node.</param>
/// <param name="Kind"><c>community</c>, <c>transformer</c>, <c>feeder</c> or <c>connection</c>.</param>
/// <param name="ExportCapacityW">Watts, 0 or more; null or absent for no limit.</param>
/// <param name="ImportCapacityW">Watts, 0 or more; null or absent for no limit.</param>
/// <param name="MeterId">The meter of a connection; null or absent for other kinds.</param>
public sealed record NetworkUploadNode(
    string? Id,
    string? Parent,
    string? Kind,
    long? ExportCapacityW,
    long? ImportCapacityW,
    string? MeterId);
