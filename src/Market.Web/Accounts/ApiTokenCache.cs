using System.Collections.Concurrent;

namespace Market.Web.Accounts;

/// <summary>What authenticating a token found: enough to build the principal without the database.</summary>
public sealed record ResolvedToken(long TokenId, string UserId, string UserName, IReadOnlyList<string> Roles);

/// <summary>
/// Tokens that authenticated recently, by the SHA-256 of their secret, for <see cref="Lifetime"/>: the API then
/// needs no database read per request. Revoking a token on this node (<see cref="ApiTokenService.RevokeAsync"/>)
/// takes effect at once; on another node within <see cref="Lifetime"/>, as does a change of roles.
/// Only valid tokens are cached, so guessing secrets cannot fill it.
/// </summary>
public sealed class ApiTokenCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, byte> _revoked = new();

    public bool TryGet(string secretHash, out ResolvedToken token)
    {
        if (_byHash.TryGetValue(secretHash, out var entry) && time.GetElapsedTime(entry.LoadedAt) < Lifetime && !_revoked.ContainsKey(entry.Token.TokenId))
        {
            token = entry.Token;
            return true;
        }

        token = null!;
        return false;
    }

    /// <summary>
    /// Remembers a token that just authenticated against the database. Pass the timestamp taken before that read as
    /// <paramref name="loadedAt"/>, so the entry never outlives what the read saw.
    /// </summary>
    public void Add(string secretHash, ResolvedToken token, long loadedAt)
    {
        _byHash[secretHash] = new Entry(token, loadedAt);
        // A revocation that raced with this read must win: check after adding, so one of the two removes it.
        if (_revoked.ContainsKey(token.TokenId))
        {
            _byHash.TryRemove(secretHash, out _);
        }
    }

    /// <summary>Forgets a revoked token for good on this node.</summary>
    public void Revoke(long tokenId)
    {
        _revoked.TryAdd(tokenId, 0);
        foreach (var (hash, entry) in _byHash)
        {
            if (entry.Token.TokenId == tokenId)
            {
                _byHash.TryRemove(hash, out _);
            }
        }
    }

    public long Now() => time.GetTimestamp();

    private sealed record Entry(ResolvedToken Token, long LoadedAt);
}
