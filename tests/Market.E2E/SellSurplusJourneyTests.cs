using Market.Web.Tests.MyHome;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// Anna signs in, lands on My Home, follows "what to do next" and sells her forecast surplus of the afternoon in one
/// action, on a phone and on a desktop, in English and in German. Each case has an app of its own: it posts orders.
/// </summary>
public sealed class SellSurplusJourneyTests
{
    [Theory]
    [InlineData(1440, 900, "en-GB", "12.800 kWh", "wide-en")]
    [InlineData(390, 844, "de-DE", "12,800 kWh", "narrow-de")]
    public async Task Journey_MyHomeSuggestsTheAfternoon_PreviewThenPostSellsTheForecastSurplus(int width, int height, string locale, string surplus, string name)
    {
        var fixture = new BrowserFixture();
        await fixture.InitializeAsync();
        try
        {
            await SunnyAfternoons.SeedAsync(fixture.App);
            var page = await fixture.NewPageAsync(width, height, locale);

            // Signed in, "/" is My Home: the forecast and what to do next.
            await BrowserFixture.SignInAsync(page, DemoRoster.AnnaEmail);
            await BrowserFixture.GotoLiveAsync(page, "");
            await Assertions.Expect(page.GetByTestId("next-step-text")).ToContainTextAsync($"Today 13:00–17:00 you expect at least {surplus} of surplus");
            await Assertions.Expect(page.GetByTestId("forecast-chart-today")).ToBeVisibleAsync();
            await Checked(page, $"40-my-home-{name}");

            // "Sell it": the afternoon's intervals, each with the low end of its band, and the suggested price.
            await page.GetByTestId("next-step-action").ClickAsync();
            await page.WaitForURLAsync("**/sell?from=*");
            await page.Locator("[data-testid=page-state][data-interactive=yes]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.GetByTestId("plan-row")).ToHaveCountAsync(16);
            await Checked(page, $"41-sell-plan-{name}");

            // Nothing posts before the preview is confirmed.
            await page.GetByTestId("plan-preview").ClickAsync();
            await Assertions.Expect(page.GetByTestId("plan-summary-text")).ToContainTextAsync("16 offers of");
            await Checked(page, $"42-sell-preview-{name}");
            (await OpenOffersAsync(fixture)).ShouldBe(0);
            await page.GetByTestId("plan-post").ClickAsync();

            await Assertions.Expect(page.GetByTestId("plan-results")).ToContainTextAsync("16 offers posted");
            await Checked(page, $"43-sell-posted-{name}");
            (await OpenOffersAsync(fixture)).ShouldBe(16);
            await BrowserFixture.GotoLiveAsync(page, "");
            await Assertions.Expect(page.GetByTestId("open-orders")).ToContainTextAsync("and 8 more");
            await Assertions.Expect(page.GetByTestId("next-step-text")).Not.ToContainTextAsync("13:00–17:00 you expect");
            await Checked(page, $"44-my-home-after-{name}");
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static async Task<int> OpenOffersAsync(BrowserFixture fixture)
    {
        await using var db = fixture.App.CreateDb();
        return await db.Orders.CountAsync(o => o.Side == OrderSide.Sell && o.Status == OrderStatus.Open && o.EnergyWh == 800);
    }

    // A screenshot of the whole page, no serious accessibility violation, never wider than the window.
    private static async Task Checked(IPage page, string name)
    {
        await BrowserFixture.ScreenshotAsync(page, name);
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.AssertFitsWidthAsync(page);
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue($"{name} is wider than the window");
    }
}

/// <summary>Where each role lands after signing in: "/" is their own start, never a "sign in to trade".</summary>
public sealed class LandingTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData("manager@demo.energy", "/dashboard", "Community dashboard", 1440, "45-manager-lands-wide")]
    [InlineData("manager@demo.energy", "/dashboard", "Community dashboard", 390, "45-manager-lands-narrow")]
    [InlineData("operator@demo.energy", "/operator", "Operator overview", 1440, "46-operator-lands-wide")]
    [InlineData("operator@demo.energy", "/operator", "Operator overview", 390, "46-operator-lands-narrow")]
    [InlineData("auditor@demo.energy", "/", "Sonnenfeld Energy Community", 390, "47-auditor-lands-narrow")]
    public async Task SignIn_Role_LandsOnItsOwnStartWithoutSignInToTrade(string email, string path, string heading, int width, string name)
    {
        var page = await fixture.NewPageAsync(width, 844);

        await BrowserFixture.SignInAsync(page, email);
        await BrowserFixture.GotoLiveAsync(page, "");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
        new Uri(page.Url).AbsolutePath.ShouldBe(path);
        await Assertions.Expect(page.GetByTestId("sign-in-to-trade")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, name);
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.AssertFitsWidthAsync(page);
    }

    [Theory]
    [InlineData(1440, "48-community-overview-wide")]
    [InlineData(390, "48-community-overview-narrow")]
    public async Task Overview_Visitor_SignInToTradeAndFitsThePhone(int width, string name)
    {
        var page = await fixture.NewPageAsync(width, 844);

        await BrowserFixture.GotoLiveAsync(page, "");

        await Assertions.Expect(page.GetByTestId("sign-in-to-trade")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, name);
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.AssertFitsWidthAsync(page);
    }
}
