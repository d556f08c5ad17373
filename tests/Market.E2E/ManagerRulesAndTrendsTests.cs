using Market.Web.Tests.Support;
using System.Globalization;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// The manager on a phone and on a desktop, in English and in German: a rules change shown against the rules in force
/// with its preview on last week's books, confirmed and sealed; the same change again refused as changing nothing;
/// the dashboard with the 30-day trends never wider than the window.
/// </summary>
public sealed class ManagerRulesAndTrendsTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>A traded, delivered and metered interval, so the preview and the trends have something to show.</summary>
    private async Task TradeDeliverAndMeterAsync()
    {
        var app = fixture.App;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        var orders = app.Get<OrderService>();
        (await app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1500, 1200, interval))).Succeeded.ShouldBeTrue();
        (await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1200, 3000, interval))).Succeeded.ShouldBeTrue();
        await app.CloseGateAndClearAsync(interval);
        await app.DeliverAsync(interval, intervalsAfter: 3);
        var start = DateTimeOffset.FromUnixTimeSeconds(interval).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var csv = string.Create(CultureInfo.InvariantCulture, $"{ReadingParser.Header}\n{anna.MeterId},{start},0,1400\n{ben.MeterId},{start},1500,0");
        using var reader = new StringReader(csv);
        var imported = await app.Get<ReadingImportService>().ImportCsvAsync(reader, "e2e");
        imported.ErrorCount.ShouldBe(0);
        (await app.Get<ReconciliationService>().ReconcileDueAsync()).ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData(1440, 900, "en-GB")]
    [InlineData(390, 844, "de-DE")]
    public async Task Journey_ManagerChangesARule_SeesDiffAndPreviewConfirmsAndANoOpIsRefused(int width, int height, string locale)
    {
        await TradeDeliverAndMeterAsync();
        var culture = CultureInfo.GetCultureInfo(locale == "en-GB" ? "en" : locale);
        var inForce = fixture.App.Get<RulesBook>().Latest.PriceCeiling;
        var proposed = inForce - 100;   // one cent less than whatever the cases before sealed
        var name = $"{(width < 600 ? "narrow" : "wide")}-{locale}";
        var page = await fixture.NewPageAsync(width, height, locale);
        await BrowserFixture.SignInAsync(page, "manager@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "rules");
        var history = page.GetByTestId("rules-history").Locator("tbody tr");
        var sealedBefore = await history.CountAsync();

        await page.Locator("#rules-ceiling").FillAsync(Units.Cents(proposed, culture));
        await page.GetByTestId("rules-save").ClickAsync();

        var diff = page.GetByTestId("rules-diff-row");
        await Assertions.Expect(diff).ToHaveCountAsync(1);
        await Assertions.Expect(diff).ToContainTextAsync(Units.Price(inForce, culture));
        await Assertions.Expect(diff).ToContainTextAsync(Units.Price(proposed, culture));
        await Assertions.Expect(page.GetByTestId("preview")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("preview-volume-sealed")).ToContainTextAsync(" kWh");
        await Assertions.Expect(page.GetByTestId("preview-gainers")).ToBeVisibleAsync();
        await Assertions.Expect(history).ToHaveCountAsync(sealedBefore);   // nothing sealed by looking
        await BrowserFixture.ScreenshotAsync(page, $"35-rules-confirm-{name}");
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.AssertFitsWidthAsync(page);

        await page.GetByTestId("rules-confirm").ClickAsync();
        await Assertions.Expect(history).ToHaveCountAsync(sealedBefore + 1);
        await Assertions.Expect(page.GetByTestId("rules-confirmation")).ToHaveCountAsync(0);

        await page.GetByTestId("rules-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rules-error")).ToContainTextAsync("changes nothing");
        await Assertions.Expect(page.GetByTestId("rules-confirmation")).ToHaveCountAsync(0);
        await Assertions.Expect(history).ToHaveCountAsync(sealedBefore + 1);
        fixture.App.Get<RulesBook>().Latest.PriceCeiling.ShouldBe(proposed);
        await BrowserFixture.ScreenshotAsync(page, $"36-rules-no-op-refused-{name}");
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.AssertFitsWidthAsync(page);

        await BrowserFixture.GotoLiveAsync(page, "dashboard");
        await Assertions.Expect(page.GetByTestId("trends")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("trend-self")).ToContainTextAsync("%");
        await Assertions.Expect(page.GetByTestId("help-gini")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId(width < 600 ? "price-chart-compact" : "price-chart")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId(width < 600 ? "price-chart" : "price-chart-compact")).ToBeHiddenAsync();
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue("the dashboard is wider than the window");
        await BrowserFixture.ScreenshotAsync(page, $"37-dashboard-manager-{name}");
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.AssertFitsWidthAsync(page);
    }
}
