namespace Market.Web.Community;

public static class CommunityExtensions
{
    /// <summary>The community's settings (<c>Community</c>), its rules as sealed in the ledger, and the market's clock.</summary>
    public static WebApplicationBuilder AddMarketCommunity(this WebApplicationBuilder builder)
    {
        builder.AddSettings<CommunityOptions>(CommunityOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RulesBook>();
        builder.Services.AddSingleton<MarketClock>();
        return builder;
    }
}
