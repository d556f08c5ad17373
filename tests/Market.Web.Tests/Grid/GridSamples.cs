using Market.Web.Grid;

namespace Market.Web.Tests.Grid;

/// <summary>Networks shared by the grid tests.</summary>
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
}
