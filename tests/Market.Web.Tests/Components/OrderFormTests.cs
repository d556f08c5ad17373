using Bunit;
using Market.Web.Components.Shared;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Market.Web.Tests.Components;

[Trait("Database", "Independent")]
public sealed class OrderFormTests
{
    [Fact]
    public async Task Render_Offer_HintShowsBandAndLastClearingPrice()
    {
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();

        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household).Add(f => f.LastPrice, 2100L));

        form.Markup.ShouldContain("Between 7.86 ct/kWh (feed-in) and 39.70 ct/kWh (retail). Last clearing price 21.00 ct/kWh.");
        form.Markup.ShouldContain("Up to 1.500 kWh per interval for your site");
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

        form.Markup.ShouldContain("At most 1.500 kWh per interval (your PV peak of 6 kW).");
        t.OrderCount().ShouldBe(0);
    }

    [Theory]
    [InlineData("79228162514264337593543950335", "12", "Enter an energy from 0.001 kWh up to 1.500 kWh per interval.")]
    [InlineData("-79228162514264337593543950335", "12", "Enter an energy from 0.001 kWh up to 1.500 kWh per interval.")]
    [InlineData("9223372036854775.807", "12", "At most 1.500 kWh per interval (your PV peak of 6 kW).")]
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
    [InlineData("79228162514264337593543950335", "12", "Enter an energy from 0.001 kWh up to 1.500 kWh per interval.")]
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

    [Fact]
    public async Task Submit_GermanDecimalComma_PostsATenthOfAKWh()
    {
        using var german = CultureScope.In("de-DE");
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#order-energy").Input("0,1");
        form.Find("#order-price").Input("8,5");

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        (await Orders(t)).ShouldBe(new[] { (100L, 850L) });
    }

    [Fact]
    public async Task Submit_GermanThousandsWithDecimals_ReadAsAThousandKWhBeyondTheSite()
    {
        using var german = CultureScope.In("de-DE");
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#order-energy").Input("1.000,5");
        form.Find("#order-price").Input("12");

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        form.Markup.ShouldContain("At most 1,500 kWh per interval (your PV peak of 6 kW).");
        t.OrderCount().ShouldBe(0);
    }

    [Fact]
    public async Task Render_German_BandAndCapacityInGermanMarks()
    {
        using var german = CultureScope.In("de-DE");
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();

        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household).Add(f => f.LastPrice, 2100L));

        form.Markup.ShouldContain("Between 7,86 ct/kWh (feed-in) and 39,70 ct/kWh (retail). Last clearing price 21,00 ct/kWh.");
        form.Markup.ShouldContain("Up to 1,500 kWh per interval for your site");
    }

    [Theory]
    [InlineData("0,1", "12")]
    [InlineData("1,5", "12")]
    [InlineData("1", "8,5")]
    public async Task Submit_EnglishCommaWhereThePointBelongs_SaysToUseAPointAndStoresNothing(string energy, string price)
    {
        using var english = CultureScope.In("en");
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#order-energy").Input(energy);
        form.Find("#order-price").Input(price);

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        form.Markup.ShouldContain("Use a point for decimals, e.g. 0.1; a comma only separates thousands (1,000).");
        t.OrderCount().ShouldBe(0);
    }

    [Fact]
    public async Task Submit_GermanPointWhereTheCommaBelongs_SaysToUseACommaAndStoresNothing()
    {
        using var german = CultureScope.In("de-DE");
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<OrderForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#order-energy").Input("0.1");
        form.Find("#order-price").Input("12");

        await form.Find("[data-testid=place-order]").ClickAsync(new());

        form.Markup.ShouldContain("Use a comma for decimals, e.g. 0,1; a point only separates thousands (1.000).");
        t.OrderCount().ShouldBe(0);
    }

    [Fact]
    public async Task StandingOrder_GermanDecimalComma_StartsATenthOfAKWh()
    {
        using var german = CultureScope.In("de-DE");
        await using var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        var form = t.Context.Render<StandingOrders>(p => p.Add(f => f.Household, t.Household));
        form.Find("#standing-energy").Input("0,1");
        form.Find("#standing-price").Input("8,5");

        await form.Find("[data-testid=create-standing]").ClickAsync(new());

        using var db = t.Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        (await db.StandingOrders.Select(s => new { s.EnergyWh, s.LimitPrice }).SingleAsync()).ShouldBe(new { EnergyWh = 100L, LimitPrice = 850L });
    }

    private static async Task<(long EnergyWh, long LimitPrice)[]> Orders(ComponentTestContext t)
    {
        using var db = t.Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        var orders = await db.Orders.Select(o => new { o.EnergyWh, o.LimitPrice }).ToListAsync();
        return [.. orders.Select(o => (o.EnergyWh, o.LimitPrice))];
    }
}
