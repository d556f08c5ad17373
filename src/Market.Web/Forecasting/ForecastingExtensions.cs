namespace Market.Web.Forecasting;

/// <summary>The households' own forecasts of surplus and need (docs/forecast.md).</summary>
public static class ForecastingExtensions
{
    public static WebApplicationBuilder AddMarketForecasting(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ForecastService>();
        return builder;
    }
}
