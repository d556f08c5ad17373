using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Accounts;

/// <summary>
/// Signed-in sessions live in the database, one row per signed-in browser in Identity's user-token table
/// (<c>AspNetUserTokens</c>, login provider <see cref="Provider"/>); the cookie carries only the session's key.
/// Signing out deletes the row, so a copy of the cookie is refused afterwards, on every node that shares the
/// database; other browsers of the same household stay signed in until they sign out, the household signs out
/// everywhere, or its password changes (ADR 17). Every request with the cookie reads its row.
/// </summary>
public sealed class SessionStore(IDbContextFactory<MarketDbContext> dbFactory, TimeProvider time) : ITicketStore
{
    public const string Provider = "market-session";

    /// <summary>The claim that names the session in the signed-in principal (pages and circuits read it).</summary>
    public const string KeyClaim = "market_session";

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var userId = ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("A session needs a signed-in user.");
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var key = userId + "|" + id;
        await using var db = await dbFactory.CreateDbContextAsync();
        // Sessions that ran out without a sign-out go when their user signs in again.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var old = await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == Provider).ToListAsync();
        db.UserTokens.RemoveRange(old.Where(t => ExpiresAtMs(t.Value) <= now));
        db.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = Provider, Name = id, Value = Serialize(ticket, key) });
        await db.SaveChangesAsync();
        return key;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (!TrySplit(key, out var userId, out var id))
        {
            return;
        }

        var value = Serialize(ticket, key);
        await using var db = await dbFactory.CreateDbContextAsync();
        // An update only: a session signed out meanwhile (on any node) stays signed out.
        await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == id)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Value, value));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (!TrySplit(key, out var userId, out var id))
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var value = await db.UserTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == id)
            .Select(t => t.Value)
            .SingleOrDefaultAsync();
        return value is null ? null : Deserialize(value);
    }

    public async Task RemoveAsync(string key)
    {
        if (!TrySplit(key, out var userId, out var id))
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == id).ExecuteDeleteAsync();
    }

    /// <summary>Whether the session <paramref name="user"/> signed in with is still open (an open page checks).</summary>
    public async Task<bool> IsOpenAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        if (!TrySplit(user.FindFirstValue(KeyClaim), out var userId, out var id))
        {
            return false;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UserTokens.AnyAsync(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == id, cancellationToken);
    }

    /// <summary>Ends every session of <paramref name="userId"/> but <paramref name="keep"/> (the current one, if any).</summary>
    public async Task EndAllAsync(string userId, string? keep = null)
    {
        var kept = TrySplit(keep, out var keptUser, out var keptId) && keptUser == userId ? keptId : "";
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name != kept).ExecuteDeleteAsync();
    }

    private static bool TrySplit(string? key, out string userId, out string id)
    {
        (userId, id) = key?.Split('|') is [{ Length: > 0 } u, { Length: 64 } i] ? (u, i) : ("", "");
        return id.Length > 0;
    }

    // "<expires, Unix ms>.<ticket>": the expiry is readable without opening the ticket, for clearing old rows.
    private static string Serialize(AuthenticationTicket ticket, string key)
    {
        // The principal carries its session's key, so an open page can later ask whether it is still signed in.
        var identity = ticket.Principal.Identities.First();
        foreach (var stale in identity.FindAll(KeyClaim).ToList())
        {
            identity.RemoveClaim(stale);
        }

        identity.AddClaim(new Claim(KeyClaim, key));
        var expires = ticket.Properties.ExpiresUtc?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        return expires.ToString(CultureInfo.InvariantCulture) + "." + Convert.ToBase64String(TicketSerializer.Default.Serialize(ticket));
    }

    private static AuthenticationTicket? Deserialize(string value)
    {
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? null : TicketSerializer.Default.Deserialize(Convert.FromBase64String(value[(dot + 1)..]));
    }

    private static long ExpiresAtMs(string? value) =>
        value is not null && value.IndexOf('.', StringComparison.Ordinal) is > 0 and var dot
            && long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;
}

/// <summary>
/// Open pages (Blazor circuits) ask every minute whether their session is still signed in, so a page left open on
/// another device, or by someone holding a copied cookie, stops showing the household's data soon after it signs
/// out everywhere or changes its password.
/// </summary>
public sealed class SessionRevalidation(ILoggerFactory loggerFactory, SessionStore sessions)
    : Microsoft.AspNetCore.Components.Server.RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(Microsoft.AspNetCore.Components.Authorization.AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        sessions.IsOpenAsync(authenticationState.User, cancellationToken);
}
