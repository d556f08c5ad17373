using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Market.Web.Observability;

/// <summary>
/// Metrics through OpenTelemetry: the market's meter, ASP.NET Core and the .NET runtime. Exported by OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>Observability:OtlpEndpoint</c>) is set, and scraped in Prometheus text
/// format at <c>/metrics</c> with an operator's API token (Bearer), as a scraper sends it.
/// </summary>
public static class ObservabilityExtensions
{
    public static WebApplicationBuilder AddMarketObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MarketMetrics>();
        builder.AddSettings<ObservabilityOptions>(ObservabilityOptions.Section);
        var settings = builder.Configuration.ReadSettings<ObservabilityOptions>(ObservabilityOptions.Section);
        settings.OtlpEndpoint ??= builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var otlp = new ObservabilityOptions { OtlpEndpoint = settings.OtlpEndpoint };
        if (otlp.Validate(new(otlp)).FirstOrDefault() is { } wrong)
        {
            throw new OptionsValidationException(ObservabilityOptions.Section, typeof(ObservabilityOptions), [$"OTEL_EXPORTER_OTLP_ENDPOINT: {wrong.ErrorMessage}"]);
        }

        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(MarketMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter();
            if (otlp.Endpoint is { } endpoint)
            {
                metrics.AddOtlpExporter(o => o.Endpoint = endpoint);
            }
        });
        return builder;
    }
}
