using Bunit;
using Market.Web.Components.Shared;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Components;

[Trait("Database", "Independent")]
public sealed class TablesTests
{
    private static readonly long Interval = new DateTimeOffset(2026, 6, 15, 10, 15, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    [Fact]
    public async Task OrdersTable_BidBelowClearingPrice_ExplainsInPlainWords()
    {
        await using var t = new ComponentTestContext();
        var order = new OrderEntity { Id = 1, Side = OrderSide.Buy, EnergyWh = 1000, LimitPrice = 1800, IntervalStart = Interval - 3600, Status = OrderStatus.Unmatched, Outcome = "PriceOnWrongSide" };

        var table = t.Context.Render<OrdersTable>(p => p.Add(x => x.Orders, [order]).Add(x => x.Prices, new Dictionary<long, long> { [order.IntervalStart] = 2100 }));

        table.Find("[data-testid=order-explanation]").TextContent.ShouldBe("Your bid of 18.00 ct/kWh was below the clearing price of 21.00 ct/kWh.");
        table.Markup.ShouldContain("Expired unmatched");
    }

    [Fact]
    public async Task OrdersTable_MarginalSeller_SaysHowMuchWasSold()
    {
        await using var t = new ComponentTestContext();
        var order = new OrderEntity { Id = 1, Side = OrderSide.Sell, EnergyWh = 1000, FilledWh = 400, LimitPrice = 1500, IntervalStart = Interval - 3600, Status = OrderStatus.PartiallyFilled, Outcome = "MarginalPartialFill" };

        var table = t.Context.Render<OrdersTable>(p => p.Add(x => x.Orders, [order]).Add(x => x.Prices, new Dictionary<long, long> { [order.IntervalStart] = 1500 }));

        table.Find("[data-testid=order-explanation]").TextContent.ShouldBe("You were the marginal seller: 0.400 kWh of 1.000 kWh sold at 15.00 ct/kWh.");
    }

    [Fact]
    public async Task OrdersTable_OpenOrderBeforeGate_OffersCancel()
    {
        await using var t = new ComponentTestContext();
        var order = new OrderEntity { Id = 1, Side = OrderSide.Sell, EnergyWh = 1000, LimitPrice = 1500, IntervalStart = Interval, Status = OrderStatus.Open };
        OrderEntity? cancelled = null;

        var table = t.Context.Render<OrdersTable>(p => p.Add(x => x.Orders, [order]).Add(x => x.OnCancel, (OrderEntity o) => cancelled = o));
        await table.Find("[data-testid=cancel-order]").ClickAsync(new());

        cancelled.ShouldBe(order);
    }

    [Fact]
    public async Task OrdersTable_OpenOrderAfterGate_NoCancel()
    {
        await using var t = new ComponentTestContext();
        t.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(Interval - 60));
        var order = new OrderEntity { Id = 1, Side = OrderSide.Sell, EnergyWh = 1000, LimitPrice = 1500, IntervalStart = Interval, Status = OrderStatus.Open };

        var table = t.Context.Render<OrdersTable>(p => p.Add(x => x.Orders, [order]));

        table.FindAll("[data-testid=cancel-order]").ShouldBeEmpty();
    }

    [Fact]
    public async Task TradesTable_Sale_ShowsAmountReceivedCounterpartyAndReceipt()
    {
        await using var t = new ComponentTestContext();
        var trade = new MyTrade(7, Interval, OrderSide.Sell, 1500, 2100, 3150, [0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89], 12);

        var table = t.Context.Render<TradesTable>(p => p.Add(x => x.Trades, [trade]).Add(x => x.Currency, "EUR"));

        var row = table.Find("[data-testid=trade-row]").TextContent;
        row.ShouldContain("Sold");
        row.ShouldContain("1.500 kWh");
        row.ShouldContain("21.00 ct/kWh");
        row.ShouldContain("€0.32");
        row.ShouldContain("abcdef012345");
        table.Find("[data-testid=receipt-link]").GetAttribute("href").ShouldBe("api/ledger/trades/7/proof");
    }

    [Fact]
    public async Task TradesTable_Purchase_ShowsAmountPaidAsNegative()
    {
        await using var t = new ComponentTestContext();
        var trade = new MyTrade(8, Interval, OrderSide.Buy, 1000, 2000, 2000, new byte[16], 12);

        var table = t.Context.Render<TradesTable>(p => p.Add(x => x.Trades, [trade]));

        table.Find("[data-testid=trade-row]").TextContent.ShouldContain("−€0.20");
    }

    [Fact]
    public async Task TradesTable_German_EnergyPriceAndMoneyInGermanConvention()
    {
        using var german = CultureScope.In("de-DE");
        await using var t = new ComponentTestContext();
        var trade = new MyTrade(7, Interval, OrderSide.Sell, 55_851, 2100, 117_287, new byte[16], 12);

        var table = t.Context.Render<TradesTable>(p => p.Add(x => x.Trades, [trade]).Add(x => x.Currency, "EUR"));

        var row = table.Find("[data-testid=trade-row]").TextContent;
        row.ShouldContain("55,851 kWh");
        row.ShouldContain("21,00 ct/kWh");
        row.ShouldContain("11,73\u00a0€");
    }
}
