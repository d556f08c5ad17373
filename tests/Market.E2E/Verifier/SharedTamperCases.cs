using System.Globalization;
using System.Text.Json;

namespace Market.E2E.Verifier;

/// <summary>
/// The shared tamper cases (tests/tamper-cases, docs/ledger-format.md §14): an export file and the
/// verdict the browser must show for it. The browser leaves the clearing replay to the command line, so where the
/// manifest gives a verdict without the replay, that is the browser's.
/// </summary>
internal static class SharedTamperCases
{
    private static string Folder => Path.Combine(
        BrowserFixture.RepositoryRoot ?? throw new InvalidOperationException($"no Market.sln above {AppContext.BaseDirectory}: run the tests from the repository"),
        "tests", "tamper-cases");

    public static string Export(string file) => File.ReadAllText(Path.Combine(Folder, file));

    /// <summary>The path of a file of the folder (an openings file to pick on the page).</summary>
    public static string PathOf(string file) => Path.Combine(Folder, file);

    /// <summary>The start and end of the page's verdict ("Invalid at block 5, trade 5 (leaf 1): … [Reason]").</summary>
    public static (string Start, string End) BrowserVerdict(string file)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "manifest.json")));
        var entry = manifest.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("file").GetString() == file);
        var v = entry.GetProperty("withoutReplay").ValueKind == JsonValueKind.Null ? entry : entry.GetProperty("withoutReplay");
        string? Field(string name) => v.GetProperty(name).ValueKind == JsonValueKind.Null ? null : v.GetProperty(name).ToString();
        if (v.GetProperty("valid").GetBoolean())
        {
            // Without openings the verdict ends saying reconciliations had the public checks only.
            var end = Field("reconciliations") == "0" ? "check out." : "open yours to check them.";
            return (string.Create(CultureInfo.InvariantCulture, $"Valid: {Field("blocks")} blocks with {Field("trades")} trades"), end);
        }

        var where = Field("height") is { } height ? $" at block {height}" : string.Empty;
        where += Field("tradeId") is { } trade ? $", trade {trade}" : string.Empty;
        where += Field("leaf") is { } leaf ? $" (leaf {leaf})" : string.Empty;
        return ($"Invalid{where}:", $"[{Field("reason")}]");
    }
}
