namespace Market.Web.Dashboard;

public static class DashboardExtensions
{
    /// <summary>The managers' figures.</summary>
    public static WebApplicationBuilder AddMarketDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DashboardService>();
        builder.Services.AddSingleton<TrendsService>();
        builder.Services.AddSingleton<CongestionService>();
        return builder;
    }
}
