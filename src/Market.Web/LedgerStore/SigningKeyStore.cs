using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>
/// The operator's secp256k1 signing key: read from its file, or generated there on first start with mode 0600
/// (owner read/write only). The key never leaves this class except to sign.
/// </summary>
/// <remarks>
/// A rotation (<see cref="KeyRotationService"/>) first writes the new key next to the current one
/// (<see cref="StagedPath"/>), seals the key event, then keeps a copy of the old key (<c>.retired-</c> and its id) and
/// renames the new key over the current file, so the key file always holds a whole key. Whoever signs asks
/// <see cref="CurrentAsync"/> under the ledger lock, which checks the ledger's key events: a node whose key another
/// node retired reads the key file again (shared storage) or refuses to sign.
/// </remarks>
public sealed partial class SigningKeyStore
{
    private readonly ILogger<SigningKeyStore> _logger;
    private readonly Lock _lock = new();
    private SigningKey? _key;
    private SigningKey? _pending;
    private int _knownKeyEvents = -1;

    public SigningKeyStore(DataFolder folder, ILogger<SigningKeyStore> logger)
    {
        Path = folder.SigningKeyPath;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>Where a rotation writes a new key before it is sealed: one file per staged key.</summary>
    public string StagedPath(SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Path + StagedSuffix + Convert.ToHexStringLower(key.KeyId)[..16];
    }

    private const string StagedSuffix = ".next-";

    /// <summary>This node's key, as last read from its file.</summary>
    public SigningKey Key
    {
        get
        {
            lock (_lock)
            {
                return _key ??= LoadOrCreate(Path, _logger);
            }
        }
    }

    /// <summary>
    /// The key to sign the next block or checkpoint with, checked against the ledger's key events (call it under
    /// the ledger lock, in the transaction that appends). Throws when the ledger's current key is one this node does
    /// not hold: nothing may be signed with a retired key.
    /// </summary>
    public async Task<SigningKey> CurrentAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var events = await db.Blocks.AsNoTracking().CountAsync(b => b.Kind == (byte)BlockKind.KeyEvent, cancellationToken);
        lock (_lock)
        {
            // Read under the lock, after the count: a key promoted meanwhile has reset the count it was checked at.
            if (events == _knownKeyEvents && _key is not null)
            {
                return _key;
            }
        }

        var current = await LedgerKeyIdAsync(db, cancellationToken);
        lock (_lock)
        {
            if (_pending is not null && current.AsSpan().SequenceEqual(_pending.KeyId))
            {
                // This node's rotation, committed a moment ago and not yet promoted.
                return _pending;
            }

            var key = _key ??= LoadOrCreate(Path, _logger);
            if (!current.AsSpan().SequenceEqual(key.KeyId))
            {
                // Another node rotated: its new key reaches this one through the key file.
                var reread = File.Exists(Path) ? Read(Path) : null;
                if (reread is null || !current.AsSpan().SequenceEqual(reread.KeyId))
                {
                    throw new InvalidOperationException(
                        $"The ledger's signing key is now {Convert.ToHexStringLower(current)}; this node holds {Convert.ToHexStringLower(key.KeyId)} at {Path}, " +
                        "which the ledger retired. Install the new key file on this node; it signs nothing until then.");
                }

                _key = key = reread;
                LogReloaded(_logger, Convert.ToHexStringLower(current));
            }

            _knownKeyEvents = events;
            return key;
        }
    }

    /// <summary>The id of the key the ledger's key events leave current (the last one introduced).</summary>
    public static async Task<byte[]> LedgerKeyIdAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var leaves = await db.BlockLeaves.AsNoTracking()
            .Where(l => db.Blocks.Any(b => b.Height == l.BlockHeight && b.Kind == (byte)BlockKind.KeyEvent))
            .OrderBy(l => l.BlockHeight).ThenBy(l => l.Index)
            .Select(l => l.Data)
            .ToListAsync(cancellationToken);
        byte[] current = [];
        foreach (var leaf in leaves)
        {
            var record = KeyRecord.Decode(leaf);
            if (record.Action == KeyAction.Introduce)
            {
                current = record.KeyId();
            }
        }

        return current;
    }

    /// <summary>
    /// Generates a new key and writes it to its <see cref="StagedPath"/> (mode 0600, flushed, renamed into place)
    /// before anything refers to it; this node offers it as its key once the ledger introduces it.
    /// </summary>
    public SigningKey Stage()
    {
        var next = SigningKey.Generate();
        WriteAtomically(StagedPath(next), next, replace: false);
        lock (_lock)
        {
            _pending = next;
        }

        return next;
    }

    /// <summary>Writes the staged key again if its file has gone (settled away by a node starting meanwhile).</summary>
    public void EnsureStaged(SigningKey next)
    {
        var path = StagedPath(next);
        if (!File.Exists(path))
        {
            WriteAtomically(path, next, replace: false);
        }
    }

    /// <summary>After the rotation is committed: keeps the old key as <c>.retired-</c>id, makes the new one current.</summary>
    public void Promote(SigningKey next)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_lock)
        {
            var old = _key ?? (File.Exists(Path) ? Read(Path) : null);
            if (old is not null && !old.KeyId.AsSpan().SequenceEqual(next.KeyId))
            {
                var retired = Path + ".retired-" + Convert.ToHexStringLower(old.KeyId)[..16];
                if (!File.Exists(retired))
                {
                    WriteAtomically(retired, old, replace: false);
                }
            }

            // Written from memory and renamed over the key file: the key file always holds one whole key, and the
            // new key never depends on a staged file another node may have settled.
            WriteAtomically(Path, next, replace: true);
            File.Delete(StagedPath(next));
            _key = next;
            _pending = null;
            _knownKeyEvents = -1;
        }
    }

    /// <summary>
    /// After a rotation failed: this process stops offering the staged key. Its file stays until
    /// <see cref="SettleStagedAsync"/> has asked the ledger whether the key event was committed after all.
    /// </summary>
    public void ForgetPending()
    {
        lock (_lock)
        {
            _pending = null;
        }
    }

    /// <summary>
    /// Settles rotations that stopped part-way (a crash, a failed commit), in a transaction of its own under the
    /// ledger lock: a staged key the ledger's current key is was sealed and becomes the key file; any other staged
    /// key was never sealed (no rotation is between staging and committing while the lock is held) and is deleted.
    /// </summary>
    public async Task SettleStagedAsync(IDbContextFactory<MarketDbContext> dbFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dbFactory);
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        var prefix = System.IO.Path.GetFileName(Path) + StagedSuffix;
        if (!Directory.Exists(directory) || !Directory.EnumerateFiles(directory, prefix + "*").Any())
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LedgerLock.AcquireAsync(db, cancellationToken);
        var current = await LedgerKeyIdAsync(db, cancellationToken);
        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*").Where(f => !f.Contains(".tmp-", StringComparison.Ordinal)).ToList())
        {
            SigningKey? staged;
            try
            {
                staged = Read(file);
            }
            catch (InvalidOperationException)
            {
                staged = null;
            }

            if (staged is not null && current.AsSpan().SequenceEqual(staged.KeyId))
            {
                Promote(staged);
                LogRotationFinished(_logger, Convert.ToHexStringLower(staged.KeyId));
            }
            else
            {
                File.Delete(file);
                LogRotationDropped(_logger, file);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static SigningKey? Read(string path)
    {
        var hex = File.ReadAllText(path).Trim();
        try
        {
            return SigningKey.FromPrivateKey(Convert.FromHexString(hex));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new InvalidOperationException($"The signing key file {path} is not a 32-byte hex secp256k1 key.", e);
        }
    }

    private static SigningKey LoadOrCreate(string path, ILogger logger)
    {
        if (File.Exists(path))
        {
            return Read(path)!;
        }

        var key = SigningKey.Generate();
        WriteAtomically(path, key, replace: false);
        LogGenerated(logger, path);
        return key;
    }

    /// <summary>
    /// Writes the key to a temporary file beside <paramref name="path"/> readable by the owner only, flushes it to
    /// disk and renames it into place, so a reader never sees half a key.
    /// </summary>
    private static void WriteAtomically(string path, SigningKey key, bool replace)
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
                using (var writer = new StreamWriter(stream, leaveOpen: true))
                {
                    writer.Write(Convert.ToHexStringLower(key.PrivateKey));
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: replace);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated a new signing key at {Path} (mode 0600)")]
    private static partial void LogGenerated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finished a key rotation that stopped after it was sealed: the signing key is now {KeyId}")]
    private static partial void LogRotationFinished(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted the staged key {File} of a rotation that was never sealed; the signing key is unchanged")]
    private static partial void LogRotationDropped(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ledger's signing key was rotated by another node; read the new key {KeyId} from the key file")]
    private static partial void LogReloaded(ILogger logger, string keyId);
}
