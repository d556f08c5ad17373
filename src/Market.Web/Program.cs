using Market.Web.Accounts;
using Market.Web.Api;
using Market.Web.Clearing;
using Market.Web.Components;
using Market.Web.Dashboard;
using Market.Web.Demo;
using Market.Web.LedgerStore;
using Market.Web.Metering;
using Market.Web.Observability;
using Market.Web.Persistence;
using Market.Web.Testing;
using Market.Web.Trading;
using Market.Web.Utility;

var builder = WebApplication.CreateBuilder(args);

builder.AddMarketPersistence();
builder.AddSqliteDurability();
builder.AddMarketAccounts();
builder.AddMarketTrading();
builder.AddMarketLedger();
builder.AddMarketJobs();
builder.AddMarketApi();
builder.AddMarketMetering();
builder.AddMarketDemo();
builder.AddMarketUi();
builder.AddMarketObservability();
builder.AddMarketTesting();

var app = builder.Build();

await app.PrepareMarketAsync();

app.UseMarketPipeline();
app.MapMarketAccounts();
app.MapMarketApi();
app.MapMeterReadingApi();
app.MapDashboard();
app.MapUtilityView();
app.MapDemoEndpoints();
app.MapMarketJobs();
app.MapMarketMetrics();
// The app sends its own Content-Security-Policy (frame-ancestors 'none' included); no second one from Blazor.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

await app.RunAsync();

/// <summary>Entry point; public so integration tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
