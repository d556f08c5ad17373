namespace Market.Web.Accounts;

/// <summary>
/// Where a personal access token is accepted: the REST API and the operators' metrics scrape, nowhere else. Pages,
/// the Blazor circuit, downloads, token management, password changes and sign-out know only the signed-in cookie,
/// so a leaked token cannot open a page, mint another token or survive its own revocation (ADR 17).
/// </summary>
public static class TokenPaths
{
    public const string Api = "/api";

    public const string Metrics = "/metrics";

    /// <summary>Whether a request to <paramref name="path"/> authenticates with a token (and never with the cookie).</summary>
    public static bool Accepts(PathString path) =>
        path.StartsWithSegments(Api, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(Metrics, StringComparison.OrdinalIgnoreCase);
}
