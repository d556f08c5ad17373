using Market.Ledger;

namespace Market.Witnesses;

/// <summary>How one witness runs.</summary>
/// <param name="DataFolder">Its key, state, replica and evidence.</param>
/// <param name="Name">Its name (the key's name, e.g. <c>witness.example.org/w1</c>).</param>
/// <param name="LogKeys">The log's note keys (type 0x01, one name: the origin); more than one while the market
/// changes its key (a note signed by any of them is the log's).</param>
/// <param name="LogUrl">The market's base URL, where blocks are fetched.</param>
/// <param name="Peers">Other witnesses' base URLs to compare views with.</param>
/// <param name="TrustedGenesisKeyId">When set, the ledger must start with this key (32 bytes).</param>
/// <param name="GossipInterval">How often peers are compared.</param>
internal sealed record WitnessConfig(
    string DataFolder,
    string Name,
    IReadOnlyList<NoteVerifierKey> LogKeys,
    Uri LogUrl,
    IReadOnlyList<Uri> Peers,
    byte[]? TrustedGenesisKeyId,
    TimeSpan GossipInterval)
{
    /// <summary>The first log key (its name is the origin).</summary>
    public NoteVerifierKey LogKey => LogKeys[0];

    /// <summary>Whether the log signed <paramref name="note"/>: true when a line from one of its keys verifies and
    /// none fails, false when a line from one of them fails (the note is malformed), null when none is from them.</summary>
    public bool? SignedByLog(SignedNote note)
    {
        var verdicts = LogKeys.Select(note.VerifyBy).ToList();
        return verdicts.Contains(false) ? false : verdicts.Contains(true) ? true : null;
    }

    /// <summary>A log key that signed both notes (the key fork evidence names), or null.</summary>
    public NoteVerifierKey? KeySigningBoth(SignedNote a, SignedNote b) =>
        LogKeys.FirstOrDefault(k => a.VerifyBy(k) == true && b.VerifyBy(k) == true);

    /// <summary>The path of a log's monitoring endpoint: lowercase hex SHA-256 of the origin.</summary>
    public string OriginHash => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(LogKey.Name)));

    /// <summary>The URL of an export range of a ledger served at <paramref name="baseUrl"/>.</summary>
    public static Uri ExportRange(Uri baseUrl, long from, long to) =>
        new($"{baseUrl.AbsoluteUri.TrimEnd('/')}/api/ledger/export?from={from}&to={to}");
}
