using Bunit;
using Market.Web.Components.Shared;
using MudBlazor;

namespace Market.Web.Tests.Components;

public sealed class OrderFormTests
{
    [Fact]
    public async Task Render_Offer_HintShowsBandAndLastClearingPrice()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();

        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household).Add(f => f.LastPrice, 2100L));

        form.Markup.ShouldContain("Between 7.86 ct/kWh (feed-in) and 39.70 ct/kWh (retail). Last clearing price 21.00 ct/kWh.");
        form.Markup.ShouldContain("Up to 1.5 kWh per interval for your site");
    }

    [Fact]
    public async Task Submit_NoEnergy_ShowsEnergyMessageAndStoresNothing()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#order-price").Input("12");

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        form.Markup.ShouldContain("Enter the energy in kWh, e.g. 1.5.");
        t.OrderCount().ShouldBe(0);
    }

    [Fact]
    public async Task Submit_PriceAboveRetail_ShowsBandMessageAndStoresNothing()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#order-energy").Input("1");
        form.Find("#order-price").Input("45");

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        form.Markup.ShouldContain("The price must lie between 7.86 ct/kWh (feed-in tariff) and 39.70 ct/kWh (retail price).");
        t.OrderCount().ShouldBe(0);
    }

    [Fact]
    public async Task Submit_MoreThanThePvPeakAllows_ShowsCapacityMessage()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#order-energy").Input("2");
        form.Find("#order-price").Input("12");

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        form.Markup.ShouldContain("At most 1.5 kWh per interval (your PV peak of 6 kW).");
        t.OrderCount().ShouldBe(0);
    }

    [Fact]
    public async Task Submit_ValidOffer_StoresItAndNotifiesThePage()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var placed = 0;
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household).Add(f => f.OnPlaced, () => placed++));
        form.Find("#order-energy").Input("1.25");
        form.Find("#order-price").Input("12.5");

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        t.OrderCount().ShouldBe(1);
        placed.ShouldBe(1);
    }
}
