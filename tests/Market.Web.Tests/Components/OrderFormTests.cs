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

    [Theory]
    [InlineData("79228162514264337593543950335", "12", "Enter an energy from 0.001 kWh up to 1.5 kWh per interval.")]
    [InlineData("-79228162514264337593543950335", "12", "Enter an energy from 0.001 kWh up to 1.5 kWh per interval.")]
    [InlineData("9223372036854775.807", "12", "At most 1.5 kWh per interval (your PV peak of 6 kW).")]
    [InlineData("-1", "12", "Energy must be more than 0 Wh.")]
    [InlineData("NaN", "12", "Enter the energy in kWh, e.g. 1.5.")]
    [InlineData("Infinity", "12", "Enter the energy in kWh, e.g. 1.5.")]
    [InlineData("1e3", "12", "Enter the energy in kWh, e.g. 1.5.")]
    [InlineData("1.0005", "12", "Enter the energy in whole Wh: at most three decimals of a kWh, e.g. 1.125.")]
    [InlineData("1.00000000000000000000000000001", "12", "Enter the energy in whole Wh: at most three decimals of a kWh, e.g. 1.125.")]
    [InlineData("1", "79228162514264337593543950335", "Enter a price in ct/kWh within the price band, e.g. 21.5.")]
    [InlineData("1", "92233720368547758.08", "Enter a price in ct/kWh within the price band, e.g. 21.5.")]
    [InlineData("1", "-5", "The price must lie between 7.86 ct/kWh (feed-in tariff) and 39.70 ct/kWh (retail price).")]
    [InlineData("1", "NaN", "Enter the price in ct/kWh with at most two decimals, e.g. 21.5.")]
    [InlineData("1", "12.345", "Enter the price in ct/kWh with at most two decimals, e.g. 21.5.")]
    public async Task Submit_NumberTheFormCannotTake_MessageAndStoresNothing(string energy, string price, string message)
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#order-energy").Input(energy);
        form.Find("#order-price").Input(price);

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        form.Markup.ShouldContain(message);
        t.OrderCount().ShouldBe(0);
    }

    [Theory]
    [InlineData("79228162514264337593543950335", "12", "Enter an energy from 0.001 kWh up to 1.5 kWh per interval.")]
    [InlineData("1.0005", "12", "Enter the energy in whole Wh: at most three decimals of a kWh, e.g. 1.125.")]
    [InlineData("NaN", "12", "Enter the energy in kWh, e.g. 1.5.")]
    [InlineData("1", "79228162514264337593543950335", "Enter a price in ct/kWh within the price band, e.g. 21.5.")]
    [InlineData("1", "12.345", "Enter the price in ct/kWh with at most two decimals, e.g. 21.5.")]
    [InlineData("-1", "12", "Energy must be more than 0 Wh.")]
    public async Task StandingOrder_NumbersTheFormCannotTake_MessageAndStoresNothing(string energy, string price, string message)
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<StandingOrders>(p => p.Add(f => f.Household, t.Household));
        form.Find("#standing-energy").Input(energy);
        form.Find("#standing-price").Input(price);

        await form.Find("[data-testid=create-standing]").ClickAsync(new());

        form.Find("[data-testid=standing-error]").InnerHtml.ShouldContain(message);
        t.StandingOrderCount().ShouldBe(0);
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
