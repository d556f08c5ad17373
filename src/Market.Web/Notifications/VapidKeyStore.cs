using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Market.Web.Notifications;

/// <summary>The VAPID key pair (P-256) that signs this market's Web Push requests, both halves in base64url.</summary>
public sealed record VapidKeys(string PublicKey, string PrivateKey);

/// <summary>
/// The VAPID key pair: read from its file, or generated there on first start, owner read/write only (0600), written
/// to a temporary file and renamed into place without replacing, like the signing key. Nodes that share the data
/// folder (or <c>Notifications:VapidKeyPath</c>) share the key: a node that loses the race to create it reads the
/// winner's, so every browser's subscription works with every node.
/// </summary>
public sealed partial class VapidKeyStore(DataFolder folder, IOptions<NotificationOptions> options, ILogger<VapidKeyStore> logger)
{
    private readonly Lock _lock = new();
    private VapidKeys? _keys;

    public string Path { get; } = options.Value.VapidKeyPath is { Length: > 0 } p
        ? System.IO.Path.GetFullPath(p)
        : System.IO.Path.Combine(folder.Path, "vapid-keys.json");

    public VapidKeys Keys
    {
        get
        {
            lock (_lock)
            {
                return _keys ??= LoadOrCreate();
            }
        }
    }

    private VapidKeys LoadOrCreate()
    {
        if (File.Exists(Path))
        {
            return Read(Path);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(includePrivateParameters: true);
        var publicKey = new byte[65];
        publicKey[0] = 0x04;
        p.Q.X!.CopyTo(publicKey, 1);
        p.Q.Y!.CopyTo(publicKey, 33);
        var keys = new VapidKeys(Base64Url.EncodeToString(publicKey), Base64Url.EncodeToString(p.D!));
        if (!TryCreate(Path, keys))
        {
            // Another node (or process) wrote it first: use that one.
            return Read(Path);
        }

        LogGenerated(logger, Path);
        return keys;
    }

    private static VapidKeys Read(string path)
    {
        try
        {
            var keys = JsonSerializer.Deserialize<VapidKeys>(File.ReadAllText(path));
            if (keys is null || Base64Url.DecodeFromChars(keys.PublicKey).Length != 65 || Base64Url.DecodeFromChars(keys.PrivateKey).Length != 32)
            {
                throw new InvalidOperationException($"The VAPID key file {path} does not hold a P-256 key pair.");
            }

            return keys;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidOperationException($"The VAPID key file {path} does not hold a P-256 key pair.", e);
        }
    }

    private static bool TryCreate(string path, VapidKeys keys)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, fileOptions))
            {
                JsonSerializer.Serialize(stream, keys);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated the Web Push (VAPID) key pair at {Path} (mode 0600)")]
    private static partial void LogGenerated(ILogger logger, string path);
}
