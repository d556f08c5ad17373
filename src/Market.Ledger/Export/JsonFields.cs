using System.Text.Json;

namespace Market.Ledger;

/// <summary>Strict reading and writing of the JSON proofs (acceptance receipts, proofs of omission): every field
/// present once, nothing else, hex strings, integers that fit.</summary>
internal static class JsonFields
{
    public static void Require(JsonElement element, string what, string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new LedgerFormatException($"{what}: expected a JSON object");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(names, property.Name) < 0 || !seen.Add(property.Name))
            {
                throw new LedgerFormatException($"{what}: unexpected or repeated field \"{property.Name}\"");
            }
        }

        foreach (var name in names)
        {
            if (!seen.Contains(name))
            {
                throw new LedgerFormatException($"{what}: missing field \"{name}\"");
            }
        }
    }

    public static void Format(JsonElement element, string what, string format, int version)
    {
        if (element.GetProperty("format").ValueKind != JsonValueKind.String || element.GetProperty("format").GetString() != format)
        {
            throw new LedgerFormatException($"{what}: \"format\" must be \"{format}\"");
        }

        if (Integer(element, what, "version") != version)
        {
            throw new LedgerFormatException($"{what}: unsupported version (expected {version})");
        }
    }

    public static long Integer(JsonElement element, string what, string name)
    {
        var value = element.GetProperty(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var result)
            ? result
            : throw new LedgerFormatException($"{what}: \"{name}\" must be an integer");
    }

    public static byte[] Hex(JsonElement element, string what, string name) => HexValue(element.GetProperty(name), what, name);

    public static byte[][] HexArray(JsonElement element, string what, string name)
    {
        var value = element.GetProperty(name);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new LedgerFormatException($"{what}: \"{name}\" must be an array of hex strings");
        }

        return [.. value.EnumerateArray().Select(item => HexValue(item, what, name))];
    }

    public static void WriteHexArray(Utf8JsonWriter json, string name, IEnumerable<byte[]> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(Convert.ToHexStringLower(value));
        }

        json.WriteEndArray();
    }

    public static void WriteCheckpoint(Utf8JsonWriter json, string name, Checkpoint checkpoint)
    {
        json.WriteStartObject(name);
        json.WriteNumber("size", checkpoint.Size);
        json.WriteString("root", Convert.ToHexStringLower(checkpoint.Root));
        json.WriteNumber("time", checkpoint.TimestampUnixMs);
        json.WriteString("keyId", Convert.ToHexStringLower(checkpoint.KeyId));
        json.WriteString("signature", Convert.ToHexStringLower(checkpoint.Signature));
        json.WriteEndObject();
    }

    public static Checkpoint ReadCheckpoint(JsonElement element, string what)
    {
        Require(element, what, ["size", "root", "time", "keyId", "signature"]);
        return new Checkpoint
        {
            Size = Integer(element, what, "size"),
            Root = Hex(element, what, "root"),
            TimestampUnixMs = Integer(element, what, "time"),
            KeyId = Hex(element, what, "keyId"),
            Signature = Hex(element, what, "signature"),
        };
    }

    private static byte[] HexValue(JsonElement value, string what, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new LedgerFormatException($"{what}: \"{name}\" must be a hex string");
        }

        try
        {
            return Convert.FromHexString(value.GetString()!);
        }
        catch (FormatException e)
        {
            throw new LedgerFormatException($"{what}: \"{name}\" is not hex", e);
        }
    }
}
