using System.Text.Json;
using Market.Witnesses;
using Market.Ledger;

namespace Market.Cli.Trust;

/// <summary>
/// What the <c>market</c> command remembers of one ledger after verifying it (docs/adr/0016-trust-anchor.md): the
/// genesis key id, every operator key the verified chain introduced (a receipt's signer must be one of them), and the
/// latest checkpoint it verified. Later runs require the same genesis key and a chain that extends that checkpoint.
/// </summary>
/// <param name="Ledger">The ledger's name: its URL as <see cref="KnownLedgers.TryName"/> gives it.</param>
/// <param name="GenesisKeyId">Key id of the key introduced at height 0 (32 bytes).</param>
/// <param name="KeyIds">Every key id introduced in the verified chain, the genesis key first.</param>
/// <param name="Checkpoint">The latest checkpoint verified.</param>
internal sealed record KnownLedger(string Ledger, byte[] GenesisKeyId, IReadOnlyList<byte[]> KeyIds, Checkpoint Checkpoint)
{
    private const string FormatName = "market-known-ledger";

    /// <summary>Whether both remember exactly the same thing (ledger, keys and checkpoint, byte for byte).</summary>
    public bool SameAs(KnownLedger? other) =>
        other is not null && Ledger == other.Ledger && GenesisKeyId.AsSpan().SequenceEqual(other.GenesisKeyId)
        && KeyIds.Count == other.KeyIds.Count && KeyIds.Zip(other.KeyIds).All(k => k.First.AsSpan().SequenceEqual(k.Second))
        && Checkpoint.Equals(other.Checkpoint);

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", 1);
            json.WriteString("ledger", Ledger);
            json.WriteString("genesisKeyId", Convert.ToHexStringLower(GenesisKeyId));
            json.WriteStartArray("keyIds");
            foreach (var id in KeyIds)
            {
                json.WriteStringValue(Convert.ToHexStringLower(id));
            }

            json.WriteEndArray();
            json.WritePropertyName("checkpoint");
            CheckpointJson.Write(json, Checkpoint);
            json.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote; anything else is a problem named in <paramref name="why"/>.</summary>
    public static KnownLedger? FromJson(byte[] bytes, out string? why)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.GetProperty("format").GetString() != FormatName || root.GetProperty("version").GetInt32() != 1)
            {
                why = $"not a version-1 {FormatName} file";
                return null;
            }

            var genesis = KeyId(root.GetProperty("genesisKeyId"));
            var keys = root.GetProperty("keyIds").EnumerateArray().Select(KeyId).ToList();
            if (keys.Count == 0 || !keys[0].AsSpan().SequenceEqual(genesis))
            {
                why = "the key ids must start with the genesis key id";
                return null;
            }

            var checkpoint = CheckpointJson.Read(root.GetProperty("checkpoint"));
            why = null;
            return new KnownLedger(root.GetProperty("ledger").GetString()!, genesis, keys, checkpoint);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or ArgumentException)
        {
            why = e.Message;
            return null;
        }
    }

    private static byte[] KeyId(JsonElement e)
    {
        var bytes = Convert.FromHexString(e.GetString()!);
        return bytes.Length == 32 ? bytes : throw new FormatException($"a key id is 32 bytes (64 hex digits), not {bytes.Length}");
    }
}
