using System.Text.Json;
using Market.Ledger;

namespace Market.Witnesses;

/// <summary>
/// What a witness remembers of its log, persisted (<c>state.json</c>) before any cosignature leaves it: the latest
/// cosigned size and root, that note (the log's signature and this witness's cosignature), the market's own signed
/// checkpoint of that size (the last line of the replica's export) and how many bytes of the replica file hold the
/// blocks of that size. Size 0 with no note is a witness that never cosigned.
/// </summary>
internal sealed record WitnessState(string Origin, long Size, byte[] Root, string? Note, Checkpoint? MarketCheckpoint, long ReplicaLength)
{
    public const string FileName = "state.json";

    /// <summary>A witness that never cosigned for <paramref name="origin"/>.</summary>
    public static WitnessState Empty(string origin) => new(origin, 0, MerkleTree.EmptyRoot(), null, null, 0);

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", "market-witness-state/1");
            json.WriteString("origin", Origin);
            json.WriteNumber("size", Size);
            json.WriteString("root", Convert.ToBase64String(Root));
            json.WriteString("note", Note);
            json.WritePropertyName("checkpoint");
            if (MarketCheckpoint is null)
            {
                json.WriteNullValue();
            }
            else
            {
                CheckpointJson.Write(json, MarketCheckpoint);
            }

            json.WriteNumber("replicaLength", ReplicaLength);
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Reads the state file; null with a reason when it is not one.</summary>
    public static WitnessState? Read(string path, out string? problem)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var e = doc.RootElement;
            if (e.GetProperty("format").GetString() != "market-witness-state/1")
            {
                problem = "not a witness state file (format)";
                return null;
            }

            var checkpoint = e.GetProperty("checkpoint");
            var state = new WitnessState(
                e.GetProperty("origin").GetString()!,
                e.GetProperty("size").GetInt64(),
                Convert.FromBase64String(e.GetProperty("root").GetString()!),
                e.GetProperty("note").GetString(),
                checkpoint.ValueKind == JsonValueKind.Null ? null : CheckpointJson.Read(checkpoint),
                e.GetProperty("replicaLength").GetInt64());
            problem = state.Size < 0 || state.Root.Length != 32 || state.ReplicaLength < 0 || (state.Size > 0 && (state.Note is null || state.MarketCheckpoint?.Size != state.Size))
                ? "inconsistent fields"
                : null;
            return problem is null ? state : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return null;
        }
    }
}
