using Market.Ledger;

namespace Market.Cli.Witness;

/// <summary>How one witness runs.</summary>
/// <param name="DataFolder">Its key, state, replica and evidence.</param>
/// <param name="Name">Its name (the key's name, e.g. <c>witness.example.org/w1</c>).</param>
/// <param name="LogKey">The log's note key (type 0x01); its name is the origin.</param>
/// <param name="LogUrl">The market's base URL, where blocks are fetched.</param>
/// <param name="Peers">Other witnesses' base URLs to compare views with.</param>
/// <param name="TrustedGenesisKeyId">When set, the ledger must start with this key (32 bytes).</param>
/// <param name="GossipInterval">How often peers are compared.</param>
internal sealed record WitnessConfig(
    string DataFolder,
    string Name,
    NoteVerifierKey LogKey,
    Uri LogUrl,
    IReadOnlyList<Uri> Peers,
    byte[]? TrustedGenesisKeyId,
    TimeSpan GossipInterval)
{
    /// <summary>The path of a log's monitoring endpoint: lowercase hex SHA-256 of the origin.</summary>
    public string OriginHash => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(LogKey.Name)));

    /// <summary>The URL of an export range of a ledger served at <paramref name="baseUrl"/>.</summary>
    public static Uri ExportRange(Uri baseUrl, long from, long to) =>
        new($"{baseUrl.AbsoluteUri.TrimEnd('/')}/api/ledger/export?from={from}&to={to}");
}
