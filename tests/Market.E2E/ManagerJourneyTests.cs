using Market.Web.Tests.Support;
using Microsoft.Playwright;

namespace Market.E2E;

public sealed class ManagerJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Journey_ManagerWatchesDashboardAndSealsARulesChange_ChartsAndHistoryShowIt()
    {
        var orders = fixture.App.Get<OrderService>();
        var anna = await fixture.App.HouseholdAsync("anna@demo.energy");
        var ben = await fixture.App.HouseholdAsync("ben@demo.energy");
        for (var i = 0; i < 3; i++)
        {
            var interval = fixture.App.Get<MarketClock>().FirstOpenInterval();
            await fixture.App.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1500, 1100 + (i * 100), interval));
            await fixture.App.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 500, 2600, interval));
            await fixture.App.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1200, 2400, interval));
            await fixture.App.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 800, 1500, interval));
            await fixture.App.CloseGateAndClearAsync(interval);
        }

        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "manager@demo.energy");

        await BrowserFixture.GotoLiveAsync(page, "dashboard");
        await Assertions.Expect(page.GetByTestId("clearing-point")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("mechanisms")).ToContainTextAsync("Pay-as-bid");
        await Assertions.Expect(page.GetByTestId("kpi-volume")).ToContainTextAsync("kWh");
        (await page.GetByTestId("price-chart").Locator("circle").CountAsync()).ShouldBe(3);
        await BrowserFixture.ScreenshotBothAsync(page, "30-dashboard");

        await BrowserFixture.GotoLiveAsync(page, "rules");
        await page.Locator("#rules-ceiling").FillAsync("35");
        await page.GetByTestId("rules-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rules-diff-row")).ToContainTextAsync("35.00 ct/kWh");
        await page.GetByTestId("rules-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rules-history").Locator("tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("rules-history").Locator("tbody tr").First).ToContainTextAsync("7.86–35.00");
        await Assertions.Expect(page.GetByTestId("rules-history").Locator("tbody tr").First).ToContainTextAsync("manager@demo.energy");
        await Assertions.Expect(page.GetByTestId("rules-now")).ToContainTextAsync("39.70 ct/kWh");
        await BrowserFixture.ScreenshotBothAsync(page, "31-rules");

        var visitor = await fixture.NewPageAsync();
        await BrowserFixture.GotoLiveAsync(visitor, "ledger");
        await Assertions.Expect(visitor.GetByTestId("rules").Locator("tbody tr")).ToHaveCountAsync(2);
        await BrowserFixture.ScreenshotBothAsync(visitor, "32-explorer");
        await BrowserFixture.GotoLiveAsync(visitor, "ledger/trades/1");
        await Assertions.Expect(visitor.GetByTestId("trade-verdict")).ToContainTextAsync("Proven.");
        await BrowserFixture.ScreenshotBothAsync(visitor, "33-trade-proof");
    }
}
