using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
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
        _ownFolder = dataDirectory is null ? new TestFolder() : null;
        DataDirectory = dataDirectory ?? _ownFolder!.Path;
        Clock = new FakeTimeProvider(start ?? DefaultStart);
        Database = database ?? TestDatabase.Provider;
        if (Database == MarketDatabase.Sqlite && _ownFolder is not null)
        {
            TestDatabase.SeedSqlite(DataDirectory);
        }

        if (Database == MarketDatabase.PostgreSql)
        {
            Settings["Market:Database"] = nameof(MarketDatabase.PostgreSql);
            try
            {
                Settings["Market:ConnectionString"] = TestDatabase.PostgresFor(DataDirectory);
            }
            catch
            {
                _ownFolder?.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }
    }

    /// <summary>The engine this app runs on.</summary>
    public MarketDatabase Database { get; }

    /// <summary>The data folder (and its database) when this app made it; removed with the app.</summary>
    private readonly TestFolder? _ownFolder;

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; }

    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>Services a test adds to the app's own (before the app starts).</summary>
    public List<Action<IServiceCollection>> TestServices { get; } = [];
    /// <summary>The host environment; <c>Testing</c> unless a test needs Production's or Development's defaults.</summary>
    public string EnvironmentName { get; set; } = "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        // Outside Development the framework does not map package assets (MudBlazor's CSS/JS) from the build output.
        builder.UseStaticWebAssets();
        builder.UseSetting("Market:DataDirectory", DataDirectory);
        builder.UseSetting("Market:RunJobs", "false");
        // Demo mode is asked for explicitly (it is off by default outside Development); a test may leave it unset.
        if (!Settings.ContainsKey("Demo:Enabled"))
        {
            builder.UseSetting("Demo:Enabled", "true");
        }

        // The demo community's agents and backfill are tested on their own; other tests start from an empty market.
        builder.UseSetting("Demo:Simulate", "false");
        // So are the demo's own witnesses; other tests start witnesses of their own where they need them.
        if (!Settings.ContainsKey("Witnessing:DemoWitnesses"))
        {
            builder.UseSetting("Witnessing:DemoWitnesses", "0");
        }

        // Tests sign in many times from one loopback address; the sign-in limit has its own test.
        builder.UseSetting("RateLimits:SignInPerMinute", "100000");
        // A setting given as null stays unset, as in a deployment that does not configure it.
        foreach (var (key, value) in Settings.Where(s => s.Value is not null))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            foreach (var add in TestServices)
            {
                add(services);
            }
            // Every start hashes the demo's four passwords and every sign-in verifies one: at Identity's work factor
            // (100,000 PBKDF2-SHA512 rounds, 0.1 to 0.2 s of a core each on the 2-core test machine) that is most of a
            // second per app, hundreds of apps per run. The strength of the hash is not what these tests check; its
            // format and its verification are unchanged, and the app outside these tests keeps Identity's default.
            services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
        });
    }

    /// <summary>
    /// A client whose connections come from <paramref name="remoteAddress"/> (the test server gives requests no
    /// address of their own), to the host market.example (HSTS leaves localhost out).
    /// </summary>
    public HttpClient CreateClientFrom(string remoteAddress) =>
        new(Server.CreateHandler(c => c.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(remoteAddress))) { BaseAddress = new Uri("http://market.example/") };

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
    public Task CreateGatewayAsync(string email) => CreateAccountAsync(email, Market.Web.Accounts.Roles.MeterGateway);

    /// <summary>Creates a network operator's account (role NetworkOperator) named <paramref name="email"/>.</summary>
    public Task CreateNetworkOperatorAsync(string email) => CreateAccountAsync(email, Market.Web.Accounts.Roles.NetworkOperator);

    /// <summary>Creates a prosumer household (a user without a password) with its own pseudonym and meter.</summary>
    public async Task<Household> CreateHouseholdAsync(string email, long pvPeakW = 10_000, long maxImportW = 12_000)
    {
        await CreateAccountAsync(email, Market.Web.Accounts.Roles.Prosumer);
        await using var db = CreateDb();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var pseudonym = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var household = new Household
        {
            UserId = user.Id, Name = email, Pseudonym = pseudonym, PvPeakW = pvPeakW, MaxImportW = maxImportW, MeterId = Household.DefaultMeterId(pseudonym),
        };
        db.Households.Add(household);
        await db.SaveChangesAsync();
        return household;
    }

    private async Task CreateAccountAsync(string email, string role)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<MarketUser>>();
        var account = new MarketUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email };
        if (!(await users.CreateAsync(account)).Succeeded || !(await users.AddToRoleAsync(account, role)).Succeeded)
        {
            throw new InvalidOperationException($"The {role} account {email} could not be created.");
        }
    }

    /// <summary>
    /// The demo's crossing pair for <paramref name="intervalStart"/>: Anna offers <paramref name="sellWh"/> at
    /// <paramref name="sellPrice"/>, Ben bids for <paramref name="buyWh"/> at <paramref name="buyPrice"/> (prices in
    /// 1/10,000 per kWh; by default 1,000 Wh each, 15 ct against 25 ct); both must be accepted.
    /// </summary>
    public async Task AnnaSellsToBenAsync(long intervalStart, long sellPrice = 1500, long sellWh = 1000, long buyPrice = 2500, long buyWh = 1000)
    {
        var anna = await HouseholdAsync("anna@demo.energy");
        var ben = await HouseholdAsync("ben@demo.energy");
        var sell = await this.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, sellWh, sellPrice, intervalStart));
        var buy = await this.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, buyWh, buyPrice, intervalStart));
        if (!sell.Succeeded || !buy.Succeeded)
        {
            throw new InvalidOperationException($"The pair was refused: {sell.Error ?? buy.Error}");
        }
    }

    /// <summary>
    /// The crossing pair (<see cref="AnnaSellsToBenAsync"/>, Anna offering at <paramref name="sellPrice"/>) in the
    /// first open interval, then cleared; returns that interval.
    /// </summary>
    public async Task<long> TradeAndClearAsync(long sellPrice = 1500)
    {
        var interval = Get<MarketClock>().FirstOpenInterval();
        await AnnaSellsToBenAsync(interval, sellPrice);
        await CloseGateAndClearAsync(interval);
        return interval;
    }

    /// <summary>
    /// Moves the clock a minute past the end of the interval <paramref name="intervalsAfter"/> intervals after
    /// <paramref name="intervalStart"/>, and runs the clearing job: the intervals whose gates closed meanwhile are
    /// cleared (empty), so meter readings can name them.
    /// </summary>
    public async Task DeliverAsync(long intervalStart, int intervalsAfter)
    {
        var clock = Get<MarketClock>();
        var end = clock.Next(intervalStart);
        Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(end + (intervalsAfter * (end - intervalStart)) + 60));
        await Get<ClearingJob>().RunAsync(CancellationToken.None);
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
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (_ownFolder is not null)
            {
                await _ownFolder.DisposeAsync();
            }
        }
    }
}
