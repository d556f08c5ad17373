using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Market.Web.Hosting;

/// <summary>
/// Behind a TLS-terminating proxy the app sees the proxy's address and plain HTTP. From the proxies named in
/// <see cref="ProxyOptions"/> only, it takes the client's address from <c>X-Forwarded-For</c> (so per-address rate
/// limits count clients, not the proxy) and the scheme from <c>X-Forwarded-Proto</c> (so cookies are Secure and
/// HSTS is sent). From any other address the headers are ignored. See docs/deployment.md and ADR 18.
/// </summary>
public static class ProxyHeaders
{
    /// <summary>
    /// ASP.NET Core's own switch (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>), which believes the headers from every
    /// address.
    /// </summary>
    public const string FrameworkSwitch = "ForwardedHeaders_Enabled";

    public static WebApplicationBuilder AddMarketProxyHeaders(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.Equals(builder.Configuration[FrameworkSwitch], "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new OptionsValidationException(ProxyOptions.Section, typeof(ProxyOptions),
                [$"{ProxyOptions.Section}:{nameof(ProxyOptions.KnownProxies)}: ASPNETCORE_FORWARDEDHEADERS_ENABLED believes forwarded headers from any address; unset it and name the proxies in {ProxyOptions.Section}:{nameof(ProxyOptions.KnownProxies)} or {ProxyOptions.Section}:{nameof(ProxyOptions.KnownNetworks)}."]);
        }

        builder.AddSettings<ProxyOptions>(ProxyOptions.Section);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((o, proxy) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The framework trusts loopback by default, and an empty list means every address: only the configured.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.Proxies())
            {
                o.KnownProxies.Add(address);
            }

            foreach (var network in proxy.Value.Networks())
            {
                o.KnownIPNetworks.Add(network);
            }

            // Right to left through the chain for as long as each hop is a configured proxy (a CDN in front of a load
            // balancer); the first address that is not one is the client, whatever it wrote to the left of it.
            o.ForwardLimit = null;
        });
        // Cookies are Secure whenever the client came over HTTPS, directly or through a configured proxy: Identity's
        // cookie is by default, the antiforgery cookie only with this.
        builder.Services.Configure<AntiforgeryOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return builder;
    }

    /// <summary>First in the pipeline, so HSTS, cookies, rate limits and logs see the client; nothing without proxies.</summary>
    public static WebApplication UseMarketProxyHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.IsConfigured)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
