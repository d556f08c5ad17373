using System.Text.Json;

namespace Market.Ledger.Tests;

/// <summary>Loads the vector files copied next to the test assembly.</summary>
internal static class Vectors
{
    public static JsonDocument Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
        return JsonDocument.Parse(File.ReadAllBytes(path));
    }

    public static byte[] Hex(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? [] : Convert.FromHexString(element.GetString()!);

    public static byte[][] HexList(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? [] : element.EnumerateArray().Select(Hex).ToArray();
}
