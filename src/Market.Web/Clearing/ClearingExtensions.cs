namespace Market.Web.Clearing;

public static class ClearingExtensions
{
    /// <summary>The clearing service and the notifier open pages hear it through.</summary>
    public static WebApplicationBuilder AddMarketClearing(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MarketEvents>();
        builder.Services.AddSingleton<ClearingService>();
        return builder;
    }
}
