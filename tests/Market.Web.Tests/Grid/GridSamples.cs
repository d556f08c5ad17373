using System.Text;
using Market.Web.Grid;

namespace Market.Web.Tests.Grid;

/// <summary>Networks and envelopes shared by the grid tests.</summary>
internal static class GridSamples
{
    /// <summary>Two transformers; T1 has two feeders, T2 one; five connections.</summary>
    public const string NetworkCsv = """
        node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id
        ROOT,,community,,,
        T1,ROOT,transformer,400000,400000,
        T2,ROOT,transformer,,,
        F1,T1,feeder,100000,120000,
        F2,T1,feeder,,,
        F3,T2,feeder,,,
        C1,F1,connection,5000,12000,M-1
        C2,F1,connection,1001,12000,M-2
        C3,F2,connection,,,M-3
        C4,F3,connection,7000,,M-4
        C5,F3,connection,,,M-5
        """;

    /// <summary>2026-06-15T10:00:00Z, an interval start for any interval length up to an hour.</summary>
    public static readonly DateTimeOffset TenAm = new(2026, 6, 15, 10, 0, 0, TimeSpan.Zero);

    public static long TenAmSeconds => TenAm.ToUnixTimeSeconds();

    public static async Task<NetworkParseResult> ParseCsvAsync(string csv)
    {
        using var reader = new StringReader(csv);
        return await NetworkDefinitionParser.ParseCsvAsync(reader, CancellationToken.None);
    }

    /// <summary>The sample network with lines replaced (text null drops one) or, past its end, added in order.</summary>
    public static string NetworkCsvWith(params (int Line, string? Text)[] changes)
    {
        var lines = NetworkCsv.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var count = lines.Count;
        foreach (var (line, text) in changes.Where(c => c.Line <= count).OrderByDescending(c => c.Line))
        {
            if (text is null)
            {
                lines.RemoveAt(line - 1);
            }
            else
            {
                lines[line - 1] = text;
            }
        }

        lines.AddRange(changes.Where(c => c.Line > count).OrderBy(c => c.Line).Select(c => c.Text!));
        return string.Join('\n', lines);
    }

    public static NetworkDefinition Network()
    {
        var result = ParseCsvAsync(NetworkCsv).GetAwaiter().GetResult();
        result.Errors.ShouldBeEmpty();
        return result.Network!;
    }

    /// <summary>
    /// A community of <paramref name="connections"/> connections, 100 per feeder and 10 feeders per transformer:
    /// ids ROOT, T0…, F0…, C0…, meters M0….
    /// </summary>
    public static NetworkDefinition LargeNetwork(int connections)
    {
        var feeders = (connections + 99) / 100;
        var transformers = (feeders + 9) / 10;
        var nodes = new List<NetworkNodeDefinition> { new("ROOT", null, NetworkNodeKind.Community, null, null, null) };
        for (var t = 0; t < transformers; t++)
        {
            nodes.Add(new($"T{t}", "ROOT", NetworkNodeKind.Transformer, 630_000, 630_000, null));
        }

        for (var f = 0; f < feeders; f++)
        {
            nodes.Add(new($"F{f}", $"T{f / 10}", NetworkNodeKind.Feeder, 150_000, 150_000, null));
        }

        for (var c = 0; c < connections; c++)
        {
            nodes.Add(new($"C{c}", $"F{c / 100}", NetworkNodeKind.Connection, 10_000, 15_000, $"M{c}"));
        }

        var result = NetworkDefinitionParser.FromNodes(nodes);
        result.Errors.ShouldBeEmpty();
        return result.Network!;
    }

    public static async Task<ParsedEnvelopes> ParseXmlAsync(string nodeId, string xml)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        return await EnvelopeParser.ParseXmlAsync(nodeId, stream, CancellationToken.None);
    }

    public static Envelope Envelope(string node, int fromMinutes, int toMinutes, long? importW = 5000, long? exportW = 2400, string? eventId = null) =>
        new(node, TenAm.AddMinutes(fromMinutes), TenAm.AddMinutes(toMinutes), importW, exportW, eventId);
}
