using Market.Web.Components;
using Market.Web.Documents;
using Microsoft.Extensions.Options;

namespace Market.Web.Hosting;

/// <summary>The composition of the app: every feature's services, the request pipeline and the endpoints.</summary>
public static class HostingExtensions
{
    /// <summary>
    /// How the app starts. The content root (static files, appsettings, the default data folder) is where the app's
    /// own settings are: the working directory when started there (<c>dotnet run</c>, a service with its working
    /// directory set), otherwise the folder of the app's binaries, so <c>dotnet /srv/market/Market.Web.dll</c> works
    /// from any folder. A content root given on the command line or in the environment wins.
    /// </summary>
    public static WebApplicationOptions StartOptions(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var given = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        var here = File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"));
        return new WebApplicationOptions { Args = args, ContentRootPath = given || here ? null : AppContext.BaseDirectory };
    }

    /// <summary>Registers every feature, each from the extension method beside its code.</summary>
    public static WebApplicationBuilder AddMarket(this WebApplicationBuilder builder)
    {
        builder.AddMarketProxyHeaders();
        builder.AddMarketPersistence();
        builder.AddSqliteDurability();
        builder.AddMarketCommunity();
        builder.AddMarketAccounts();
        builder.AddMarketLedger();
        builder.AddMarketWitnessing();
        builder.AddMarketTrading();
        builder.AddMarketClearing();
        builder.AddMarketMetering();
        builder.Services.AddSingleton<GridStore>();
        builder.Services.AddSingleton<AppliedLimitsQuery>();
        builder.Services.AddSingleton<ResidualExport>();
        builder.AddMarketNotifications();
        builder.AddMarketForecasting();
        builder.AddMarketAutopilot();
        builder.AddMarketMyHome();
        builder.AddMarketDashboard();
        builder.AddMarketJobs();
        builder.AddMarketApi();
        builder.AddMarketDemo();
        builder.AddMarketUi();
        builder.AddMarketObservability();
        builder.AddMarketTesting();
        builder.AddSettings<OperatorOptions>(OperatorOptions.Section);
        // Links the app mails may use its own listening address only where nobody relies on them reaching anyone:
        // in Production outside demo mode, Market:PublicBaseUrl is required.
        var production = builder.Environment.IsProduction();
        builder.Services.AddOptions<PublicLinkOptions>().PostConfigure<IOptions<DemoOptions>>((links, demo) =>
            links.MayUseServerAddress = !production || demo.Value.Enabled);
        builder.Services.AddSingleton<IValidateOptions<OperatorOptions>, OperatorPasswordValidator>();
        builder.Services.AddScoped<StartupAccounts>();
        return builder;
    }

    /// <summary>The request pipeline, then every endpoint and the pages.</summary>
    public static WebApplication UseMarket(this WebApplication app)
    {
        app.UseMarketProxyHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UseSecurityHeaders();
        app.UseMarketCulture();
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseStorageFaultResponses();
        // Inside the pages' not-found page: the API answers every error with problem details.
        app.UseApiStatusProblems();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapStaticAssets();

        app.MapMarketAccounts();
        app.MapStatements();
        app.MapDocuments();
        app.MapMarketApi();
        app.MapWitnessing();
        app.MapMarketNotifications();
        app.MapMeterReadingApi();
        app.MapGridApi();
        app.MapGridAppliedApi();
        app.MapResidualApi();
        app.MapOpeningsApi();
        app.MapDashboard();
        app.MapUtilityView();
        app.MapDemoEndpoints();
        app.MapMarketJobs();
        // The app sends its own Content-Security-Policy (frame-ancestors 'none' included); no second one from Blazor.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
