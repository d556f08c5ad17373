using Bunit;
using Market.Web.Autopilot;
using Market.Web.Components.Shared;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Market.Web.Tests.Components;

[Trait("Database", "Independent")]
public sealed class AutopilotFormTests
{
    [Fact]
    public async Task Render_FirstSetUp_PricesStartAtTheBandAndTheSiteLimitsAreNamed()
    {
        await using var t = Context();

        var form = t.Context.Render<AutopilotForm>(p => p.Add(f => f.Household, t.Household));

        form.Find("#autopilot-min-sell").GetAttribute("value").ShouldBe("7.86");
        form.Find("#autopilot-max-buy").GetAttribute("value").ShouldBe("39.70");
        form.Markup.ShouldContain("Your site: up to 1.500 kWh to sell, 2.500 kWh to buy");
        form.Find("[data-testid=autopilot-save]").TextContent.Trim().ShouldBe("Save and turn on");
    }

    [Fact]
    public async Task Save_ValidLimits_StoredAsTheFirstVersionAndReported()
    {
        await using var t = Context();
        AutopilotSaveResult? saved = null;
        var form = t.Context.Render<AutopilotForm>(p => p.Add(f => f.Household, t.Household).Add(f => f.ChangedBy, "test").Add(f => f.OnSaved, r => saved = r));
        form.Find("#autopilot-min-sell").Input("9.5");
        form.Find("#autopilot-max-energy").Input("1.2");

        await form.Find("[data-testid=autopilot-save]").ClickAsync(new());

        saved.ShouldNotBeNull();
        saved.Settings.ShouldNotBeNull();
        (saved.Settings.Version, saved.Settings.IsOn, saved.Settings.MinSellPrice, saved.Settings.MaxBuyPrice, saved.Settings.MaxEnergyWh).ShouldBe((1, true, 950L, 3970L, 1200L));
    }

    [Fact]
    public async Task Save_NoSide_MessageAndNothingStored()
    {
        await using var t = Context();
        var form = t.Context.Render<AutopilotForm>(p => p.Add(f => f.Household, t.Household));
        form.FindAll("input[type=checkbox]")[0].Change(false);
        form.FindAll("input[type=checkbox]")[1].Change(false);
        form.Find("#autopilot-max-energy").Input("1");

        await form.Find("[data-testid=autopilot-save]").ClickAsync(new());

        form.Find("[data-testid=autopilot-error-sides]").TextContent.ShouldContain("Choose selling, buying or both.");
        Count(t).ShouldBe(0);
    }

    [Fact]
    public async Task Save_SellOnlyMoreThanThePvPeakCarries_MessageNamesThePeakAndNothingStored()
    {
        await using var t = Context();
        var form = t.Context.Render<AutopilotForm>(p => p.Add(f => f.Household, t.Household));
        form.FindAll("input[type=checkbox]")[1].Change(false);
        form.Find("#autopilot-max-energy").Input("2");

        await form.Find("[data-testid=autopilot-save]").ClickAsync(new());

        form.Markup.ShouldContain("At most 1.500 kWh per interval (your PV peak of 6 kW).");
        Count(t).ShouldBe(0);
    }

    [Fact]
    public async Task Save_GermanCommaAndAnEnglishPoint_PointRefusedNamingTheDecimalMark()
    {
        using var culture = CultureScope.In("de-DE");
        await using var t = Context();
        var form = t.Context.Render<AutopilotForm>(p => p.Add(f => f.Household, t.Household));
        form.Find("#autopilot-min-sell").GetAttribute("value").ShouldBe("7,86");
        form.Find("#autopilot-max-energy").Input("0.5");

        await form.Find("[data-testid=autopilot-save]").ClickAsync(new());

        form.Markup.ShouldContain("Use a comma for decimals");
        Count(t).ShouldBe(0);
    }

    private static ComponentTestContext Context()
    {
        var t = new ComponentTestContext();
        t.Context.Render<MudPopoverProvider>();
        return t;
    }

    private static int Count(ComponentTestContext t)
    {
        using var db = t.Context.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext();
        return db.Autopilots.Count();
    }
}
