using Market.Web.Components;

namespace Market.Web.Hosting;

/// <summary>The composition of the app: every feature's services, the request pipeline and the endpoints.</summary>
public static class HostingExtensions
{
    /// <summary>Registers every feature, each from the extension method beside its code.</summary>
    public static WebApplicationBuilder AddMarket(this WebApplicationBuilder builder)
    {
        builder.AddMarketPersistence();
        builder.AddSqliteDurability();
        builder.AddMarketCommunity();
        builder.AddMarketAccounts();
        builder.AddMarketLedger();
        builder.AddMarketTrading();
        builder.AddMarketClearing();
        builder.AddMarketMetering();
        builder.AddMarketDashboard();
        builder.AddMarketJobs();
        builder.AddMarketApi();
        builder.AddMarketDemo();
        builder.AddMarketUi();
        builder.AddMarketObservability();
        builder.AddMarketTesting();
        builder.AddSettings<OperatorOptions>(OperatorOptions.Section);
        builder.Services.AddScoped<StartupAccounts>();
        return builder;
    }

    /// <summary>The request pipeline, then every endpoint and the pages.</summary>
    public static WebApplication UseMarket(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UseSecurityHeaders();
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapStaticAssets();

        app.MapMarketAccounts();
        app.MapStatements();
        app.MapMarketApi();
        app.MapMeterReadingApi();
        app.MapDashboard();
        app.MapUtilityView();
        app.MapDemoEndpoints();
        app.MapMarketJobs();
        // The app sends its own Content-Security-Policy (frame-ancestors 'none' included); no second one from Blazor.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
