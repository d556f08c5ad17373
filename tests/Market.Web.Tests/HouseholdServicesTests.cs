using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests;

public sealed class HouseholdServicesTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task StandingOrder_Create_OrdersForMatchingHoursOnlyAndNoDuplicatesOnRerun()
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var standing = _app.Get<StandingOrderService>();

        var (created, error) = await standing.CreateAsync(anna, new CreateStandingOrder(OrderSide.Sell, 1000, 1200, StandingOrderService.AllDays, 13, 15), _app.SignerFor(anna));
        await standing.MaterializeAllAsync();
        await standing.MaterializeAllAsync();

        error.ShouldBeNull();
        await using var db = _app.CreateDb();
        var orders = await db.Orders.Where(o => o.StandingOrderId == created!.Id).ToListAsync();
        // 13:00–15:00 Berlin (UTC+2 in June) = 11:00–13:00 UTC: 8 quarter-hours, all within the next 24 h.
        orders.Count.ShouldBe(8);
        orders.Select(o => DateTimeOffset.FromUnixTimeSeconds(o.IntervalStart).UtcDateTime.Hour).Distinct().Order().ShouldBe([11, 12]);
    }

    [Fact]
    public async Task StandingOrder_Stop_CancelsItsOpenOrders()
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var standing = _app.Get<StandingOrderService>();
        var (created, _) = await standing.CreateAsync(anna, new CreateStandingOrder(OrderSide.Sell, 1000, 1200, StandingOrderService.AllDays, 0, 24), _app.SignerFor(anna));

        var stopped = await standing.StopAsync(anna.Id, created!.Id, _app.SignerFor(anna));

        stopped.ShouldBeTrue();
        await using var db = _app.CreateDb();
        (await db.Orders.CountAsync(o => o.StandingOrderId == created.Id && o.Status == OrderStatus.Open)).ShouldBe(0);
    }

    [Fact]
    public async Task StandingOrder_PriceOutsideBand_RejectedAndNothingStored()
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");

        var (created, error) = await _app.Get<StandingOrderService>().CreateAsync(anna, new CreateStandingOrder(OrderSide.Sell, 1000, 100, StandingOrderService.AllDays, 0, 24), _app.SignerFor(anna));

        created.ShouldBeNull();
        error!.ShouldContain("feed-in");
        await using var db = _app.CreateDb();
        (await db.StandingOrders.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Statement_AfterTrades_SavingsAgainstRetailAndFeedIn()
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var ben = await _app.HouseholdAsync("ben@demo.energy");
        var interval = _app.Get<MarketClock>().FirstOpenInterval();
        await _app.AnnaSellsToBenAsync(interval, sellWh: 2000, buyWh: 2000);
        await _app.CloseGateAndClearAsync(interval);

        var sold = await _app.Get<StatementService>().MonthAsync(anna, 2026, 6);
        var bought = await _app.Get<StatementService>().MonthAsync(ben, 2026, 6);

        // Uniform price: floor((1500 + 2500) / 2) = 2000; 2 kWh at 20 ct = 0.40.
        sold.SoldWh.ShouldBe(2000);
        sold.Received.ShouldBe(4000);
        sold.EarnedAboveFeedIn.ShouldBe(4000 - 1572);   // feed-in 7.86 ct × 2 kWh
        bought.BoughtWh.ShouldBe(2000);
        bought.Paid.ShouldBe(4000);
        bought.SavedOnPurchases.ShouldBe(7940 - 4000);  // retail 39.70 ct × 2 kWh
        StatementService.ToCsv(bought, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).ShouldContain(",bought,2,20,0.4,0.794,0.394,");
    }

    [Fact]
    public async Task Register_NewHousehold_CannotSignInUntilConfirmed()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var signIn = scope.ServiceProvider.GetRequiredService<UserManager<MarketUser>>();

        var result = await accounts.RegisterAsync(new Registration("dora@example.org", "Solar-Panels-42", "Dora's", 5m, 11m, "Europe/Berlin"));

        result.Succeeded.ShouldBeTrue();
        var user = await signIn.FindByEmailAsync("dora@example.org");
        user!.EmailConfirmed.ShouldBeFalse();
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(result.ConfirmationLink!).Query);
        (await accounts.ConfirmAsync(query["userId"]!, query["code"]!)).ShouldBeTrue();
        (await signIn.FindByEmailAsync("dora@example.org"))!.EmailConfirmed.ShouldBeTrue();
        Directory.GetFiles(Path.Combine(_app.DataDirectory, "outbox")).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Register_BadSite_RejectedAndNoUserCreated()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();

        var result = await accounts.RegisterAsync(new Registration("eve@example.org", "Solar-Panels-42", "", -1m, 0m, "Mars/Olympus"));

        result.Errors.Count.ShouldBe(4);
        await using var db = _app.CreateDb();
        (await db.Users.AnyAsync(u => u.Email == "eve@example.org")).ShouldBeFalse();
    }
}

public sealed class SignInRateLimitTests
{
    [Fact]
    public async Task SignIn_MorePostsThanTheLimit_429AndNoSignIn()
    {
        await using var app = new MarketFactory();
        app.Settings["RateLimits:SignInPerMinute"] = "3";
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        for (var i = 0; i < 3; i++)
        {
            await Should.ThrowAsync<InvalidOperationException>(() => CookieSignIn.SignInAsync(client, "anna@demo.energy", "wrong-password-" + i));
        }

        var limited = await Should.ThrowAsync<InvalidOperationException>(() => CookieSignIn.SignInAsync(client, "ben@demo.energy"));

        limited.Message.ShouldContain("429");
    }
}
