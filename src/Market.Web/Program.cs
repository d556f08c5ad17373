var builder = WebApplication.CreateBuilder(HostingExtensions.StartOptions(args));
builder.AddMarket();

var app = builder.Build();
await app.PrepareMarketAsync();
app.UseMarket();
await app.RunAsync();

/// <summary>Entry point; public so integration tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
