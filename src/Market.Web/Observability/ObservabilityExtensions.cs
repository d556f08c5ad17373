using Market.Web.Accounts;
using Market.Web.Api;
using OpenTelemetry.Metrics;

namespace Market.Web.Observability;

/// <summary>
/// Metrics through OpenTelemetry: the market's meter, ASP.NET Core and the .NET runtime. Exported by OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>Observability:OtlpEndpoint</c>) is set, and scraped in Prometheus text
/// format at <c>/metrics</c> with an operator's API token (Bearer), as a scraper sends it.
/// </summary>
public static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddMarketObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MarketMetrics>();
        var otlp = builder.Configuration["Observability:OtlpEndpoint"] ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(MarketMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter();
            if (otlp is { Length: > 0 })
            {
                metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
            }
        });
        return builder;
    }

    /// <summary>Maps the Prometheus scrape endpoint for operators.</summary>
    public static WebApplication MapMarketMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Roles.Operator));
        return app;
    }
}
