using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// The shared tamper cases as files: tests/tamper-cases/ holds one export per case (plus a kept checkpoint where a
/// case has one, in the JSON that <c>market ledger verify --checkpoint</c> reads) and manifest.json, which says what
/// every verifier must report for each. Both the C# tests and the JavaScript verifier's node tests run them.
/// </summary>
internal static class TamperCaseFiles
{
    public const string ManifestName = "manifest.json";

    /// <summary>Set to 1 to write the generated files into the folder instead of only comparing them.</summary>
    public const string WriteVariable = "MARKET_WRITE_TAMPER_CASES";

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every case, in manifest order.</summary>
    public static List<TamperCase> Cases() => [.. ChainCases.All(), .. ReconciliationCases.All(), .. SampleCases.All(), .. HouseholdCases.All(), .. GridCases.All()];

    /// <summary>tests/tamper-cases of the repository holding the test assembly.</summary>
    public static string Folder
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Market.sln")))
            {
                dir = dir.Parent;
            }

            return dir is null
                ? throw new InvalidOperationException($"no Market.sln above {AppContext.BaseDirectory}: run the tests from the repository")
                : Path.Combine(dir.FullName, "tests", "tamper-cases");
        }
    }

    /// <summary>All files of the folder by name: the exports, kept checkpoints and the manifest.</summary>
    public static SortedDictionary<string, byte[]> Generate(IReadOnlyList<TamperCase> cases)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            Add(files, c.FileName, c.Export);
            if (c.Kept is { } kept)
            {
                Add(files, c.KeptFileName!, CheckpointJson(kept));
            }

            if (c.WithoutOpenings is not null && (c.Openings is null || c.WithoutReplay is not null))
            {
                // A verifier without the replay and without openings takes withoutOpenings, so it must not also differ by the replay.
                throw new InvalidOperationException($"{c.Name}: a verdict without openings needs openings and no verdict without the replay");
            }

            if (c.Openings is { } openings && !(files.TryGetValue(openings.FileName, out var shared) && shared.AsSpan().SequenceEqual(openings.Bytes)))
            {
                Add(files, openings.FileName, openings.Bytes);
            }
        }

        Add(files, ManifestName, Manifest(cases));
        return files;
    }

    /// <summary>The files now in the folder (none when it does not exist).</summary>
    public static SortedDictionary<string, byte[]> ReadCommitted()
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (Directory.Exists(Folder))
        {
            foreach (var path in Directory.EnumerateFiles(Folder))
            {
                files.Add(Path.GetFileName(path), File.ReadAllBytes(path));
            }
        }

        return files;
    }

    /// <summary>Replaces the folder's content with the files.</summary>
    public static void Write(SortedDictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(Folder);
        foreach (var stale in Directory.EnumerateFiles(Folder).Where(p => !files.ContainsKey(Path.GetFileName(p))))
        {
            File.Delete(stale);
        }

        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(Folder, name), bytes);
        }
    }

    /// <summary>A kept checkpoint file: the checkpoint line of an export, which <c>market ledger verify --checkpoint</c>
    /// reads too.</summary>
    public static byte[] CheckpointJson(Checkpoint c) => [.. Tamper.Export([], c).SkipWhile(b => b != (byte)'\n').Skip(1)];

    public static Checkpoint ReadCheckpoint(byte[] json)
    {
        var reader = new LedgerExportReader(new MemoryStream([.. Tamper.Export([], null), .. json]));
        _ = reader.ReadBlocks().Count();
        return reader.Checkpoint ?? throw new InvalidDataException("not a checkpoint line");
    }

    /// <summary>
    /// manifest.json: the reason names a verifier may report, then one line per case: its file, ledger and name, the
    /// verdict with the replay (valid and counts, or reason, height, leaf, trade id, export line), the verdict of a
    /// verifier without the replay where it differs, the kept checkpoint's file, the trusted genesis key id, the
    /// openings file and the verdict without those openings where it differs.
    /// </summary>
    public static byte[] Manifest(IReadOnlyList<TamperCase> cases)
    {
        var text = new StringBuilder();
        text.Append("{\n  \"format\": \"market-tamper-cases\",\n  \"version\": 1,\n");
        text.Append("  \"about\": \"Exports of valid and tampered ledgers and what every verifier must report for each (docs/ledger-format.md §14). Generated by tests/Market.Ledger.Tests/TamperCases: do not edit.\",\n");
        text.Append("  \"reasons\": [").AppendJoin(", ", Enum.GetNames<VerificationFailureReason>().Select(n => $"\"{n}\"")).Append("],\n");
        text.Append("  \"cases\": [\n");
        for (var i = 0; i < cases.Count; i++)
        {
            text.Append("    ").Append(CaseJson(cases[i])).Append(i + 1 < cases.Count ? ",\n" : "\n");
        }

        text.Append("  ]\n}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads manifest.json back: (file, expected, without replay, kept checkpoint file, trusted genesis key id,
    /// openings file, without openings) per case.</summary>
    public static List<ManifestEntry> ReadManifest(byte[] manifest)
    {
        using var doc = JsonDocument.Parse(manifest);
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ManifestEntry(
            c.GetProperty("file").GetString()!,
            c.GetProperty("name").GetString()!,
            ReadVerdict(c),
            c.GetProperty("withoutReplay").ValueKind == JsonValueKind.Null ? null : ReadVerdict(c.GetProperty("withoutReplay")),
            c.GetProperty("keptCheckpoint").GetString(),
            c.GetProperty("trustedGenesisKeyId").GetString() is { } id ? Convert.FromHexString(id) : null,
            c.GetProperty("openings").GetString(),
            c.GetProperty("withoutOpenings").ValueKind == JsonValueKind.Null ? null : ReadVerdict(c.GetProperty("withoutOpenings"))))];
    }

    private static string CaseJson(TamperCase c)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, Compact))
        {
            json.WriteStartObject();
            json.WriteString("file", c.FileName);
            json.WriteString("ledger", c.Ledger);
            json.WriteString("name", c.Name);
            WriteVerdict(json, c.Expected);
            WriteVerdict(json, "withoutReplay", c.WithoutReplay);
            json.WriteString("keptCheckpoint", c.KeptFileName);
            json.WriteString("trustedGenesisKeyId", c.TrustedGenesisKeyId is { } id ? Convert.ToHexStringLower(id) : null);
            json.WriteString("openings", c.Openings?.FileName);
            WriteVerdict(json, "withoutOpenings", c.WithoutOpenings);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteVerdict(Utf8JsonWriter json, string name, Verdict? v)
    {
        json.WritePropertyName(name);
        if (v is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        WriteVerdict(json, v);
        json.WriteEndObject();
    }

    private static void WriteVerdict(Utf8JsonWriter json, Verdict v)
    {
        json.WriteBoolean("valid", v.IsValid);
        json.WriteString("reason", v.Reason?.ToString());
        Number(json, "height", v.Height);
        Number(json, "leaf", v.Leaf);
        Number(json, "tradeId", v.TradeId);
        Number(json, "line", v.Line);
        Number(json, "blocks", v.Blocks);
        Number(json, "trades", v.Trades);
        Number(json, "reconciliations", v.Reconciliations);
    }

    private static Verdict ReadVerdict(JsonElement e) => new()
    {
        Reason = e.GetProperty("reason").GetString() is { } reason ? Enum.Parse<VerificationFailureReason>(reason) : null,
        Height = Number(e, "height"),
        Leaf = (int?)Number(e, "leaf"),
        TradeId = Number(e, "tradeId"),
        Line = Number(e, "line"),
        Blocks = Number(e, "blocks"),
        Trades = Number(e, "trades"),
        Reconciliations = Number(e, "reconciliations"),
    };

    private static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static long? Number(JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetInt64();

    private static void Add(SortedDictionary<string, byte[]> files, string name, byte[] bytes)
    {
        if (!files.TryAdd(name, bytes))
        {
            throw new InvalidOperationException($"two tamper cases write {name}: give one of them another name");
        }
    }
}

/// <summary>One case as manifest.json lists it.</summary>
internal sealed record ManifestEntry(
    string File, string Name, Verdict Expected, Verdict? WithoutReplay, string? KeptCheckpoint, byte[]? TrustedGenesisKeyId, string? Openings, Verdict? WithoutOpenings)
{
    public override string ToString() => Name;
}
