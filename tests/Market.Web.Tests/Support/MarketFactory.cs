using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Market.Web.Tests.Support;

/// <summary>
/// Hosts the whole app on a fresh temporary data folder (SQLite file or a fresh PostgreSQL database, signing key)
/// with a fake clock, the demo community seeded, and the Hangfire server off so tests run the clearing job
/// themselves. The engine is <see cref="TestDatabase.Provider"/> unless <c>database</c> says otherwise; a second
/// factory on the same data folder is a second node on the same database.
/// </summary>
public sealed class MarketFactory : WebApplicationFactory<Program>
{
    /// <summary>A Monday morning in summer, two minutes into an interval.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 6, 15, 10, 2, 0, TimeSpan.Zero);

    public MarketFactory(string? dataDirectory = null, DateTimeOffset? start = null, MarketDatabase? database = null)
    {
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "market-test-" + Guid.NewGuid().ToString("N"));
        Clock = new FakeTimeProvider(start ?? DefaultStart);
        Database = database ?? TestDatabase.Provider;
        if (Database == MarketDatabase.PostgreSql)
        {
            Settings["Market:Database"] = nameof(MarketDatabase.PostgreSql);
            Settings["Market:ConnectionString"] = TestDatabase.PostgresFor(DataDirectory);
        }
    }

    /// <summary>The engine this app runs on.</summary>
    public MarketDatabase Database { get; }

    private readonly bool _ownsDataDirectory;

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; }

    public Dictionary<string, string?> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Outside Development the framework does not map package assets (MudBlazor's CSS/JS) from the build output.
        builder.UseStaticWebAssets();
        builder.UseSetting("Market:DataDirectory", DataDirectory);
        builder.UseSetting("Market:RunJobs", "false");
        builder.UseSetting("Demo:Enabled", "true");
        // The demo community's agents and backfill are tested on their own; other tests start from an empty market.
        builder.UseSetting("Demo:Simulate", "false");
        // Tests sign in many times from one loopback address; the sign-in limit has its own test.
        builder.UseSetting("RateLimits:SignInPerMinute", "100000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public MarketDbContext CreateDb() => Get<IDbContextFactory<MarketDbContext>>().CreateDbContext();

    public async Task<Household> HouseholdAsync(string email)
    {
        await using var db = CreateDb();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        return await db.Households.SingleAsync(h => h.UserId == user.Id);
    }

    /// <summary>Creates a meter gateway's account (role MeterGateway) named <paramref name="email"/>, with no meter assigned.</summary>
    public async Task CreateGatewayAsync(string email)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<MarketUser>>();
        var gateway = new MarketUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email };
        if (!(await users.CreateAsync(gateway)).Succeeded || !(await users.AddToRoleAsync(gateway, Market.Web.Accounts.Roles.MeterGateway)).Succeeded)
        {
            throw new InvalidOperationException($"The gateway {email} could not be created.");
        }
    }

    /// <summary>
    /// The demo's crossing pair for <paramref name="intervalStart"/>: Anna offers 1,000 Wh at
    /// <paramref name="sellPrice"/>, Ben bids for 1,000 Wh at 25 ct; both must be accepted.
    /// </summary>
    public async Task AnnaSellsToBenAsync(long intervalStart, long sellPrice = 1500)
    {
        var orders = Get<OrderService>();
        var anna = await HouseholdAsync("anna@demo.energy");
        var ben = await HouseholdAsync("ben@demo.energy");
        var sell = await orders.PlaceAsync(anna.Id, new PlaceOrder(OrderSide.Sell, 1000, sellPrice, intervalStart));
        var buy = await orders.PlaceAsync(ben.Id, new PlaceOrder(OrderSide.Buy, 1000, 2500, intervalStart));
        if (!sell.Succeeded || !buy.Succeeded)
        {
            throw new InvalidOperationException($"The pair was refused: {sell.Error ?? buy.Error}");
        }
    }

    /// <summary>Moves the clock past the gate of <paramref name="intervalStart"/> and runs the clearing job.</summary>
    public async Task<int> CloseGateAndClearAsync(long intervalStart)
    {
        var gate = DateTimeOffset.FromUnixTimeSeconds(Get<MarketClock>().GateClosure(intervalStart));
        if (Clock.GetUtcNow() <= gate)
        {
            Clock.SetUtcNow(gate.AddSeconds(1));
        }

        return await Get<ClearingJob>().RunAsync(CancellationToken.None);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!_ownsDataDirectory)
        {
            return;
        }

        // The database goes with the folder that owns it; a failure to drop it fails the test (the server is broken).
        TestDatabase.DropFor(DataDirectory);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test over cleanup.
        }
    }
}
