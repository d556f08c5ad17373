using Microsoft.Extensions.Options;

namespace Market.Web.Demo;

public static class DemoExtensions
{
    /// <summary>
    /// The demo community's settings (<c>Demo</c>) and services; what runs is decided at start. Demo mode is on only
    /// where it is asked for: <c>Demo:Enabled</c> given on purpose, or, when it is not given, the Development
    /// environment, which <c>dotnet run</c> starts in (launchSettings.json). A published build started with the
    /// default configuration is never a demo.
    /// </summary>
    public static WebApplicationBuilder AddMarketDemo(this WebApplicationBuilder builder)
    {
        builder.AddSettings<DemoOptions>(DemoOptions.Section)
            .PostConfigure<IConfiguration, IHostEnvironment>((o, configuration, environment) =>
            {
                if (configuration.GetSection(DemoOptions.Section)[nameof(DemoOptions.Enabled)] is null)
                {
                    o.Enabled = environment.IsDevelopment();
                }
            });
        // The simulated community clears under its network's limits unless the community's mechanism is configured:
        // a deployment's own Community settings always win, and tests that do not simulate keep the uniform price.
        builder.Services.AddOptions<CommunityOptions>()
            .PostConfigure<IOptions<DemoOptions>, IConfiguration, IHostEnvironment>((c, demo, configuration, environment) =>
            {
                var households = Path.Combine(demo.Value.ResolveDataDirectory(environment.ContentRootPath), "households");
                if (demo.Value.SimulatesGrid && configuration.GetSection(CommunityOptions.Section)[nameof(CommunityOptions.Mechanism)] is null && DemoProfiles.Exist(households))
                {
                    c.Mechanism = "grid-zonal";
                    (c.SameFeederFee, c.SameTransformerFee, c.AcrossTransformersFee) = (DemoNetwork.Fees.SameFeeder, DemoNetwork.Fees.SameTransformer, DemoNetwork.Fees.AcrossTransformers);
                }
            });
        builder.Services.AddScoped<DemoSeeder>();
        builder.Services.AddSingleton<DemoCommunity>();
        builder.Services.AddSingleton<DemoAgents>();
        builder.Services.AddSingleton<DemoDeviceKeys>();
        builder.Services.AddSingleton<DemoMeters>();
        builder.Services.AddSingleton<DemoBackfill>();
        builder.Services.AddSingleton<DemoNetwork>();
        builder.Services.AddSingleton<DemoNetworkOperator>();
        return builder;
    }
}
