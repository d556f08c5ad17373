namespace Market.Web.Trading;

public static class TradingExtensions
{
    public static WebApplicationBuilder AddMarketTrading(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OrderService>();
        builder.Services.AddSingleton<HouseholdKeyRing>();
        builder.Services.AddSingleton<HouseholdStatements>();
        builder.Services.AddSingleton<ReceiptIssuer>();
        builder.Services.AddSingleton<OrderIntake>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderIntake>());
        builder.Services.AddSingleton<MarketQueries>();
        builder.Services.AddSingleton<StandingOrderService>();
        builder.Services.AddSingleton<RulesService>();
        builder.Services.AddSingleton<RulesPreview>();
        return builder;
    }
}
