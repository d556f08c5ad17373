using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Market.Ledger;

/// <summary>
/// Portable proof that a log forked: two checkpoint notes of one origin, both signed by the same log key, that cannot
/// both be true, and the RFC 9162 leaf hashes of the larger tree (for the ledger: SHA-256(0x00 ‖ block header hash)
/// per block). The leaves reproduce the larger root; the root of their prefix of the smaller size differs from the
/// smaller checkpoint's root (for equal sizes the two roots differ and the leaves may be empty). Anyone can check it
/// with <see cref="Verify"/> without trusting who supplied it. JSON form:
/// <c>{"format":"market-fork-evidence/1","logKey":vkey,"first":note,"second":note,"leafHashes":[base64...]}</c>;
/// <see cref="Build"/> puts the smaller checkpoint first.
/// </summary>
/// <param name="LogKey">The log's vkey text (type 0x01).</param>
/// <param name="First">The first signed note (the smaller tree).</param>
/// <param name="Second">The second signed note (the larger tree, whose leaves are given).</param>
/// <param name="LargerTreeLeafHashes">The second tree's leaf hashes, 32 bytes each.</param>
public sealed record ForkEvidence(string LogKey, string First, string Second, IReadOnlyList<byte[]> LargerTreeLeafHashes)
{
    /// <summary>The value of the JSON "format" member.</summary>
    public const string Format = "market-fork-evidence/1";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keeps "+", "/" and the em dash readable; the output is a file, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The JSON form (one object, members in the order of the type's summary).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteString("logKey", LogKey);
            writer.WriteString("first", First);
            writer.WriteString("second", Second);
            writer.WriteStartArray("leafHashes");
            foreach (var hash in LargerTreeLeafHashes)
            {
                writer.WriteStringValue(Convert.ToBase64String(hash));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads the JSON form: the format string, three strings and an array of base64 32-byte hashes. Other
    /// members are ignored. Does not verify (see <see cref="Verify"/>).</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="evidence">The evidence on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string json, [NotNullWhen(true)] out ForkEvidence? evidence, out string? error)
    {
        evidence = null;
        try
        {
            using var document = JsonDocument.Parse(json ?? string.Empty);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "fork evidence is a JSON object";
                return false;
            }

            if (!TryString(root, "format", out var format) || format != Format)
            {
                error = $"the format is not {Format}";
                return false;
            }

            if (!TryString(root, "logKey", out var logKey) || !TryString(root, "first", out var first)
                || !TryString(root, "second", out var second))
            {
                error = "logKey, first and second are strings";
                return false;
            }

            if (!root.TryGetProperty("leafHashes", out var hashes) || hashes.ValueKind != JsonValueKind.Array)
            {
                error = "leafHashes is an array";
                return false;
            }

            var list = new List<byte[]>(hashes.GetArrayLength());
            foreach (var item in hashes.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String
                    || !NoteEncoding.TryDecodeBase64(item.GetString()!, out var hash) || hash.Length != MerkleTree.HashSize)
                {
                    error = "every leaf hash is the base64 of 32 bytes";
                    return false;
                }

                list.Add(hash);
            }

            evidence = new ForkEvidence(logKey, first, second, list);
            error = null;
            return true;
        }
        catch (JsonException)
        {
            error = "not JSON";
            return false;
        }
    }

    /// <summary>Evidence from two notes when they prove a fork; null when they do not (not both validly signed by the
    /// key, origins differ or are not the key's name, the leaves do not reproduce the larger root, or the two are
    /// consistent).</summary>
    /// <param name="logKey">The log key (type 0x01).</param>
    /// <param name="a">One signed checkpoint.</param>
    /// <param name="b">Another.</param>
    /// <param name="leafHashesOfLarger">The leaf hashes of the larger tree (of either one when the sizes are equal).</param>
    /// <returns>The evidence, smaller checkpoint first, or null.</returns>
    public static ForkEvidence? Build(NoteVerifierKey logKey, SignedNote a, SignedNote b, IReadOnlyList<byte[]> leafHashesOfLarger)
    {
        ArgumentNullException.ThrowIfNull(logKey);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(leafHashesOfLarger);
        if (!CheckpointNote.TryParse(a.Text, out var ca, out _) || !CheckpointNote.TryParse(b.Text, out var cb, out _))
        {
            return null;
        }

        // Put the smaller tree first; for equal sizes, second is the one whose root the leaves give (if any).
        var swap = ca.Size > cb.Size
            || (ca.Size == cb.Size && leafHashesOfLarger.Count == ca.Size && leafHashesOfLarger.All(h => h is { Length: MerkleTree.HashSize })
                && MerkleTree.RootFromLeafHashes(leafHashesOfLarger, leafHashesOfLarger.Count).AsSpan().SequenceEqual(ca.Root));
        var (first, second) = swap ? (b, a) : (a, b);
        var evidence = new ForkEvidence(logKey.Encode(), first.Encode(), second.Encode(), [.. leafHashesOfLarger]);
        return evidence.Verify(out _) ? evidence : null;
    }

    /// <summary>
    /// Verifies without trusting anyone: the log key is a type 0x01 vkey; both notes parse, are checkpoints of the
    /// key's name as origin and carry a valid signature from it (no failing line); the leaves (when the sizes differ,
    /// exactly the larger size of them) reproduce the larger root; and the smaller root differs from the root of the
    /// leaves' prefix of that size, or, for equal sizes, the roots differ.
    /// </summary>
    /// <param name="explanation">A sentence for people: the fork found, or why this is not evidence of one.</param>
    /// <returns>Whether it proves a fork.</returns>
    public bool Verify(out string explanation)
    {
        if (!NoteVerifierKey.TryParse(LogKey ?? string.Empty, out var key, out var keyError))
        {
            explanation = $"The log key is not a valid vkey ({keyError}).";
            return false;
        }

        if (key.Type != NoteVerifierKey.Ed25519)
        {
            explanation = "The log key is not a type 0x01 (Ed25519 note) key.";
            return false;
        }

        if (!TryOpen(First, key, "first", out var one, out explanation) || !TryOpen(Second, key, "second", out var two, out explanation))
        {
            return false;
        }

        var (small, large) = one.Size <= two.Size ? (one, two) : (two, one);
        var leaves = LargerTreeLeafHashes ?? [];
        if (leaves.Any(h => h is not { Length: MerkleTree.HashSize }))
        {
            explanation = "A leaf hash is not 32 bytes.";
            return false;
        }

        if (small.Size == large.Size)
        {
            if (small.Root.AsSpan().SequenceEqual(large.Root))
            {
                explanation = $"Both checkpoints are of size {small.Size} with the same root: no fork.";
                return false;
            }

            if (leaves.Count != 0 && (leaves.Count != large.Size
                || !(MerkleTree.RootFromLeafHashes(leaves, leaves.Count).AsSpan().SequenceEqual(one.Root)
                    || MerkleTree.RootFromLeafHashes(leaves, leaves.Count).AsSpan().SequenceEqual(two.Root))))
            {
                explanation = "The leaf hashes do not reproduce either checkpoint's root.";
                return false;
            }

            explanation = $"The log {key.Name} signed two different roots for the same size {small.Size}: it forked.";
            return true;
        }

        if (leaves.Count != large.Size)
        {
            explanation = $"The evidence has {leaves.Count} leaf hashes; the larger checkpoint has size {large.Size}.";
            return false;
        }

        if (!MerkleTree.RootFromLeafHashes(leaves, leaves.Count).AsSpan().SequenceEqual(large.Root))
        {
            explanation = $"The leaf hashes do not reproduce the root of the checkpoint of size {large.Size}.";
            return false;
        }

        if (MerkleTree.RootFromLeafHashes(leaves, (int)small.Size).AsSpan().SequenceEqual(small.Root))
        {
            explanation = $"The tree of size {small.Size} is a prefix of the tree of size {large.Size}: the checkpoints are consistent, no fork.";
            return false;
        }

        explanation = $"The log {key.Name} signed a tree of size {small.Size} that is not a prefix of the tree of size {large.Size} it also signed: it forked.";
        return true;
    }

    private static bool TryOpen(string? note, NoteVerifierKey key, string which, [NotNullWhen(true)] out CheckpointNote? checkpoint, out string explanation)
    {
        checkpoint = null;
        if (!SignedNote.TryParse(note ?? string.Empty, out var parsed, out var error))
        {
            explanation = $"The {which} note is malformed ({error}).";
            return false;
        }

        if (parsed.VerifyBy(key) != true)
        {
            explanation = $"The {which} note carries no valid signature from {key.Name}.";
            return false;
        }

        if (!CheckpointNote.TryParse(parsed.Text, out checkpoint, out error))
        {
            explanation = $"The {which} note is not a checkpoint ({error}).";
            return false;
        }

        if (!string.Equals(checkpoint.Origin, key.Name, StringComparison.Ordinal))
        {
            explanation = $"The {which} checkpoint's origin {checkpoint.Origin} is not the log key's name {key.Name}.";
            checkpoint = null;
            return false;
        }

        explanation = string.Empty;
        return true;
    }

    private static bool TryString(JsonElement root, string name, [NotNullWhen(true)] out string? value)
    {
        value = root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return value is not null;
    }
}
