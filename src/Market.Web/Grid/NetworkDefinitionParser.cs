using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Market.Matching.Grid;

namespace Market.Web.Grid;

/// <summary>
/// Reads a community's network from CSV (<see cref="Header"/>) or JSON (<see cref="NetworkUpload"/>) and checks it
/// as a whole: all or nothing, every error reported with its line and the ids of the nodes involved.
/// </summary>
/// <remarks>
/// <para>The rules, in the network operator's terms:</para>
/// <list type="bullet">
/// <item>Node ids are 1 to 64 characters of <c>[A-Za-z0-9._-]</c>, unique (case-sensitive).</item>
/// <item>Kinds are <c>community</c>, <c>transformer</c>, <c>feeder</c> and <c>connection</c> (any letter case).</item>
/// <item>Exactly one <c>community</c> node: the root, without a parent, capacities or meter.</item>
/// <item>
/// Nesting: a transformer's parent is the community node, a feeder's parent is a transformer, a connection's parent
/// is a feeder. Nothing hangs below a connection. Any other arrangement is refused, naming both nodes.
/// </item>
/// <item>A connection names its household's meter (1 to 64 UTF-8 bytes); no meter is named twice; other kinds name none.</item>
/// <item>Capacities are whole watts from 0 to <see cref="NetworkDefinition.MaxPowerW"/>; empty (or absent) is unlimited.</item>
/// <item>Every parent is a node of the network; no node's parents lead back to it (a cycle, listed by id).</item>
/// <item>At most <see cref="NetworkDefinition.MaxNodes"/> nodes.</item>
/// </list>
/// </remarks>
public static class NetworkDefinitionParser
{
    /// <summary>The header line a CSV network starts with.</summary>
    public const string Header = "node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id";

    private const int CycleShown = 12;

    private static readonly Format Csv = new("line", "node_id", "parent_id", "kind", "export_capacity_w", "import_capacity_w", "meter_id");
    private static readonly Format Json = new("item", "id", "parent", "kind", "exportCapacityW", "importCapacityW", "meterId");
    private static readonly Format List = new("node", "Id", "ParentId", "Kind", "ExportCapacityW", "ImportCapacityW", "MeterId");

    /// <summary>Reads a CSV network; lines are numbered from 1 (the header), blank lines count but are skipped.</summary>
    /// <param name="reader">The file's text.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The network, or every error.</returns>
    public static async Task<NetworkParseResult> ParseCsvAsync(TextReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = new List<Row>();
        var errors = new List<NetworkError>();
        var lineNumber = 0;
        var headerSeen = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!headerSeen)
            {
                headerSeen = true;
                if (!string.Equals(line.Trim().TrimStart('\uFEFF'), Header, StringComparison.OrdinalIgnoreCase))
                {
                    return Failed([new NetworkError(lineNumber, $"line {lineNumber}: the first line must be the header \"{Header}\".")]);
                }

                continue;
            }

            if (rows.Count == NetworkDefinition.MaxNodes)
            {
                // Stop reading: a bigger file is refused whatever else is in it.
                errors.Add(TooMany());
                return Failed(errors);
            }

            var fields = line.Split(',');
            if (fields.Length != 6)
            {
                errors.Add(new NetworkError(lineNumber, $"line {lineNumber}: expected 6 fields ({Header}), found {fields.Length}."));
                // Keep a well-formed id, so that the lines hanging from it are not reported as orphans too.
                var id = fields[0].Trim();
                rows.Add(new Row(lineNumber) { Id = NetworkDefinition.IsWellFormedNodeId(id) ? id : null });
                continue;
            }

            var row = new Row(lineNumber);
            var where = $"line {lineNumber}: ";
            row.Export = CsvCapacity(fields[3].Trim(), Csv.Export, where, lineNumber, errors);
            row.Import = CsvCapacity(fields[4].Trim(), Csv.Import, where, lineNumber, errors);
            CheckNode(row, Csv, fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), fields[5].Trim(), errors);
            rows.Add(row);
        }

        if (!headerSeen)
        {
            return Failed([new NetworkError(1, $"line 1: the file is empty; it needs the header \"{Header}\" and the network's nodes.")]);
        }

        return Build(rows, Csv, errors);
    }

    /// <summary>
    /// Checks a JSON network as read by the API's strict JSON options; items are numbered from 1. A body without its
    /// <c>nodes</c> array is one error at item 0.
    /// </summary>
    /// <param name="upload">The upload.</param>
    /// <returns>The network, or every error.</returns>
    public static NetworkParseResult Check(NetworkUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (upload.Nodes is not { } items)
        {
            return Failed([new NetworkError(0, "The body must be an object with a \"nodes\" array.")]);
        }

        if (items.Count > NetworkDefinition.MaxNodes)
        {
            return Failed([TooMany()]);
        }

        var rows = new List<Row>(items.Count);
        var errors = new List<NetworkError>();
        for (var i = 0; i < items.Count; i++)
        {
            var row = new Row(i + 1);
            var where = $"item {i + 1}: ";
            if (items[i] is not { } item)
            {
                errors.Add(new NetworkError(i + 1, where + "not an object."));
                rows.Add(row);
                continue;
            }

            row.Export = Capacity(item.ExportCapacityW, Json.Export, where, i + 1, errors);
            row.Import = Capacity(item.ImportCapacityW, Json.Import, where, i + 1, errors);
            CheckNode(row, Json, item.Id ?? "", item.Parent ?? "", item.Kind ?? "", item.MeterId ?? "", errors);
            rows.Add(row);
        }

        return Build(rows, Json, errors);
    }

    /// <summary>
    /// Checks a list of nodes, e.g. a network read back from storage, by the same rules; nodes are numbered from 1
    /// in messages (<c>node 3: …</c>).
    /// </summary>
    /// <param name="nodes">The nodes in canonical order.</param>
    /// <returns>The network, or every error.</returns>
    public static NetworkParseResult FromNodes(IReadOnlyList<NetworkNodeDefinition> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count > NetworkDefinition.MaxNodes)
        {
            return Failed([TooMany()]);
        }

        var rows = new List<Row>(nodes.Count);
        var errors = new List<NetworkError>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var where = $"node {i + 1}: ";
            var row = new Row(i + 1)
            {
                Export = Capacity(node.ExportCapacityW, List.Export, where, i + 1, errors),
                Import = Capacity(node.ImportCapacityW, List.Import, where, i + 1, errors),
            };
            var kind = Enum.IsDefined(node.Kind) ? node.Kind.ToString() : ((int)node.Kind).ToString(CultureInfo.InvariantCulture);
            CheckNode(row, List, node.Id ?? "", node.ParentId ?? "", kind, node.MeterId ?? "", errors);
            rows.Add(row);
        }

        return Build(rows, List, errors);
    }

    private static NetworkError TooMany() =>
        new(0, string.Create(CultureInfo.InvariantCulture, $"The network has more than {NetworkDefinition.MaxNodes:N0} nodes; split the community or ask for a higher limit."));

    private static NetworkParseResult Failed(List<NetworkError> errors) => new(null, errors);

    private static long? CsvCapacity(string text, string name, string where, int line, List<NetworkError> errors)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var watts))
        {
            errors.Add(new NetworkError(line, $"{where}{name} \"{Clip(text)}\" is not a whole number of watts (leave it empty for no limit)."));
            return null;
        }

        return Capacity(watts, name, where, line, errors);
    }

    private static long? Capacity(long? watts, string name, string where, int line, List<NetworkError> errors)
    {
        if (watts < 0)
        {
            errors.Add(new NetworkError(line, $"{where}{name} {watts} is negative; a capacity is 0 or more watts (empty for no limit)."));
            return null;
        }

        if (watts > NetworkDefinition.MaxPowerW)
        {
            errors.Add(new NetworkError(line, $"{where}{name} {watts} W is beyond {NetworkDefinition.MaxPowerW} W."));
            return null;
        }

        return watts;
    }

    /// <summary>The rules of one node on its own (not its relations to the others).</summary>
    private static void CheckNode(Row row, Format format, string id, string parent, string kind, string meterId, List<NetworkError> errors)
    {
        var where = $"{format.Where} {row.Line}: ";
        void Error(string message) => errors.Add(new NetworkError(row.Line, where + message));

        if (id.Length == 0)
        {
            Error($"{format.Id} is missing.");
        }
        else if (!NetworkDefinition.IsWellFormedNodeId(id))
        {
            Error($"{format.Id} \"{Clip(id)}\" must be 1 to {NetworkDefinition.MaxNodeIdLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
        }

        // A malformed id is kept for finding parents: the nodes below it are not orphans, it is misspelt.
        row.Id = id.Length == 0 ? null : id;
        row.ParentId = parent.Length == 0 ? null : parent;
        row.MeterId = meterId.Length == 0 ? null : meterId;
        row.Kind = ParseKind(kind);
        var name = $"\"{Clip(id)}\"";
        if (row.Kind is not { } k)
        {
            Error(kind.Length == 0
                ? $"{format.Kind} is missing; it is one of community, transformer, feeder, connection."
                : $"{format.Kind} \"{Clip(kind)}\" is not one of community, transformer, feeder, connection.");
        }
        else if (k == NetworkNodeKind.Community)
        {
            if (row.ParentId is not null)
            {
                Error($"the community node {name} is the root: it has no parent ({format.Parent} \"{Clip(parent)}\" given).");
                row.ParentId = null; // reported here; following it would report a cycle through the root as well
            }

            if (row.Export is not (null or 0) || row.Import is not (null or 0))
            {
                Error($"the community node {name} has no capacities: leave {format.Export} and {format.Import} empty.");
            }

            row.Export = row.Import = null;
        }
        else if (row.ParentId is null)
        {
            Error($"{Describe(k)} {name} has no parent; only the community node is the root.");
        }

        if (row.Kind == NetworkNodeKind.Connection && row.MeterId is null)
        {
            Error($"connection {name} has no {format.Meter}; a connection names its household's meter.");
        }
        else if (row.Kind is { } other && other != NetworkNodeKind.Connection && row.MeterId is not null)
        {
            Error($"{Describe(other)} {name} has {format.Meter} \"{Clip(meterId)}\"; only connections name a meter.");
        }
        else if (row.MeterId is not null && Encoding.UTF8.GetByteCount(row.MeterId) > Metering.ReadingParser.MaxMeterIdBytes)
        {
            Error($"{format.Meter} \"{Clip(meterId)}\" is longer than {Metering.ReadingParser.MaxMeterIdBytes} bytes.");
        }
    }

    /// <summary>The rules between nodes: one root, parents that exist, no cycle, the nesting, unique ids and meters.</summary>
    private static NetworkParseResult Build(List<Row> rows, Format format, List<NetworkError> errors)
    {
        var n = rows.Count;
        var byId = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var row = rows[i];
            if (row.Id is not null && !byId.TryAdd(row.Id, i))
            {
                errors.Add(new NetworkError(row.Line, $"{format.Where} {row.Line}: node id \"{Clip(row.Id)}\" is used twice (first on {format.Where} {rows[byId[row.Id]].Line})."));
            }
        }

        var root = -1;
        for (var i = 0; i < n; i++)
        {
            var row = rows[i];
            if (row.Kind != NetworkNodeKind.Community)
            {
                continue;
            }

            if (root < 0)
            {
                root = i;
            }
            else
            {
                errors.Add(new NetworkError(row.Line, $"{format.Where} {row.Line}: \"{Clip(row.Id)}\" is a second community node; a network has exactly one root (the first is \"{Clip(rows[root].Id)}\" on {format.Where} {rows[root].Line})."));
            }
        }

        if (root < 0)
        {
            errors.Add(new NetworkError(0, n == 0
                ? "The network has no nodes; it needs a community node at the root and the transformers, feeders and connections below it."
                : "The network has no community node; exactly one node of kind community, without a parent, is the root."));
        }

        for (var i = 0; i < n; i++)
        {
            var row = rows[i];
            if (row.ParentId is null)
            {
                continue;
            }

            if (byId.TryGetValue(row.ParentId, out var parent))
            {
                row.Parent = parent;
            }
            else
            {
                errors.Add(new NetworkError(row.Line, $"{format.Where} {row.Line}: parent \"{Clip(row.ParentId)}\" is not a node of the network (node \"{Clip(row.Id)}\")."));
            }
        }

        var onCycle = FindCycles(rows, format, errors);
        CheckNesting(rows, format, onCycle, errors);
        var byMeter = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var row = rows[i];
            if (row.Kind == NetworkNodeKind.Connection && row.MeterId is not null && !byMeter.TryAdd(row.MeterId, i))
            {
                var first = rows[byMeter[row.MeterId]];
                errors.Add(new NetworkError(row.Line, $"{format.Where} {row.Line}: meter id \"{Clip(row.MeterId)}\" of connection \"{Clip(row.Id)}\" is already the meter of connection \"{Clip(first.Id)}\" ({format.Where} {first.Line})."));
            }
        }

        if (errors.Count > 0)
        {
            return Failed([.. errors.OrderBy(e => e.Line)]);
        }

        var nodes = ImmutableArray.CreateBuilder<NetworkNodeDefinition>(n);
        var parents = new int[n];
        foreach (var row in rows)
        {
            nodes.Add(new NetworkNodeDefinition(row.Id!, row.ParentId, row.Kind!.Value, row.Export, row.Import, row.MeterId));
            parents[nodes.Count - 1] = row.Parent;
        }

        var network = new NetworkDefinition(nodes.MoveToImmutable(), parents, byId, byMeter, root);

        // A second opinion from the model the auction runs on; the rules above imply everything it checks.
        if (!GridNetwork.TryCreate(network.ToGridNodes(900, default).AsSpan(), out _, out var error))
        {
            var node = Math.Max(error.Node, 0);
            return Failed([new NetworkError(rows[node].Line, $"{format.Where} {rows[node].Line}: node \"{rows[node].Id}\" is refused by the grid model ({error.Code}).")]);
        }

        return new NetworkParseResult(network, []);
    }

    /// <summary>Reports each cycle of parents once, at its node with the lowest line; returns which nodes lie on one.</summary>
    private static bool[] FindCycles(List<Row> rows, Format format, List<NetworkError> errors)
    {
        var n = rows.Count;
        var onCycle = new bool[n];
        var state = new byte[n]; // 0 unseen, 1 on the walk in progress, 2 done
        var walk = new List<int>();
        for (var start = 0; start < n; start++)
        {
            walk.Clear();
            var j = start;
            while (j >= 0 && state[j] == 0)
            {
                state[j] = 1;
                walk.Add(j);
                j = rows[j].Parent;
            }

            if (j >= 0 && state[j] == 1)
            {
                var cycle = walk[walk.IndexOf(j)..];
                var first = 0;
                for (var c = 1; c < cycle.Count; c++)
                {
                    if (rows[cycle[c]].Line < rows[cycle[first]].Line)
                    {
                        first = c;
                    }
                }

                var names = new StringBuilder();
                for (var c = 0; c < Math.Min(cycle.Count, CycleShown); c++)
                {
                    names.Append(rows[cycle[(first + c) % cycle.Count]].Id).Append(" → ");
                }

                if (cycle.Count > CycleShown)
                {
                    names.Append(CultureInfo.InvariantCulture, $"… ({cycle.Count} nodes) → ");
                }

                var head = rows[cycle[first]];
                names.Append(head.Id);
                errors.Add(new NetworkError(head.Line, $"{format.Where} {head.Line}: node \"{Clip(head.Id)}\" and its parents form a cycle: {names}."));
                foreach (var c in cycle)
                {
                    onCycle[c] = true;
                }
            }

            foreach (var w in walk)
            {
                state[w] = 2;
            }
        }

        return onCycle;
    }

    private static void CheckNesting(List<Row> rows, Format format, bool[] onCycle, List<NetworkError> errors)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            // A node on a cycle is reported once, as the cycle.
            if (row.Kind is not { } kind || kind == NetworkNodeKind.Community || row.Parent < 0 || onCycle[i] || rows[row.Parent].Kind is not { } parentKind)
            {
                continue;
            }

            var expected = kind - 1;
            if (parentKind != expected)
            {
                var parent = rows[row.Parent];
                var leaf = parentKind == NetworkNodeKind.Connection ? " (a connection is a leaf: nothing hangs below it)" : "";
                var should = expected == NetworkNodeKind.Community ? "the community node" : "a " + Describe(expected);
                var actual = parentKind == NetworkNodeKind.Community ? "the community node" : "a " + Describe(parentKind);
                errors.Add(new NetworkError(row.Line, $"{format.Where} {row.Line}: {Describe(kind)} \"{Clip(row.Id)}\" must hang from {should}, but its parent \"{Clip(parent.Id)}\" is {actual}{leaf}."));
            }
        }
    }

    private static NetworkNodeKind? ParseKind(string kind) =>
        kind.ToUpperInvariant() switch
        {
            "COMMUNITY" => NetworkNodeKind.Community,
            "TRANSFORMER" => NetworkNodeKind.Transformer,
            "FEEDER" => NetworkNodeKind.Feeder,
            "CONNECTION" => NetworkNodeKind.Connection,
            _ => null,
        };

    private static string Describe(NetworkNodeKind kind) => kind switch
    {
        NetworkNodeKind.Community => "community",
        NetworkNodeKind.Transformer => "transformer",
        NetworkNodeKind.Feeder => "feeder",
        _ => "connection",
    };

    private static string Clip(string? value) => value is null ? "" : value.Length <= 40 ? value : value[..40] + "…";

    /// <summary>The names a format gives to the place of a node and to its fields, for messages.</summary>
    private sealed record Format(string Where, string Id, string Parent, string Kind, string Export, string Import, string Meter);

    /// <summary>One node as read, before its relations are checked.</summary>
    private sealed class Row(int line)
    {
        public int Line { get; } = line;

        public string? Id { get; set; }

        public string? ParentId { get; set; }

        public NetworkNodeKind? Kind { get; set; }

        public long? Export { get; set; }

        public long? Import { get; set; }

        public string? MeterId { get; set; }

        public int Parent { get; set; } = -1;
    }
}
