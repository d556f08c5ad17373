using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>A household hears about its own trade: a toast at the bottom, the bell's count, the notifications page.</summary>
public sealed class NotificationsJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData(1440, 900, "en-GB", "wide-en", "1.000 kWh")]
    [InlineData(390, 844, "de-DE", "narrow-de", "1,000 kWh")]
    public async Task Journey_OfferFills_ToastBellAndListTellTheSeller(int width, int height, string locale, string name, string energy)
    {
        var page = await fixture.NewPageAsync(width, height, locale);
        await BrowserFixture.SignInAsync(page, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "notifications");
        var before = await page.GetByTestId("notification").CountAsync();
        var interval = fixture.App.Get<MarketClock>().FirstOpenInterval();

        await fixture.App.AnnaSellsToBenAsync(interval);
        await fixture.App.CloseGateAndClearAsync(interval);

        var toast = page.Locator(".mud-snackbar").Filter(new() { HasText = "filled" });
        await Assertions.Expect(toast.First).ToContainTextAsync($"filled: {energy} for");
        await Assertions.Expect(page.GetByTestId("notification")).ToHaveCountAsync(before + 1);
        await Assertions.Expect(page.GetByTestId("notification").First).ToHaveAttributeAsync("data-kind", "Filled");
        await Assertions.Expect(page.GetByTestId("bell")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Notifications, \\d+ unread$"));
        var title = await page.Locator("h1").BoundingBoxAsync();
        var box = await toast.First.BoundingBoxAsync();
        title.ShouldNotBeNull();
        box.ShouldNotBeNull();
        (box.Y >= title.Y + title.Height || box.Y + box.Height <= title.Y).ShouldBeTrue("the toast covers the page title");
        await ShotAsync(page, $"notifications-fill-toast-{name}");
        await BrowserFixture.AssertAccessibleAsync(page);
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue("the page is wider than the window");
        await BrowserFixture.AssertFitsWidthAsync(page);

        await page.GetByTestId("mark-all-read").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=notification][data-unread=yes]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("bell")).ToHaveAttributeAsync("aria-label", "Notifications");
        await ShotAsync(page, $"notifications-read-{name}");
    }

    private static Task ShotAsync(IPage page, string name) => BrowserFixture.ScreenshotAsync(page, name);
}
