using Market.Web.LedgerStore;
using Market.Web.Persistence;
using Microsoft.Extensions.Options;

namespace Market.Web.Demo;

public static class StartupExtensions
{
    public static WebApplicationBuilder AddMarketDemo(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().Bind(builder.Configuration.GetSection(DemoOptions.Section));
        builder.Services.AddScoped<DemoSeeder>();
        return builder;
    }

    /// <summary>
    /// Runs once before the app serves: data folder, migrations, signing key and genesis block, roles, and in demo
    /// mode the demo community. Every step is idempotent, so a restart reuses the data and duplicates nothing.
    /// </summary>
    public static async Task PrepareMarketAsync(this WebApplication app)
    {
        await app.Services.MigrateMarketDatabaseAsync();
        await app.Services.GetRequiredService<LedgerWriter>().EnsureGenesisAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
        await seeder.EnsureRolesAsync();
        await seeder.EnsureConfiguredOperatorAsync(app.Configuration);
        var demo = app.Services.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (!demo.Enabled)
        {
            return;
        }

        await seeder.SeedCommunityAsync(demo.Password);
        var folder = app.Services.GetRequiredService<DataFolder>();
        var lines = new List<string> { "", "Demo mode. Data folder: " + folder.Path, "Demo logins (password: " + demo.Password + "):" };
        lines.AddRange(DemoSeeder.Community.Select(c => $"  {c.Login.Email,-24} {c.Login.Role,-9} {c.Login.Description}"));
        lines.Add("");
        Console.WriteLine(string.Join(Environment.NewLine, lines));
    }
}
