namespace Market.Web.Witnessing;

public static class WitnessingExtensions
{
    public static WebApplicationBuilder AddMarketWitnessing(this WebApplicationBuilder builder)
    {
        builder.AddSettings<WitnessingOptions>(WitnessingOptions.Section);
        builder.Services.AddSingleton<DemoWitnesses>();
        builder.Services.AddSingleton<WitnessPolicySealer>();
        builder.Services.AddSingleton<WitnessingStatus>();
        builder.Services.AddHttpClient(WitnessCollector.HttpClientName);
        builder.Services.AddSingleton<WitnessCollector>();
        builder.Services.AddHostedService(s => s.GetRequiredService<WitnessCollector>());
        builder.Services.AddHostedService<DemoWitnessHost>();
        return builder;
    }
}
