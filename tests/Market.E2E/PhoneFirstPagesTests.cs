using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// The trade, ledger and utility pages on a phone (390 px) and a desktop (1440 px), in English and German: never
/// wider than the window, Sign out reachable, no serious accessibility findings; and the order form by keyboard alone.
/// </summary>
public sealed class PhoneFirstPagesTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    /// <summary>Where the screenshots of this class also go, for people to look at (besides artifacts/).</summary>
    private static readonly string Shots = Environment.GetEnvironmentVariable("MARKET_SHOTS") ?? BrowserFixture.ArtifactsDirectory;

    public async Task InitializeAsync()
    {
        // Enough history for Older to appear: a cleared trade and thirty finished orders of Anna's on earlier days.
        await using (var check = fixture.App.CreateDb())
        {
            if (await check.Trades.AnyAsync())
            {
                return;
            }
        }

        var clock = fixture.App.Get<MarketClock>();
        var first = clock.FirstOpenInterval();
        var length = clock.LengthOf(first);
        var anna = await fixture.App.HouseholdAsync("anna@demo.energy");
        await using (var db = fixture.App.CreateDb())
        {
            for (var i = 1; i <= 30; i++)
            {
                var order = OrderEntity.Open(anna.Id, i % 3 == 0 ? OrderSide.Buy : OrderSide.Sell, 250 * i, 1200 + (10 * i), first - (i * 7 * length), 0);
                order.Status = (i % 4) switch { 0 => OrderStatus.Cancelled, 1 => OrderStatus.Unmatched, 2 => OrderStatus.Filled, _ => OrderStatus.PartiallyFilled };
                order.FilledWh = order.Status == OrderStatus.Filled ? order.EnergyWh : order.Status == OrderStatus.PartiallyFilled ? order.EnergyWh / 2 : 0;
                db.Orders.Add(order);
            }

            await db.SaveChangesAsync();
        }

        await fixture.App.AnnaSellsToBenAsync(first);
        await fixture.App.CloseGateAndClearAsync(first);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("market", "anna@demo.energy", 1440, "en-GB")]
    [InlineData("market", "anna@demo.energy", 390, "de-DE")]
    [InlineData("ledger", null, 390, "en-GB")]
    [InlineData("ledger", null, 1440, "de-DE")]
    [InlineData("utility", "manager@demo.energy", 1440, "en-GB")]
    [InlineData("utility", "manager@demo.energy", 390, "de-DE")]
    public async Task Page_PhoneAndDesktop_NeverWiderThanTheWindowAndAccessible(string path, string? user, int width, string locale)
    {
        var page = await fixture.NewPageAsync(width, 844, locale);
        if (user is not null)
        {
            await BrowserFixture.SignInAsync(page, user);
        }

        await BrowserFixture.GotoLiveAsync(page, path);
        await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).First.WaitForAsync();
        if (path == "market")
        {
            await page.GetByTestId("trade-row").First.WaitForAsync();
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"{path}-{width}-{locale}.png"), FullPage = true });
        var size = await page.EvaluateAsync<JsonElement>("() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })");
        size.GetProperty("scroll").GetInt32().ShouldBeLessThanOrEqualTo(size.GetProperty("inner").GetInt32());
        await BrowserFixture.AssertFitsWidthAsync(page);
        await BrowserFixture.AssertAccessibleAsync(page);
        if (user is not null)
        {
            var signOut = page.GetByTestId("sign-out");
            await Assertions.Expect(signOut).ToBeInViewportAsync(new() { Ratio = 1 });
            var box = await signOut.BoundingBoxAsync();
            box.ShouldNotBeNull();
            (box.X + box.Width).ShouldBeLessThanOrEqualTo(width);
        }
    }

    [Fact]
    public async Task TradePage_Phone_EveryOrderRowIsOneBlockWithStatusExplanationAndOlderPages()
    {
        var page = await fixture.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(page, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "market");
        var rows = page.Locator("#history [data-testid=order-row]");
        await Assertions.Expect(rows).ToHaveCountAsync(25);

        var firstPage = await rows.First.InnerTextAsync();
        await page.GetByTestId("finished-orders-older").ClickAsync();

        await Assertions.Expect(rows).ToHaveCountAsync(6);
        (await rows.First.InnerTextAsync()).ShouldNotBe(firstPage);
        // One block per row: status and explanation sit inside the window, not behind a sideways scroll.
        foreach (var cell in new[] { "Status", "What happened" })
        {
            var box = await rows.First.Locator($"td[data-label='{cell}']").BoundingBoxAsync();
            box.ShouldNotBeNull();
            (box.X + box.Width).ShouldBeLessThanOrEqualTo(390);
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "market-390-older-page.png"), FullPage = true });
        await page.GetByTestId("finished-orders-newer").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(25);
    }

    [Theory]
    [InlineData("en-GB", "ben@demo.energy", "0.5", "20.5", "Bid of 0.500 kWh at 20.50 ct/kWh posted")]
    [InlineData("de-DE", "anna@demo.energy", "0,25", "19,5", "Bid of 0,250 kWh at 19,50 ct/kWh posted")]
    public async Task OrderForm_KeyboardOnly_TabToSideArrowToBuyTypeAndEnterPosts(string locale, string user, string kwh, string cents, string notice)
    {
        var page = await fixture.NewPageAsync(390, 844, locale);
        await BrowserFixture.SignInAsync(page, user);
        await BrowserFixture.GotoLiveAsync(page, "market");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Post an order" }).WaitForAsync();
        var open = page.Locator("#open-orders [data-testid=order-row]");
        var before = await open.CountAsync();

        await TabToAsync(page, "side-sell");
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.GetByTestId("side-buy")).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByTestId("side-buy")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByTestId("place-order")).ToHaveTextAsync("Post bid");
        var ring = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement.closest('label')).outlineStyle");
        ring.ShouldBe("solid");
        await TabToAsync(page, "order-energy");
        await page.Keyboard.TypeAsync(kwh);
        await TabToAsync(page, "order-price");
        await page.Keyboard.TypeAsync(cents);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, $"order-form-keyboard-{locale}.png") });
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByText(notice)).ToBeVisibleAsync();
        await Assertions.Expect(open).ToHaveCountAsync(before + 1);
        await Assertions.Expect(open.Filter(new() { HasText = "Bid" })).ToHaveCountAsync(1);
    }

    /// <summary>Presses Tab until the element with this test id or id has the focus (at most 40 stops).</summary>
    private static async Task TabToAsync(IPage page, string target)
    {
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var at = await page.EvaluateAsync<string>("() => document.activeElement?.getAttribute('data-testid') || document.activeElement?.id || ''");
            if (at == target)
            {
                return;
            }
        }

        throw new Xunit.Sdk.XunitException($"Tab never reached {target}.");
    }
}
