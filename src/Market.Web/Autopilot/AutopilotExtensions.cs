namespace Market.Web.Autopilot;

/// <summary>The household autopilot (docs/adr/0024-autopilot.md).</summary>
public static class AutopilotExtensions
{
    public static WebApplicationBuilder AddMarketAutopilot(this WebApplicationBuilder builder)
    {
        builder.AddSettings<AutopilotOptions>(AutopilotOptions.Section);
        builder.Services.AddSingleton<AutopilotService>();
        builder.Services.AddSingleton<AutopilotEngine>();
        return builder;
    }
}
