using Market.Ledger;
using Market.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>
/// The operator's secp256k1 signing key: read from its file, or generated there on first start with mode 0600
/// (owner read/write only). The key never leaves this class except to sign.
/// </summary>
/// <remarks>
/// A rotation (<see cref="KeyRotationService"/>) first writes the new key next to the current one
/// (<see cref="NextPath"/>), seals the key event, then keeps a copy of the old key (<c>.retired-</c> and its id) and
/// renames the new file over the current one, so the key file always holds a whole key. Whoever signs asks
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

    /// <summary>Where a rotation writes the new key before it is sealed.</summary>
    public string NextPath => Path + ".next";

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
        var key = Key;
        var events = await db.Blocks.AsNoTracking().CountAsync(b => b.Kind == (byte)BlockKind.KeyEvent, cancellationToken);
        if (events == Volatile.Read(ref _knownKeyEvents))
        {
            return key;
        }

        var current = await LedgerKeyIdAsync(db, cancellationToken);
        lock (_lock)
        {
            if (_pending is not null && current.AsSpan().SequenceEqual(_pending.KeyId))
            {
                // This node's rotation, committed a moment ago and not yet promoted.
                return _pending;
            }

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
    /// Writes a new key to <see cref="NextPath"/> (mode 0600, flushed to disk) before it is sealed. Call
    /// <see cref="SettleStagedAsync"/> first: a staged key left by an earlier attempt may be the ledger's key.
    /// </summary>
    public SigningKey StageNext()
    {
        var next = SigningKey.Generate();
        Write(NextPath, next);
        lock (_lock)
        {
            _pending = next;
        }

        return next;
    }

    /// <summary>After the rotation is committed: keeps the old key as <c>.retired-</c>id, makes the new one current.</summary>
    public void Promote(SigningKey next)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_lock)
        {
            var old = _key ?? Read(Path);
            if (old is not null && !old.KeyId.AsSpan().SequenceEqual(next.KeyId))
            {
                var retired = Path + ".retired-" + Convert.ToHexStringLower(old.KeyId)[..16];
                if (!File.Exists(retired))
                {
                    Write(retired, old);
                }
            }

            // A rename over the current file: at every moment the key file holds one whole key. Should the staged
            // file have gone meanwhile (another node settling it at its start), it is written again from memory.
            if (!File.Exists(NextPath))
            {
                Write(NextPath, next);
            }

            File.Move(NextPath, Path, overwrite: true);
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
    /// Settles a rotation that stopped part-way (a crash, a failed commit): if the ledger's current key is the staged
    /// one, the rotation was sealed and is finished now; otherwise it never was and the staged key is deleted unused.
    /// </summary>
    public async Task SettleStagedAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        if (!File.Exists(NextPath))
        {
            return;
        }

        var next = Read(NextPath)!;
        var current = await LedgerKeyIdAsync(db, cancellationToken);
        if (current.AsSpan().SequenceEqual(next.KeyId))
        {
            Promote(next);
            LogRotationFinished(_logger, Convert.ToHexStringLower(next.KeyId));
        }
        else
        {
            ForgetPending();
            File.Delete(NextPath);
            LogRotationDropped(_logger, Convert.ToHexStringLower(next.KeyId));
        }
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
        Write(path, key);
        LogGenerated(logger, path);
        return key;
    }

    /// <summary>Creates <paramref name="path"/> (it must not exist) readable by the owner only, flushed to disk.</summary>
    private static void Write(string path, SigningKey key)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using (var writer = new StreamWriter(stream, leaveOpen: true))
        {
            writer.Write(Convert.ToHexStringLower(key.PrivateKey));
        }

        stream.Flush(flushToDisk: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated a new signing key at {Path} (mode 0600)")]
    private static partial void LogGenerated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finished a key rotation that stopped after it was sealed: the signing key is now {KeyId}")]
    private static partial void LogRotationFinished(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped the staged key {KeyId} of a rotation that was never sealed; the signing key is unchanged")]
    private static partial void LogRotationDropped(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ledger's signing key was rotated by another node; read the new key {KeyId} from the key file")]
    private static partial void LogReloaded(ILogger logger, string keyId);
}
