using Market.Ledger;
using Microsoft.Playwright;

namespace Market.E2E;

public sealed class HouseholdJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Journey_RegisterSetUpSiteOfferBidClear_BothSeeTradeStatementAndVerifiableReceipt()
    {
        var page = await fixture.NewPageAsync();
        var interval = fixture.App.Get<MarketClock>().FirstOpenInterval();

        // Register and confirm (demo mode shows the link instead of sending mail).
        await page.GotoAsync("account/register");
        await BrowserFixture.ScreenshotBothAsync(page, "10-register");
        await page.Locator("#name").FillAsync("Carla's roof");
        await page.Locator("#email").FillAsync("carla@example.org");
        await page.Locator("#password").FillAsync("Rooftop-Solar-2026");
        await page.Locator("#confirm").FillAsync("Rooftop-Solar-2026");
        await page.Locator("#pv").FillAsync("4");
        await page.Locator("#import").FillAsync("9");
        await page.GetByTestId("register-submit").ClickAsync();
        await page.GetByTestId("confirm-link").ClickAsync();
        await page.GetByTestId("confirmed").WaitForAsync();

        // Sign in, set up the site.
        await BrowserFixture.SignInAsync(page, "carla@example.org", "Rooftop-Solar-2026");
        await BrowserFixture.GotoLiveAsync(page, "account");
        await page.Locator("#site-pv").FillAsync("6");
        await page.GetByTestId("save-site").ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotBothAsync(page, "11-account");

        // Post an offer.
        await BrowserFixture.GotoLiveAsync(page, "market");
        await page.Locator("#order-energy").FillAsync("1.2");
        await page.Locator("#order-price").FillAsync("14");
        await page.GetByTestId("place-order").ClickAsync();
        await Assertions.Expect(page.GetByTestId("order-row")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotBothAsync(page, "12-market-offer");

        // A second household bids.
        var ben = await fixture.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(ben, "ben@demo.energy");
        await BrowserFixture.GotoLiveAsync(ben, "market");
        await ben.GetByTestId("side").GetByText("Buy (bid)").ClickAsync();
        await ben.Locator("#order-energy").FillAsync("1");
        await ben.Locator("#order-price").FillAsync("30");
        await ben.GetByTestId("place-order").ClickAsync();
        await Assertions.Expect(ben.GetByTestId("order-row")).ToHaveCountAsync(1);

        // The interval clears; both pages update without reload.
        await fixture.App.CloseGateAndClearAsync(interval);
        await Assertions.Expect(page.GetByTestId("trade-row")).ToHaveCountAsync(1);
        await Assertions.Expect(ben.GetByTestId("trade-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("order-explanation")).ToContainTextAsync("You were the marginal seller: 1.000 kWh of 1.200 kWh sold");
        await Assertions.Expect(page.GetByTestId("trade-row").First).ToContainTextAsync("Sold");
        await Assertions.Expect(page.GetByTestId("trade-row").First).ToContainTextAsync("1.000 kWh");
        await Assertions.Expect(page.GetByTestId("trade-row").First).ToContainTextAsync("14.00 ct/kWh");
        await Assertions.Expect(ben.GetByTestId("trade-row").First).ToContainTextAsync("Bought");
        var blockOfTheTrade = await page.GetByTestId("trade-row").First.GetByTestId("block-link").GetAttributeAsync("href") ?? "";
        await BrowserFixture.ScreenshotBothAsync(page, "13-market-traded");

        // Statements.
        await BrowserFixture.GotoLiveAsync(page, "statement");
        await Assertions.Expect(page.GetByTestId("sold")).ToHaveTextAsync("1.000 kWh");
        await BrowserFixture.ScreenshotBothAsync(page, "14-statement-seller");
        await BrowserFixture.GotoLiveAsync(ben, "statement");
        await Assertions.Expect(ben.GetByTestId("bought")).ToHaveTextAsync("1.000 kWh");
        var csv = await ben.APIRequest.GetAsync(await ben.GetByTestId("statement-csv").GetAttributeAsync("href") ?? "");
        (await csv.TextAsync()).ShouldContain(",bought,1,14,");

        // The receipt downloads and verifies on its own.
        await BrowserFixture.GotoLiveAsync(page, "market");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("receipt-link").First.ClickAsync());
        var json = await File.ReadAllTextAsync(await download.PathAsync());
        var verification = TradeReceipt.FromJson(json).Verify();
        verification.IsValid.ShouldBeTrue(verification.Failure?.ToString());
        verification.Trade!.Value.EnergyWh.ShouldBe(1000);

        // Other pages, as anyone sees them; the trade's block verifies in the visitor's browser.
        var visitor = await fixture.NewPageAsync();
        await visitor.GotoAsync(blockOfTheTrade);
        await Assertions.Expect(visitor.GetByTestId("block-verdict")).ToContainTextAsync("Verified");
        await Assertions.Expect(visitor.GetByTestId("leaf-row")).ToHaveCountAsync(1);
        foreach (var (path, name) in new[] { ("", "15-home"), ("ledger", "16-ledger"), ("ledger/blocks/3", "17-block"), ("account/login", "18-login") })
        {
            await visitor.GotoAsync(path);
            await BrowserFixture.ScreenshotBothAsync(visitor, name);
        }
    }
}
