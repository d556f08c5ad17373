using System.Text.Json;

namespace Market.E2E.Verifier;

/// <summary>
/// The published vectors the C# side is tested with (tests/Market.Ledger.Tests/Vectors), read in place: the
/// repository root is found by walking up from the test assembly to the folder holding Market.sln.
/// </summary>
internal static class VectorFiles
{
    public static JsonElement Load(string fileName)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Market.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"no Market.sln above {AppContext.BaseDirectory}: run the tests from the repository");
        }

        var path = Path.Combine(dir.FullName, "tests", "Market.Ledger.Tests", "Vectors", fileName);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.Clone();
    }

    /// <summary>Hex of a JSON string; JSON null is the empty string (as the C# tests read it).</summary>
    public static string Hex(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? string.Empty : element.GetString()!.ToLowerInvariant();

    public static string[] HexList(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? [] : [.. element.EnumerateArray().Select(Hex)];

    public static byte[] Bytes(JsonElement element) => Convert.FromHexString(Hex(element));
}
