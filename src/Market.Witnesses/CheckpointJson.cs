using System.Text.Json;
using Market.Ledger;

namespace Market.Witnesses;

/// <summary>
/// A checkpoint as JSON: <c>{"size":…,"root":"hex","time":ms,"keyId":"hex","signature":"hex"}</c>, the fields of an
/// export's checkpoint line (docs/ledger-format.md §10), so a line cut from an export is a checkpoint file too.
/// </summary>
internal static class CheckpointJson
{
    /// <summary>Reads a checkpoint object; throws <see cref="KeyNotFoundException"/>, <see cref="FormatException"/>
    /// or <see cref="InvalidOperationException"/> when it is not one.</summary>
    public static Checkpoint Read(JsonElement e) => new()
    {
        Size = e.GetProperty("size").GetInt64(),
        Root = Convert.FromHexString(e.GetProperty("root").GetString()!),
        TimestampUnixMs = e.GetProperty("time").GetInt64(),
        KeyId = Convert.FromHexString(e.GetProperty("keyId").GetString()!),
        Signature = Convert.FromHexString(e.GetProperty("signature").GetString()!),
    };

    public static void Write(Utf8JsonWriter json, Checkpoint c)
    {
        json.WriteStartObject();
        json.WriteNumber("size", c.Size);
        json.WriteString("root", Convert.ToHexStringLower(c.Root));
        json.WriteNumber("time", c.TimestampUnixMs);
        json.WriteString("keyId", Convert.ToHexStringLower(c.KeyId));
        json.WriteString("signature", Convert.ToHexStringLower(c.Signature));
        json.WriteEndObject();
    }

    public static bool TryReadFile(string path, out Checkpoint? checkpoint, out string? why)
    {
        checkpoint = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            checkpoint = Read(doc.RootElement);
            why = null;
            return true;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            why = e.Message;
            return false;
        }
    }

    /// <summary>The checkpoint as a JSON document (UTF-8).</summary>
    public static byte[] ToBytes(Checkpoint c)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            Write(json, c);
        }

        return stream.ToArray();
    }
}
