namespace Market.Web.Hosting;

/// <summary>
/// Hardening headers on every response. The app's own pages get a strict Content-Security-Policy: scripts only
/// from this origin (no inline script, no eval), connections only back to this origin (the Blazor circuit, the
/// verifier's download), no framing. MudBlazor positions popovers with inline style attributes, so styles allow
/// inline. Two bundled third-party pages need more and get it only on their own paths, still same-origin only: the
/// operators' job dashboard (<c>/hangfire</c>: inline scripts) and the API reference (<c>/api/docs</c>: inline
/// scripts and eval). Neither shows anything but this app's own data.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The policy of the app's own pages.</summary>
    public const string StrictPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>The policy of the bundled third-party dashboards, which use inline scripts.</summary>
    public const string DashboardPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>The policy of the API reference, whose bundled viewer also evaluates code it generates.</summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>Adds the headers before the response starts.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            var path = context.Request.Path;
            headers.ContentSecurityPolicy =
                path.StartsWithSegments("/api/docs", StringComparison.OrdinalIgnoreCase) ? ApiReferencePolicy
                : path.StartsWithSegments("/hangfire", StringComparison.OrdinalIgnoreCase) ? DashboardPolicy
                : StrictPolicy;
            return next(context);
        });
}
