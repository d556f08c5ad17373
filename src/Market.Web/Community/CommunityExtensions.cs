namespace Market.Web.Community;

public static class CommunityExtensions
{
    /// <summary>The community's settings (<c>Community</c>), its rules as sealed in the ledger, the market's clock and its culture.</summary>
    public static WebApplicationBuilder AddMarketCommunity(this WebApplicationBuilder builder)
    {
        builder.AddSettings<CommunityOptions>(CommunityOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RulesBook>();
        builder.Services.AddSingleton<MarketClock>();
        builder.AddMarketCulture();
        return builder;
    }
}
