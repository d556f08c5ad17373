namespace Market.Web.Demo;

public static class DemoExtensions
{
    /// <summary>The demo community's settings (<c>Demo</c>) and services; what runs is decided at start.</summary>
    public static WebApplicationBuilder AddMarketDemo(this WebApplicationBuilder builder)
    {
        builder.AddSettings<DemoOptions>(DemoOptions.Section);
        builder.Services.AddScoped<DemoSeeder>();
        builder.Services.AddSingleton<DemoCommunity>();
        builder.Services.AddSingleton<DemoAgents>();
        builder.Services.AddSingleton<DemoMeters>();
        builder.Services.AddSingleton<DemoBackfill>();
        return builder;
    }
}
