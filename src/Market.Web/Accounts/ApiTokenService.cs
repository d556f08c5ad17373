using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Accounts;

/// <summary>A token as listed to its owner (never the secret, which is shown once at creation).</summary>
public sealed record ApiTokenInfo(long Id, string Name, string Prefix, long CreatedAtMs, long? LastUsedAtMs, long? RevokedAtMs);

/// <summary>Creates, lists, revokes and resolves personal access tokens.</summary>
public sealed class ApiTokenService(IDbContextFactory<MarketDbContext> dbFactory, TimeProvider time, ApiTokenCache cache)
{
    private const string Scheme = "mkt_";

    /// <summary>Creates a token; returns the full secret, which is not stored and cannot be shown again.</summary>
    public async Task<(ApiTokenInfo Info, string Secret)> CreateAsync(string userId, string name, CancellationToken cancellationToken = default)
    {
        var secret = Scheme + Base64Url(RandomNumberGenerator.GetBytes(32));
        var entity = new ApiTokenEntity
        {
            UserId = userId,
            Name = string.IsNullOrWhiteSpace(name) ? "token" : name.Trim()[..Math.Min(80, name.Trim().Length)],
            SecretHash = Hash(secret),
            Prefix = secret[..12],
            CreatedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiTokens.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return (ToInfo(entity), secret);
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.Id).ToListAsync(cancellationToken);
        return rows.Select(ToInfo).ToList();
    }

    /// <summary>Revokes a token: on this node at once, on other nodes within <see cref="ApiTokenCache.Lifetime"/>.</summary>
    public async Task<bool> RevokeAsync(string userId, long tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var revoked = await db.ApiTokens
            .Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAtMs == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAtMs, now), cancellationToken) == 1;
        if (revoked)
        {
            cache.Revoke(tokenId);
        }

        return revoked;
    }

    /// <summary>The hex SHA-256 of a well-formed secret (the cache's key), or null when it cannot be a token.</summary>
    public static string? CacheKey(string? secret) => IsWellFormed(secret) ? Convert.ToHexString(Hash(secret)) : null;

    /// <summary>The live token with this secret, or null. Malformed input is simply not a token.</summary>
    public async Task<ApiTokenEntity?> ResolveAsync(string? secret, CancellationToken cancellationToken = default)
    {
        if (!IsWellFormed(secret))
        {
            return null;
        }

        var hash = Hash(secret);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.AsNoTracking().SingleOrDefaultAsync(t => t.SecretHash == hash && t.RevokedAtMs == null, cancellationToken);
        if (token is not null)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            // Record use at most once a minute: a write per request would throttle the API on SQLite.
            if (token.LastUsedAtMs is null || now - token.LastUsedAtMs > 60_000)
            {
                try
                {
                    await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAtMs, now), cancellationToken);
                }
                catch (Exception e) when (StorageFault.Of(e) is not null)
                {
                    // While the database cannot be written (the failure is reported where EF Core met it), a token
                    // still reads: "last used" waits for the next minute.
                }
            }
        }

        return token;
    }

    private static bool IsWellFormed([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? secret) => secret is not null && secret.Length is >= 20 and <= 100 && secret.StartsWith(Scheme, StringComparison.Ordinal);

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static ApiTokenInfo ToInfo(ApiTokenEntity t) => new(t.Id, t.Name, t.Prefix, t.CreatedAtMs, t.LastUsedAtMs, t.RevokedAtMs);
}
