using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// Numbers the app cannot hold, typed into the forms that take energies and prices, are messages; the page stays live
/// (the circuit survives) and nothing is stored.
/// </summary>
public sealed class TypedNumbersTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Huge = "79228162514264337593543950335";

    [Theory]
    [InlineData(1440, 900, "wide")]
    [InlineData(390, 844, "narrow")]
    public async Task TradePage_NumbersNoOrderCanHold_MessagesUnderTheFieldsAndOrdersStillPost(int width, int height, string name)
    {
        var page = await fixture.NewPageAsync(width, height);
        await BrowserFixture.SignInAsync(page, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "market");

        await page.Locator("#order-energy").FillAsync(Huge);
        await page.Locator("#order-price").FillAsync("12");
        await page.GetByTestId("place-order").ClickAsync();
        await page.Locator("#standing-energy").FillAsync("1");
        await page.Locator("#standing-price").FillAsync(Huge);
        await page.GetByTestId("create-standing").ClickAsync();

        await Assertions.Expect(page.GetByText("Enter an energy from 0.001 kWh up to")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("standing-error")).ToContainTextAsync("Enter a price in ct/kWh within the price band");
        await BrowserFixture.ScreenshotAsync(page, $"15-market-numbers-refused-{name}");
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.AssertFitsWidthAsync(page);
        await page.Locator("#order-energy").FillAsync("0.5");
        await page.GetByTestId("place-order").ClickAsync();
        await Assertions.Expect(page.GetByText("Offer of 0.500 kWh at 12.00 ct/kWh posted")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task RulesPage_PricesNoRuleCanHold_MessageAndNothingSealed()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "manager@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "rules");
        var history = page.GetByTestId("rules-history").Locator("tbody tr");
        await Assertions.Expect(history).ToHaveCountAsync(1);
        var before = fixture.App.Get<RulesBook>().Latest;

        await page.Locator("#rules-ceiling").FillAsync(Huge);
        await page.GetByTestId("rules-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rules-error")).ToContainTextAsync("The price ceiling is beyond any price the market can hold");
        await BrowserFixture.ScreenshotAsync(page, "34-rules-number-refused-wide");
        await page.Locator("#rules-ceiling").FillAsync("39.7");
        await page.Locator("#rules-floor").FillAsync("7.861");
        await page.GetByTestId("rules-save").ClickAsync();

        await Assertions.Expect(page.GetByTestId("rules-error")).ToContainTextAsync("Enter the price floor in ct/kWh with at most two decimals");
        await Assertions.Expect(history).ToHaveCountAsync(1);
        fixture.App.Get<RulesBook>().Latest.ShouldBe(before);
    }

    [Fact]
    public async Task TradePage_GermanBrowser_DecimalCommaPostsATenthOfAKWh()
    {
        var page = await fixture.NewPageAsync(locale: "de-DE");
        await BrowserFixture.SignInAsync(page, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "market");

        await page.Locator("#order-energy").FillAsync("0,1");
        await page.Locator("#order-price").FillAsync("12,5");
        await page.GetByTestId("place-order").ClickAsync();

        await Assertions.Expect(page.GetByText("Offer of 0,100 kWh at 12,50 ct/kWh posted")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "15-market-german-decimal-comma-wide");
    }
}
