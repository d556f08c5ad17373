using System.Globalization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Hosting;

public static partial class MarketStartup
{
    /// <summary>
    /// Runs once before the app serves: data folder, migrations, signing key and genesis block, roles, and in demo
    /// mode the demo community. With <c>Demo:Simulate</c>, the agent households are created, the first start on an
    /// empty ledger simulates the last <c>Demo:BackfillDays</c> (the genesis is then sealed at the start of that
    /// period), and the agents' recurring job is registered. Every step is idempotent, so a restart reuses the data
    /// and duplicates nothing.
    /// </summary>
    public static async Task PrepareMarketAsync(this WebApplication app)
    {
        // Every setting is checked before the database is touched, not only when the host starts serving.
        app.Services.GetService<IStartupValidator>()?.Validate();
        // Hangfire's log provider is process-wide and set when an app's Hangfire configuration is first resolved:
        // resolve it before the first job call below, so it logs to this app and not to one already disposed.
        _ = app.Services.GetRequiredService<IGlobalConfiguration>();
        await app.Services.MigrateMarketDatabaseAsync();
        var demo = app.Services.GetRequiredService<IOptions<DemoOptions>>().Value;
        var community = app.Services.GetRequiredService<DemoCommunity>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MarketStartup).FullName!);
        var simulate = demo.Enabled && demo.Simulate;
        if (simulate && !community.IsAvailable)
        {
            LogProfilesMissing(logger, community.HouseholdsDirectory);
            simulate = false;
        }

        // Before the ordinary genesis check: on an empty ledger the backfill seals the genesis in the past.
        var backfill = simulate ? await app.Services.GetRequiredService<DemoBackfill>().BeginAsync() : null;
        await app.Services.GetRequiredService<LedgerWriter>().EnsureGenesisAsync();
        // The genesis' checkpoint, or one for blocks a crash left unsigned: readers only ever read signed checkpoints.
        await app.Services.GetRequiredService<CheckpointSigner>().SignAsync();
        if (backfill is null)
        {
            // A backfill seals the past first; the policy follows it (sealing times never go back).
            await app.Services.GetRequiredService<WitnessPolicySealer>().EnsureSealedAsync();
        }

        if (!simulate)
        {
            // With shared job storage (PostgreSQL) a job registered by an earlier run with the simulation on would stay.
            app.UnscheduleDemoAgents();
        }

        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<StartupAccounts>();
        await accounts.EnsureRolesAsync();
        await accounts.RefuseDemoPasswordsAsync(demo);
        await accounts.EnsureConfiguredOperatorAsync();
        var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
        if (!demo.Enabled)
        {
            return;
        }

        await seeder.SeedCommunityAsync(demo.Password);
        var folder = app.Services.GetRequiredService<DataFolder>();
        Console.WriteLine(Environment.NewLine + "Demo mode. Data folder: " + folder.Path);
        if (simulate)
        {
            await StartAgentsAsync(app, seeder, community, backfill);
        }

        var lines = new List<string> { "Demo logins (password: " + demo.Password + "):" };
        lines.AddRange(DemoSeeder.Community.Select(c => $"  {c.Login.Email,-24} {c.Login.Role,-15} {c.Login.Description}"));
        if (simulate)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  plus {community.Agents.Count - 1} agent households (agent-NN@demo.energy, no sign-in) trading from real load and PV profiles"));
        }

        lines.Add("");
        Console.WriteLine(string.Join(Environment.NewLine, lines));
    }

    private static async Task StartAgentsAsync(WebApplication app, DemoSeeder seeder, DemoCommunity community, PendingBackfill? backfill)
    {
        await seeder.SeedAgentsAsync(community.Agents);
        if (backfill is not null)
        {
            await backfill.RunAsync();
            await app.Services.GetRequiredService<WitnessPolicySealer>().EnsureSealedAsync();
        }

        // The network, when the backfill did not import it (none on this start, or a ledger that began without it),
        // and the network operator's envelopes for the day ahead, before the agents' orders: a grid-zonal interval
        // cannot clear without a network.
        if (app.Services.GetRequiredService<IOptions<DemoOptions>>().Value.SimulatesGrid)
        {
            var grid = app.Services.GetRequiredService<GridStore>();
            var network = app.Services.GetRequiredService<DemoNetwork>();
            await network.EnsureImportedAsync(grid);
            await network.EnsureConnectedAsync(grid);
            await app.Services.GetRequiredService<DemoNetworkOperator>().SendAsync(grid, app.Services.GetRequiredService<MarketClock>());
        }

        // Ben's autopilot (saved by the backfill; here when there was none), then orders for the intervals just
        // ahead at once, then every minute from the recurring jobs.
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContextAsync())
        {
            await DemoAutopilot.EnsureBensAsync(app.Services.GetRequiredService<AutopilotService>(), await community.BenAsync(db, CancellationToken.None), app.Services.GetRequiredService<DemoDeviceKeys>());
        }

        var agents = app.Services.GetRequiredService<DemoAgents>();
        await agents.PostAsync(app.Services.GetRequiredService<OrderService>(), app.Services.GetRequiredService<MarketClock>());
        await app.Services.GetRequiredService<AutopilotEngine>().RunAsync();
        app.ScheduleDemoAgents();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo:Simulate is on but the household profiles are missing from {Directory}; the demo community will not trade")]
    private static partial void LogProfilesMissing(ILogger logger, string directory);
}
