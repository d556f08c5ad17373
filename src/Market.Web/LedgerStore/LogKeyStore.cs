using Market.Ledger;

namespace Market.Web.LedgerStore;

/// <summary>
/// The log's Ed25519 note key (C2SP signed-note, type 0x01): it signs every checkpoint as a tlog-checkpoint note, the
/// form witnesses cosign. Generated at first start beside the signing key (mode 0600) with the ledger's origin as its
/// name; the sealed witness policy names its public half, so verifiers take it from the ledger, not from us.
/// </summary>
public sealed partial class LogKeyStore(DataFolder folder, ILogger<LogKeyStore> logger)
{
    private readonly Lock _lock = new();
    private NoteSigningKey? _key;

    /// <summary>The key file: <c>log-key.txt</c> in the data folder, beside the signing key.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(folder.SigningKeyPath)!, "log-key.txt");

    /// <summary>The key, or null before it exists.</summary>
    public NoteSigningKey? Existing
    {
        get
        {
            lock (_lock)
            {
                return _key ??= Read(Path);
            }
        }
    }

    /// <summary>The key; made with <paramref name="origin"/> as its name when there is none yet.</summary>
    /// <exception cref="InvalidOperationException">The file holds a key for another origin.</exception>
    public NoteSigningKey GetOrCreate(string origin)
    {
        lock (_lock)
        {
            _key ??= Read(Path);
            if (_key is null)
            {
                var key = NoteSigningKey.Generate(origin, NoteVerifierKey.Ed25519);
                SecretFile.Write(Path, key.Encode() + "\n");
                var verifierKey = key.VerifierKey.Encode();
                LogGenerated(logger, Path, verifierKey);
                _key = key;
            }

            if (_key.Name != origin)
            {
                throw new InvalidOperationException(
                    $"The log key at {Path} is named '{_key.Name}', but this ledger's origin is '{origin}'. Restore the right key file.");
            }

            return _key;
        }
    }

    private static NoteSigningKey? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path).Trim();
        return NoteSigningKey.TryParse(text, out var key, out var error)
            ? key
            : throw new InvalidOperationException($"The log key at {path} is unreadable: {error}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated the log's note key at {Path} (mode 0600); its verifier key is {VerifierKey}")]
    private static partial void LogGenerated(ILogger logger, string path, string verifierKey);
}

/// <summary>Writes a secret file readable by its owner only (mode 0600), whole or not at all.</summary>
internal static class SecretFile
{
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
