namespace Market.Web.Metering;

/// <summary>Meter readings: import (API and operator page) and reconciliation.</summary>
public static class MeteringExtensions
{
    /// <summary>Largest upload, CSV or JSON: about 300,000 readings of CSV.</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    public static WebApplicationBuilder AddMarketMetering(this WebApplicationBuilder builder)
    {
        builder.AddSettings<MeteringOptions>(MeteringOptions.Section);
        builder.Services.AddSingleton<ReadingImportService>();
        builder.Services.AddSingleton<CorrectionReview>();
        builder.Services.AddSingleton<GatewayMeters>();
        builder.Services.AddSingleton<ReconciliationService>();
        builder.Services.AddSingleton<SettlementQueries>();
        builder.Services.AddSingleton<StatementService>();
        builder.Services.AddSingleton<OpeningQueries>();
        return builder;
    }
}
