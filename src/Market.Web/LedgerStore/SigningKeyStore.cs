using Market.Ledger;
using Market.Web.Persistence;

namespace Market.Web.LedgerStore;

/// <summary>
/// The operator's secp256k1 signing key: read from its file, or generated there on first start with mode 0600
/// (owner read/write only). The key never leaves this class except to sign.
/// </summary>
public sealed partial class SigningKeyStore
{
    private readonly Lazy<SigningKey> _key;

    public SigningKeyStore(DataFolder folder, ILogger<SigningKeyStore> logger)
    {
        Path = folder.SigningKeyPath;
        _key = new Lazy<SigningKey>(() => LoadOrCreate(Path, logger));
    }

    public string Path { get; }

    public SigningKey Key => _key.Value;

    private static SigningKey LoadOrCreate(string path, ILogger logger)
    {
        if (File.Exists(path))
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

        var key = SigningKey.Generate();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToHexStringLower(key.PrivateKey));
        }

        LogGenerated(logger, path);
        return key;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated a new signing key at {Path} (mode 0600)")]
    private static partial void LogGenerated(ILogger logger, string path);
}
