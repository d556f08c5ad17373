using Bunit;
using Market.Web.Autopilot;
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
        using var db = Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        db.Database.EnsureCreated();
        Household = new Household { UserId = "u1", Name = "Test home", Pseudonym = new byte[16], PvPeakW = 6000, MaxImportW = 10000 };
        db.Households.Add(Household);
        db.SaveChanges();
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
        }
    }
}
