using Microsoft.Playwright;

namespace Market.E2E;

public sealed class TradeJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Journey_OfferAndBidCross_BothSeeTradeAndVisitorSeesVerifiedBlock()
    {
        var seller = await fixture.NewPageAsync();
        var buyer = await fixture.NewPageAsync(390, 844);
        var interval = fixture.App.Get<MarketClock>().FirstOpenInterval();

        await BrowserFixture.SignInAsync(seller, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(seller, "market");
        await PostAsync(seller, side: null, kwh: "1.5", cents: "15");
        await seller.GetByTestId("order-row").First.WaitForAsync();
        await BrowserFixture.ScreenshotAsync(seller, "01-seller-offer-posted-wide");

        await BrowserFixture.SignInAsync(buyer, "ben@demo.energy");
        await BrowserFixture.GotoLiveAsync(buyer, "market");
        await PostAsync(buyer, side: "Buy (bid)", kwh: "1", cents: "25");
        await buyer.GetByTestId("order-row").First.WaitForAsync();
        await BrowserFixture.ScreenshotAsync(buyer, "02-buyer-bid-posted-narrow");

        await fixture.App.CloseGateAndClearAsync(interval);

        // Open pages update live when the interval clears: no reload.
        await Assertions.Expect(seller.GetByTestId("trade-row")).ToHaveCountAsync(1);
        await Assertions.Expect(buyer.GetByTestId("trade-row")).ToHaveCountAsync(1);
        await Assertions.Expect(seller.GetByTestId("trade-row").First).ToContainTextAsync("Sold");
        await Assertions.Expect(seller.GetByTestId("trade-row").First).ToContainTextAsync("1.000 kWh");
        await Assertions.Expect(seller.GetByTestId("trade-row").First).ToContainTextAsync("15.00 ct/kWh");
        await Assertions.Expect(buyer.GetByTestId("trade-row").First).ToContainTextAsync("Bought");
        await BrowserFixture.ScreenshotAsync(seller, "03-seller-trade-wide");
        await BrowserFixture.ScreenshotAsync(buyer, "04-buyer-trade-narrow");

        var visitor = await fixture.NewPageAsync();
        await visitor.GotoAsync("ledger");
        await visitor.GetByTestId("block-row").First.WaitForAsync();
        await BrowserFixture.ScreenshotAsync(visitor, "05-ledger-wide");
        await seller.GetByTestId("trade-row").First.GetByTestId("block-link").ClickAsync();
        var href = seller.Url;
        await visitor.GotoAsync(href);
        await Assertions.Expect(visitor.GetByTestId("block-verdict")).ToContainTextAsync("Verified");
        await Assertions.Expect(visitor.GetByTestId("leaf-row")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(visitor, "06-block-verified-wide");
    }

    private static async Task PostAsync(IPage page, string? side, string kwh, string cents)
    {
        if (side is not null)
        {
            await page.GetByTestId("side").GetByText(side).ClickAsync();
        }

        await page.Locator("#order-energy").FillAsync(kwh);
        await page.Locator("#order-price").FillAsync(cents);
        await page.GetByTestId("place-order").ClickAsync();
    }
}
