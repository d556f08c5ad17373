using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Market.Ledger;

namespace Market.Witnesses;

/// <summary>
/// Fork evidence the witness found, one file each in <c>DIR/evidence/fork-&lt;UTC time&gt;.json</c> (written
/// atomically, verifiable by anyone with <c>market ledger verify-evidence</c>). The same pair of notes is written
/// once, however often it is seen again (gossip repeats every few seconds).
/// </summary>
internal sealed class EvidenceStore
{
    public const string FolderName = "evidence";

    private readonly string _folder;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = [];
    private readonly List<string> _files = [];

    public EvidenceStore(string dataFolder, TimeProvider time)
    {
        _folder = Path.Combine(dataFolder, FolderName);
        _time = time;
        if (!Directory.Exists(_folder))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(_folder, "fork-*.json").Order(StringComparer.Ordinal))
        {
            _files.Add(file);
            if (ForkEvidence.TryParse(File.ReadAllText(file), out var evidence, out _))
            {
                _seen.Add(Key(evidence!));
            }
        }
    }

    /// <summary>The evidence files, oldest first (full paths).</summary>
    public IReadOnlyList<string> Files
    {
        get
        {
            lock (_gate)
            {
                return [.. _files];
            }
        }
    }

    /// <summary>Writes the evidence unless the same pair was written before; returns the file, or null when it was
    /// already there.</summary>
    public string? Write(ForkEvidence evidence)
    {
        lock (_gate)
        {
            if (!_seen.Add(Key(evidence)))
            {
                return null;
            }

            Directory.CreateDirectory(_folder);
            var stamp = _time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss.fffffff'Z'", CultureInfo.InvariantCulture);
            var path = Path.Combine(_folder, $"fork-{stamp}.json");
            for (var i = 2; File.Exists(path); i++)
            {
                path = Path.Combine(_folder, $"fork-{stamp}-{i}.json");
            }

            Durable.ReplaceFile(path, Encoding.UTF8.GetBytes(evidence.ToJson()));
            _files.Add(path);
            return path;
        }
    }

    // The pair in either order is the same fork.
    private static string Key(ForkEvidence e)
    {
        var (a, b) = string.CompareOrdinal(e.First, e.Second) <= 0 ? (e.First, e.Second) : (e.Second, e.First);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{e.LogKey}\n{a}\n{b}")));
    }
}
