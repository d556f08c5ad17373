using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Market.Web.Accounts;

/// <summary>
/// <c>Authorization: Bearer mkt_…</c> with a personal access token, on <see cref="TokenPaths"/> only; the principal
/// carries the owner's roles. A token that authenticated within <see cref="ApiTokenCache.Lifetime"/> is taken from
/// <see cref="ApiTokenCache"/>. Failed password sign-ins never stop a token: it works until it is revoked.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenService tokens,
    ApiTokenCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var secret = header["Bearer ".Length..].Trim();
        var cacheKey = ApiTokenService.CacheKey(secret);
        if (cacheKey is null)
        {
            return AuthenticateResult.Fail("The token is not valid.");
        }

        if (!cache.TryGet(cacheKey, out var resolved))
        {
            var loadedAt = cache.Now();
            var token = await tokens.ResolveAsync(secret, Context.RequestAborted);
            if (token is null)
            {
                return AuthenticateResult.Fail("The token is not valid.");
            }

            // Resolved only on a cache miss: a UserManager is costly to build for every request.
            var users = Context.RequestServices.GetRequiredService<UserManager<MarketUser>>();
            var user = await users.FindByIdAsync(token.UserId);
            if (user is null)
            {
                return AuthenticateResult.Fail("The token's owner cannot sign in.");
            }

            resolved = new ResolvedToken(token.Id, user.Id, user.UserName ?? user.Id, [.. await users.GetRolesAsync(user)]);
            cache.Add(cacheKey, resolved, loadedAt);
        }

        var claims = new List<Claim>(3 + resolved.Roles.Count)
        {
            new(ClaimTypes.NameIdentifier, resolved.UserId),
            new(ClaimTypes.Name, resolved.UserName),
            new("token_id", resolved.TokenId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(resolved.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Response.WriteAsJsonAsync(
            new { type = "https://tools.ietf.org/html/rfc9110#section-15.5.2", title = "Unauthorized", status = 401, detail = "Send a personal access token: Authorization: Bearer mkt_…" },
            options: null, contentType: "application/problem+json");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Response.WriteAsJsonAsync(
            new { type = "https://tools.ietf.org/html/rfc9110#section-15.5.4", title = "Forbidden", status = 403, detail = "This token may not do that." },
            options: null, contentType: "application/problem+json");
    }
}
