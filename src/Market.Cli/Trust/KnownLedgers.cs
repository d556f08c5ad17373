using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

using Market.Witnesses;

namespace Market.Cli.Trust;

/// <summary>
/// The ledgers this user's <c>market</c> command has verified, like SSH's known_hosts: one file per ledger URL in a
/// folder of the user's config folder (<c>$XDG_CONFIG_HOME/market/known-ledgers</c> or
/// <c>~/.config/market/known-ledgers</c>; on Windows under %APPDATA%), or the folder <c>--known-ledgers</c> or
/// <see cref="FolderVariable"/> names. A file is replaced atomically (written beside it, then renamed over it) and
/// only while a lock on the folder is held, so two runs at once never leave a half-written file, and never a
/// checkpoint that was not verified against the one it replaces.
/// </summary>
internal sealed class KnownLedgers(string folder)
{
    /// <summary>Environment variable naming the folder (for a shared machine account, or tests).</summary>
    public const string FolderVariable = "MARKET_KNOWN_LEDGERS";

    private const string LockFile = ".lock";

    /// <summary>How long a run waits for another run's update of the folder before giving up.</summary>
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    public string Folder { get; } = folder;

    /// <summary>The folder to use: <paramref name="given"/> (option or caller), else <see cref="FolderVariable"/>, else
    /// market/known-ledgers in the user's config folder; null when there is no config folder (no home).</summary>
    public static string? DefaultFolder(string? given)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return Path.GetFullPath(given);
        }

        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } variable)
        {
            return Path.GetFullPath(variable);
        }

        // ApplicationData is $XDG_CONFIG_HOME or ~/.config on Linux and macOS, %APPDATA% on Windows.
        var config = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(config) ? null : Path.Combine(config, "market", "known-ledgers");
    }

    /// <summary>
    /// A ledger's name: its http(s) URL with the host in lower case, the port only when not the scheme's default, and
    /// the path up to <c>/api/ledger/</c> (so the market's URL, its export URL and a receipt URL name the same
    /// ledger) without a trailing '/'. Query and fragment are dropped.
    /// </summary>
    public static bool TryName(string url, [NotNullWhen(true)] out string? name)
    {
        name = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        var path = uri.AbsolutePath;
        var api = path.IndexOf("/api/ledger/", StringComparison.Ordinal);
        if (api < 0 && path.EndsWith("/api/ledger", StringComparison.Ordinal))
        {
            api = path.Length - "/api/ledger".Length;
        }

        path = (api >= 0 ? path[..api] : path).TrimEnd('/');
        name = $"{uri.Scheme}://{uri.Authority.ToLowerInvariant()}{path}";
        return true;
    }

    /// <summary>The file for a ledger name: readable host and port, and a hash of the whole name.</summary>
    public string PathFor(string ledger)
    {
        var uri = new Uri(ledger);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ledger)))[..16];
        var host = new string([.. uri.Host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_')]);
        return Path.Combine(Folder, $"{host}-{uri.Port}-{hash}.json");
    }

    /// <summary>What is remembered for the ledger: true with null when nothing is; false when the file exists but
    /// cannot be read or is not for this ledger (never silently replaced: it is the user's trust).</summary>
    public bool TryRead(string ledger, out KnownLedger? known, out string? problem)
    {
        var path = PathFor(ledger);
        known = null;
        problem = null;
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                return true;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"{path}: {e.Message}";
            return false;
        }

        known = KnownLedger.FromJson(bytes, out var why);
        if (known is null || known.Ledger != ledger)
        {
            problem = $"{path}: {why ?? $"it remembers {known!.Ledger}, not {ledger}"}";
            known = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Replaces what is remembered for <paramref name="next"/>'s ledger, provided the file still holds
    /// <paramref name="verifiedAgainst"/> (what this run verified the ledger against; null: nothing) and the new
    /// checkpoint is larger. Otherwise nothing changes.
    /// </summary>
    public RememberOutcome Remember(KnownLedger? verifiedAgainst, KnownLedger next)
    {
        Directory.CreateDirectory(Folder);
        using var folderLock = Lock();
        if (!TryRead(next.Ledger, out var current, out var problem))
        {
            return new RememberOutcome(RememberResult.Unreadable, problem);
        }

        if (current is null ? verifiedAgainst is not null : !current.SameAs(verifiedAgainst))
        {
            return new RememberOutcome(RememberResult.ChangedMeanwhile, $"{PathFor(next.Ledger)} changed while this run verified the ledger (another run?): nothing was updated; run again to check against what it holds now");
        }

        if (current is not null && next.Checkpoint.Size <= current.Checkpoint.Size)
        {
            return new RememberOutcome(RememberResult.Kept, null);
        }

        AtomicFile.Write(PathFor(next.Ledger), next.ToJson());
        return new RememberOutcome(RememberResult.Updated, null);
    }

    /// <summary>Forgets a ledger (deliberately: a later run is a first contact again), also when its file is
    /// unreadable. Returns whether anything was remembered; <paramref name="forgotten"/> is what was, if readable.</summary>
    public bool Forget(string ledger, out KnownLedger? forgotten)
    {
        Directory.CreateDirectory(Folder);
        using var folderLock = Lock();
        var path = PathFor(ledger);
        _ = TryRead(ledger, out forgotten, out _);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>An exclusive lock on the folder's lock file (an advisory lock on Unix, a sharing lock on Windows),
    /// waiting for another run's short update to finish.</summary>
    private FileStream Lock()
    {
        var path = Path.Combine(Folder, LockFile);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < LockTimeout)
            {
                Thread.Sleep(50);
            }
        }
    }
}

internal enum RememberResult
{
    /// <summary>The new checkpoint is remembered.</summary>
    Updated,

    /// <summary>The remembered checkpoint is as large or larger: it stays (a remembered checkpoint never moves back).</summary>
    Kept,

    /// <summary>Another run changed the file after this run read it: nothing was written.</summary>
    ChangedMeanwhile,

    /// <summary>The file or its folder cannot be read or written.</summary>
    Unreadable,
}

internal sealed record RememberOutcome(RememberResult Result, string? Problem);
