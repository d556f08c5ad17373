using Bunit;
using Market.Web.Components.Shared;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Market.Web.Tests.Components;

/// <summary>The trade page's lists and order form: paging by cursor, grouping by day, the side as radios, Enter to post.</summary>
[Trait("Database", "Independent")]
public sealed class TradeListsTests
{
    private static readonly long Interval = new DateTimeOffset(2026, 6, 15, 10, 15, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    [Fact]
    public async Task OrderList_FiveFinishedOrdersTwoToAPage_OlderWalksThroughAllOnceThenStops()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var ids = await SeedAsync(t, Enumerable.Range(1, 5).Select(i => (Interval - (i * 900), OrderStatus.Filled, OrderSide.Sell)));
        var list = t.Context.Render<OrderList>(p => p.Add(x => x.HouseholdId, t.Household.Id).Add(x => x.PageSize, 2));
        var seen = new List<string>();

        for (var page = 0; page < 3; page++)
        {
            list.WaitForState(() => list.FindAll("[data-testid=order-row]").Count > 0);
            seen.AddRange(list.FindAll("[data-testid=order-row]").Select(r => r.TextContent));
            if (page < 2)
            {
                await list.Find("[data-testid=orders-older]").ClickAsync(new());
            }
        }

        seen.Count.ShouldBe(5);
        seen.Distinct().Count().ShouldBe(5);
        list.Find("[data-testid=orders-older]").HasAttribute("disabled").ShouldBeTrue();
        list.Find("[data-testid=orders-newer]").HasAttribute("disabled").ShouldBeFalse();
        ids.Count.ShouldBe(5);
    }

    [Fact]
    public async Task OrderList_OpenOnly_ShowsOpenOrdersWithCancelAndNoFinishedOnes()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        await SeedAsync(t, [(Interval, OrderStatus.Open, OrderSide.Sell), (Interval - 900, OrderStatus.Cancelled, OrderSide.Buy)]);

        var list = t.Context.Render<OrderList>(p => p.Add(x => x.HouseholdId, t.Household.Id).Add(x => x.OpenOnly, true).Add(x => x.TestId, "open-orders"));

        list.WaitForState(() => list.FindAll("[data-testid=order-row]").Count > 0);
        list.FindAll("[data-testid=order-row]").Count.ShouldBe(1);
        list.FindAll("[data-testid=cancel-order]").Count.ShouldBe(1);
        list.FindAll("[data-testid=open-orders-pager]").ShouldBeEmpty();
    }

    [Fact]
    public async Task OrderList_FinishedDefault_LeavesOpenOrdersToTheOpenList()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        await SeedAsync(t, [(Interval, OrderStatus.Open, OrderSide.Sell), (Interval - 900, OrderStatus.Cancelled, OrderSide.Buy), (Interval - 1800, OrderStatus.Unmatched, OrderSide.Sell)]);

        var list = t.Context.Render<OrderList>(p => p.Add(x => x.HouseholdId, t.Household.Id));

        list.WaitForState(() => list.FindAll("[data-testid=order-row]").Count > 0);
        var rows = list.FindAll("[data-testid=order-row]").Select(r => r.TextContent).ToList();
        rows.Count.ShouldBe(2);
        rows.ShouldNotContain(r => r.Contains("Open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OrdersTable_TwoDays_OneHeadingPerLocalDayNewestFirst()
    {
        await using var t = new ComponentTestContext();
        var today = new OrderEntity { Id = 2, Side = OrderSide.Sell, EnergyWh = 1000, LimitPrice = 1500, IntervalStart = Interval, Status = OrderStatus.Open };
        var earlier = new OrderEntity { Id = 1, Side = OrderSide.Sell, EnergyWh = 1000, LimitPrice = 1500, IntervalStart = Interval - 86_400, Status = OrderStatus.Filled, FilledWh = 1000 };

        var table = t.Context.Render<OrdersTable>(p => p.Add(x => x.Orders, [today, earlier]));

        var days = table.FindAll("[data-testid=order-day]").Select(d => d.TextContent).ToList();
        days.Count.ShouldBe(2);
        days[0].ShouldStartWith("Today");
        days[1].ShouldStartWith("Yesterday");
        table.Find("[data-testid=my-orders]").ClassList.ShouldContain("cards-on-phone");
        table.FindAll("[data-testid=order-row] td[data-label=Status]").Count.ShouldBe(2);
    }

    [Fact]
    public async Task TradesTable_German_DayHeadingInGerman()
    {
        using var german = CultureScope.In("de-DE");
        await using var t = new ComponentTestContext();
        var trade = new MyTrade(7, Interval - (2 * 86_400), OrderSide.Sell, 1000, 1500, 15_000, new byte[16], 3);

        var table = t.Context.Render<TradesTable>(p => p.Add(x => x.Trades, [trade]));

        table.Find("[data-testid=trade-day]").TextContent.ShouldBe("Samstag, 13. Juni 2026");
    }

    [Fact]
    public async Task OrderForm_Side_IsARadioGroupWithSellChosen()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();

        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));

        var radios = form.FindAll("[data-testid=side] input[type=radio]");
        radios.Count.ShouldBe(2);
        radios.Select(r => r.GetAttribute("name")).Distinct().Count().ShouldBe(1);
        form.Find("[data-testid=side-sell]").HasAttribute("checked").ShouldBeTrue();
        form.Find("[data-testid=side] legend").TextContent.ShouldBe("Sell or buy");
    }

    [Fact]
    public async Task OrderForm_BuyChosenThenFormSubmitted_StoresABid()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        await form.Find("[data-testid=side-buy]").ChangeAsync(new() { Value = "buy" });
        form.Find("#order-energy").Input("0.5");
        form.Find("#order-price").Input("20");

        // What Enter in a field does: the browser submits the form.
        await form.Find("[data-testid=order-form]").SubmitAsync();

        await using var db = t.Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        var order = await db.Orders.SingleAsync();
        order.Side.ShouldBe(OrderSide.Buy);
        order.EnergyWh.ShouldBe(500);
        form.Find("[data-testid=place-order]").TextContent.Trim().ShouldBe("Post bid");
    }

    private static async Task<List<long>> SeedAsync(ComponentTestContext t, IEnumerable<(long Start, OrderStatus Status, OrderSide Side)> orders)
    {
        await using var db = t.Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        var rows = orders.Select(o =>
        {
            var e = OrderEntity.Open(t.Household.Id, o.Side, 1000, 1500, o.Start, 0);
            e.Status = o.Status;
            return e;
        }).ToList();
        db.Orders.AddRange(rows);
        await db.SaveChangesAsync();
        return rows.Select(r => r.Id).ToList();
    }
}
