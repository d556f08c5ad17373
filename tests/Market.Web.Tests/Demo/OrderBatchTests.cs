using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Demo;

public sealed class OrderBatchTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task PlaceBatchAsync_OneOrderOutsideTheBand_OnlyThatOneRejectedAndTheRestStoredInOrder()
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var ben = await _app.HouseholdAsync("ben@demo.energy");
        var interval = _app.Get<MarketClock>().FirstOpenInterval();
        var batch = new BatchOrder[]
        {
            new(ben.Id, new PlaceOrder(OrderSide.Buy, 500, 3000, interval)),
            new(anna.Id, new PlaceOrder(OrderSide.Sell, 500, 10, interval)),
            new(anna.Id, new PlaceOrder(OrderSide.Sell, 700, 1000, interval)),
        };

        var results = await _app.Get<OrderService>().PlaceBatchAsync(await _app.SignAsync(batch));

        results.Select(r => r.Succeeded).ShouldBe([true, false, true]);
        results[1].Field.ShouldBe("price");
        results[2].Order!.Id.ShouldBeGreaterThan(results[0].Order!.Id);
        await using var db = _app.CreateDb();
        (await db.Orders.CountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task PlaceBatchAsync_BeyondTheSiteOrUnknownHousehold_RejectedLikePlaceAsync()
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var interval = _app.Get<MarketClock>().FirstOpenInterval();
        var service = _app.Get<OrderService>();
        var tooMuch = new PlaceOrder(OrderSide.Sell, service.MaxEnergyWh(anna, OrderSide.Sell) + 1, 1000, interval);

        var results = await service.PlaceBatchAsync([new(anna.Id, tooMuch), new(-1, tooMuch)]);
        var single = await service.PlaceAsync(anna.Id, tooMuch);

        results[0].ShouldBe(single);
        results[1].Field.ShouldBe("household");
    }
}
