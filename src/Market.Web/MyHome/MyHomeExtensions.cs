namespace Market.Web.MyHome;

/// <summary>My Home and the "sell my surplus / cover my need" flow (docs/adr/0023-my-home-forecast-and-suggested-price.md).</summary>
public static class MyHomeExtensions
{
    public static WebApplicationBuilder AddMarketMyHome(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HomeService>();
        return builder;
    }
}
