using Bunit;
using Market.Web.Autopilot;
using Market.Web.Components;
using Market.Web.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace Market.Web.Tests.Components;

/// <summary>bUnit with MudBlazor, the market's services over a temporary SQLite file, and a fake clock.</summary>
public sealed class ComponentTestContext : IAsyncDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"market-bunit-{Guid.NewGuid():N}.db");

    public ComponentTestContext()
    {
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
        Context.Services.AddSingleton<TimeProvider>(Clock);
        Context.Services.AddSingleton(Options.Create(new CommunityOptions()));
        Context.Services.AddDbContextFactory<MarketDbContext>(o => o.UseSqlite($"Data Source={_file}"));
        Context.Services.AddSingleton<RulesBook>();
        Context.Services.AddSingleton<MarketClock>();
        Context.Services.AddSingleton<OrderService>();
        Context.Services.AddSingleton<StandingOrderService>();
        Context.Services.AddSingleton<MarketQueries>();
        Context.Services.AddSingleton<AutopilotService>();
        // The ledger and the household's device, as the pages sign with them: a genesis block, a signing key in a
        // temporary folder, and a simulated device whose key is the household's first.
        Directory.CreateDirectory(_folder);
        Context.Services.AddLogging();
        Context.Services.AddSingleton(Options.Create(new MarketOptions { DataDirectory = _folder }));
        Context.Services.AddSingleton<Microsoft.AspNetCore.Hosting.IWebHostEnvironment>(new TestEnvironment(_folder));
        Context.Services.AddSingleton<DataFolder>();
        Context.Services.AddSingleton<SigningKeyStore>();
        Context.Services.AddSingleton<LedgerWriter>();
        Context.Services.AddSingleton<LedgerIdentity>();
        Context.Services.AddSingleton<HouseholdKeyRing>();
        Context.Services.AddSingleton<HouseholdStatements>();
        Context.Services.AddSingleton<ReceiptIssuer>();
        Context.Services.AddSingleton<IDeviceKeyStore>(Device);
        Context.Services.AddScoped<DeviceSigner>();
        using var db = Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        db.Database.EnsureCreated();
        Household = new Household { UserId = "u1", Name = "Test home", Pseudonym = Enumerable.Repeat((byte)0x11, 16).ToArray(), PvPeakW = 6000, MaxImportW = 10000 };
        db.Households.Add(Household);
        db.SaveChanges();
        Context.Services.GetRequiredService<LedgerWriter>().EnsureGenesisAsync().GetAwaiter().GetResult();
        EnrolDevice();
    }

    /// <summary>The household's simulated device; <see cref="SimulatedDeviceKeyStore.Refuse"/> makes it refuse to sign.</summary>
    public SimulatedDeviceKeyStore Device { get; } = new();

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"market-bunit-{Guid.NewGuid():N}");

    private void EnrolDevice()
    {
        var signer = Context.Services.GetRequiredService<DeviceSigner>();
        var device = signer.CreateDeviceKeyAsync(Household).GetAwaiter().GetResult();
        var key = Market.Ledger.HouseholdKey.Create(Market.Ledger.HouseholdKeyAlgorithm.P256, Convert.FromHexString(device.PublicKey));
        var result = Context.Services.GetRequiredService<HouseholdStatements>().SignAndSubmitAsync(Household.Id, signer.For(Household),
            [(Market.Ledger.StatementType.KeyEnrolment, Market.Ledger.Statement.KeyEnrolmentBody(Market.Ledger.HouseholdKeyRole.Device, key))]).GetAwaiter().GetResult();
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("the simulated device was not enrolled: " + result.Error);
        }
    }

    private sealed class TestEnvironment(string root) : Microsoft.AspNetCore.Hosting.IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider WebRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();

        public string ApplicationName { get; set; } = "Market.Web";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();

        public string ContentRootPath { get; set; } = root;

        public string EnvironmentName { get; set; } = "Testing";
    }

    public BunitContext Context { get; } = new();

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 6, 15, 10, 2, 0, TimeSpan.Zero));

    public Household Household { get; }

    public int OrderCount()
    {
        using var db = Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        return db.Orders.Count();
    }

    public int StandingOrderCount()
    {
        using var db = Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        return db.StandingOrders.Count();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Context.DisposeAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(_file);
            Device.Dispose();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
