using Bunit;
using Market.Web.Components.Pages;
using Market.Web.Components.Shared;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Market.Web.Tests.Components;

/// <summary>The confirmation step of a rules change: what changes, from when, and what it would have done.</summary>
[Trait("Database", "Independent")]
public sealed class RulesConfirmationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static RulesPreviewResult Preview() => new(
        From: 1_781_000_000, To: 1_781_600_000, Books: 672, Capped: true,
        SealedVolumeWh: 1_234_567, ProposedVolumeWh: 1_000_000, SealedAmount: 2_469_134, ProposedAmount: 2_100_000,
        SealedTrades: 900, ProposedTrades: 800, OrdersRefused: 12, OrdersMoved: 3,
        Households:
        [
            new PreviewHousehold(1, "Anna", 10_000, 25_000),
            new PreviewHousehold(2, "Ben", 0, 4_000),
            new PreviewHousehold(3, "Carla", 5_000, 5_000),
            new PreviewHousehold(4, "Dora", 9_000, -2_500),
        ],
        Elapsed: TimeSpan.FromMilliseconds(420));

    [Fact]
    public async Task Confirmation_InGerman_ListsOnlyTheChangedRulesInForceAndProposedAndThePreview()
    {
        using var german = CultureScope.In("de-DE");
        await using var test = new ComponentTestContext();
        var confirmed = 0;

        var cut = test.Context.Render<RulesChangeConfirmation>(p => p
            .Add(c => c.Differences, [new RuleDifference(RuleField.PriceCeiling, 3970, 3500), new RuleDifference(RuleField.Mechanism, 1, 2)])
            .Add(c => c.EffectiveFrom, 1_781_800_000)
            .Add(c => c.Preview, Preview())
            .Add(c => c.Currency, "EUR")
            .Add(c => c.OnConfirm, () => confirmed++));

        var rows = cut.FindAll("[data-testid=rules-diff-row]");
        rows.Count.ShouldBe(2);
        rows[0].TextContent.ShouldContain("39,70 ct/kWh");
        rows[0].TextContent.ShouldContain("35,00 ct/kWh");
        rows[1].TextContent.ShouldContain("uniform price");
        rows[1].TextContent.ShouldContain("pay-as-bid");
        cut.Find("[data-testid=preview-volume-sealed]").TextContent.ShouldBe("1.234,567 kWh");
        cut.Find("[data-testid=preview-volume-proposed]").TextContent.ShouldBe("1.000,000 kWh");
        cut.Find("[data-testid=preview-price-proposed]").TextContent.ShouldBe("21,00 ct/kWh");
        cut.Find("[data-testid=preview-gainers]").TextContent.ShouldContain("Anna");
        cut.Find("[data-testid=preview-gainers]").TextContent.ShouldContain("+1,50\u00a0€");
        cut.Find("[data-testid=preview-gainers]").TextContent.ShouldNotContain("Carla");   // no change: neither list
        cut.Find("[data-testid=preview-losers]").TextContent.ShouldContain("Dora");
        cut.Find("[data-testid=preview-losers]").TextContent.ShouldContain("−1,15\u00a0€");
        cut.Find("[data-testid=preview-total]").TextContent.ShouldContain("+0,75\u00a0€");
        cut.Find("[data-testid=preview-note]").TextContent.ShouldContain("Only the newest 672 books");
        cut.Find("[data-testid=preview-note]").TextContent.ShouldContain("12 orders lie outside the proposed band");

        cut.Find("[data-testid=rules-confirm]").Click();

        confirmed.ShouldBe(1);
    }

    [Fact]
    public async Task Confirmation_PreviewStillRunning_SaysWhatItReplays()
    {
        await using var test = new ComponentTestContext();

        var cut = test.Context.Render<RulesChangeConfirmation>(p => p
            .Add(c => c.Differences, [new RuleDifference(RuleField.IntervalLength, 15, 30)])
            .Add(c => c.EffectiveFrom, 1_781_800_000)
            .Add(c => c.Currency, "EUR"));

        cut.Find("[data-testid=preview-running]").TextContent.ShouldContain($"up to {RulesPreview.MaxBooks} sealed order books");
        cut.FindAll("[data-testid=preview]").ShouldBeEmpty();
    }

    [Fact]
    public async Task RulesPage_ReviewConfirmThenTheSameAgain_DiffShownSealedOnceAndTheNoOpRefused()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await app.TradeAndClearAsync();
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(app.Get<RulesService>());
        context.Services.AddSingleton(app.Get<RulesPreview>());
        context.Services.AddSingleton(app.Get<RulesBook>());
        context.Services.AddSingleton(app.Get<MarketClock>());
        context.Services.AddSingleton(app.Get<IOptions<CommunityOptions>>());
        context.AddAuthorization().SetAuthorized("manager@demo.energy").SetRoles(Roles.Manager)
            .SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "manager-id"));
        context.Render<MudBlazor.MudPopoverProvider>();
        var page = context.Render<RulesPage>();
        page.WaitForAssertion(() => page.FindAll("[data-testid=rules-history] tbody tr").Count.ShouldBe(1), Wait);

        await page.InvokeAsync(() => page.Find("#rules-ceiling").Input("35"));
        await page.InvokeAsync(() => page.Find("[data-testid=rules-save]").Click());

        page.WaitForAssertion(() => page.Find("[data-testid=preview]"), Wait);
        var row = page.Find("[data-testid=rules-diff-row]");
        page.FindAll("[data-testid=rules-diff-row]").Count.ShouldBe(1);
        row.TextContent.ShouldContain("39.70 ct/kWh");
        row.TextContent.ShouldContain("35.00 ct/kWh");
        // The preview replays the sealed books after the confirmation shows; under load it may still be running.
        page.WaitForAssertion(() => page.Find("[data-testid=preview-volume-sealed]").TextContent.ShouldBe("1.000 kWh"), Wait);
        await using (var db = app.CreateDb())
        {
            (await db.RulesChanges.CountAsync()).ShouldBe(0);   // nothing sealed by reviewing
        }

        await page.InvokeAsync(() => page.Find("[data-testid=rules-confirm]").Click());
        page.WaitForAssertion(() => page.FindAll("[data-testid=rules-history] tbody tr").Count.ShouldBe(2), Wait);
        page.FindAll("[data-testid=rules-confirmation]").ShouldBeEmpty();

        await page.InvokeAsync(() => page.Find("[data-testid=rules-save]").Click());

        page.WaitForAssertion(() => page.Find("[data-testid=rules-error]").TextContent.ShouldBe(RulesService.NothingChanged), Wait);
        page.FindAll("[data-testid=rules-confirmation]").ShouldBeEmpty();
        await using var after = app.CreateDb();
        (await after.RulesChanges.CountAsync()).ShouldBe(1);
    }
}
