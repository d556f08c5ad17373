using System.Text.Json;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// What surrounds every page, at phone (390 px) and desktop (1440 px) width: the layout around unknown addresses, the
/// API reference's way back, the keyboard's focus ring and where notices appear.
/// </summary>
public sealed class AppFrameTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string ApiTitle = "Community energy market API";

    [Fact]
    public async Task UnknownPage_Opened_NotFoundInsideTheLayout()
    {
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("no-such-page");

        // Checked once the page settled: an interactive router would have replaced the layout with bare text.
        await BrowserFixture.ScreenshotBothAsync(page, "not-found");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("There is no page at this address.");
        await Assertions.Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ledger", Exact = true })).ToBeVisibleAsync();
        // No menu item claims to be this page.
        (await page.Locator(".mud-nav-link.active").CountAsync()).ShouldBe(0);
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1440)]
    public async Task UnknownPage_KeyboardToTheTop_SkipLinkShownWithThisAddress(int width)
    {
        var page = await fixture.NewPageAsync(width, 844);
        await page.GotoAsync("no-such-page");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        var skip = page.GetByTestId("skip-link");

        // The page puts the focus on its heading; the skip link is the first stop above it.
        for (var i = 0; i < 40 && (await StopAsync(page)).TestId != "skip-link"; i++)
        {
            await page.Keyboard.PressAsync("Shift+Tab");
        }

        await Assertions.Expect(skip).ToBeFocusedAsync();
        await Assertions.Expect(skip).ToBeInViewportAsync();
        (await skip.GetAttributeAsync("href")).ShouldBe("no-such-page#main-content");
        (await StopAsync(page)).Outline.ShouldBe("solid");
        await BrowserFixture.ScreenshotAsync(page, $"skip-link-{width}");
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1440)]
    public async Task ApiReference_Opened_NoAskAiOrDeployAndALinkBack(int width)
    {
        var page = await fixture.NewPageAsync(width, 844);

        await BrowserFixture.OpenApiReferenceAsync(page, ApiTitle);

        await Assertions.Expect(page.GetByTestId("back-to-app")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, $"api-docs-{width}");
        (await page.GetByText("Ask AI").CountAsync()).ShouldBe(0);
        (await page.GetByText("Deploy", new() { Exact = true }).CountAsync()).ShouldBe(0);
        await BrowserFixture.AssertNoPolicyViolationsAsync(page);
    }

    [Fact]
    public async Task ApiReference_BackLink_OpensTheOverview()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.OpenApiReferenceAsync(page, ApiTitle);

        await page.GetByTestId("back-to-app").ClickAsync();

        await Assertions.Expect(page.GetByTestId("page-state")).ToBeAttachedAsync();
        page.Url.ShouldBe(fixture.BaseAddress.ToString());
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1440)]
    public async Task Keyboard_TabThroughAPage_EveryStopRingedTheFilledButtonIncluded(int width)
    {
        var page = await fixture.NewPageAsync(width, 844);
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        // The router puts the focus on the page's title once the page is interactive (FocusOnNavigate); a Tab
        // pressed before that would be followed by the focus jumping back to the title.
        await page.WaitForFunctionAsync("() => document.activeElement?.tagName === 'H1'");
        var stops = new List<FocusStop>();

        // From the title: forward to the filled button, then back to the skip link.
        for (var i = 0; i < 40 && !stops.Any(s => s.TestId == "verify-start"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            stops.Add(await StopAsync(page));
        }

        await BrowserFixture.ScreenshotAsync(page, $"focus-filled-button-{width}");
        for (var i = 0; i < 60 && !stops.Any(s => s.TestId == "skip-link"); i++)
        {
            await page.Keyboard.PressAsync("Shift+Tab");
            stops.Add(await StopAsync(page));
        }

        stops.ShouldContain(s => s.TestId == "verify-start", "the filled button is reached by Tab");
        stops.ShouldContain(s => s.TestId == "skip-link", "the skip link is reached by Shift+Tab");
        // Text fields and selects keep MudBlazor's focus border; every other stop draws the ring.
        stops.Where(s => s.Tag != "body" && !s.InTextField && (s.Outline != "solid" || s.OutlineWidth < 3))
            .Select(s => $"{s.Tag} '{s.Name}' ({s.Outline} {s.OutlineWidth}px)")
            .ShouldBeEmpty();
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1440)]
    public async Task Notice_AfterSaving_ClearOfThePageTitle(int width)
    {
        var page = await fixture.NewPageAsync(width, 844);
        await BrowserFixture.SignInAsync(page, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "account");

        await page.GetByTestId("save-site").ClickAsync();

        var notice = page.Locator(".mud-snackbar").Filter(new() { HasText = "Saved." });
        await Assertions.Expect(notice).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, $"notice-{width}");
        var title = await page.GetByRole(AriaRole.Heading, new() { Name = "My account", Level = 1 }).BoundingBoxAsync();
        var box = await notice.BoundingBoxAsync();
        title.ShouldNotBeNull();
        box.ShouldNotBeNull();
        var overlaps = box.X < title.X + title.Width && title.X < box.X + box.Width && box.Y < title.Y + title.Height && title.Y < box.Y + box.Height;
        overlaps.ShouldBeFalse($"notice at {box.X},{box.Y} {box.Width}x{box.Height}; title at {title.X},{title.Y} {title.Width}x{title.Height}");
    }

    /// <summary>The focused element and the outline the browser draws around it.</summary>
    private static async Task<FocusStop> StopAsync(IPage page)
    {
        var e = await page.EvaluateAsync<JsonElement>(
            """
            () => {
              const e = document.activeElement || document.body;
              const s = getComputedStyle(e);
              return {
                tag: e.tagName.toLowerCase(),
                name: (e.getAttribute('aria-label') || e.innerText || '').trim().slice(0, 40),
                testId: e.getAttribute('data-testid') || '',
                outline: s.outlineStyle,
                outlineWidth: parseFloat(s.outlineWidth) || 0,
                inTextField: !!e.closest('.mud-input-control') && !e.closest('.mud-button-root'),
              };
            }
            """);
        return new FocusStop(
            e.GetProperty("tag").GetString()!,
            e.GetProperty("name").GetString()!,
            e.GetProperty("testId").GetString()!,
            e.GetProperty("outline").GetString()!,
            e.GetProperty("outlineWidth").GetDouble(),
            e.GetProperty("inTextField").GetBoolean());
    }

    private sealed record FocusStop(string Tag, string Name, string TestId, string Outline, double OutlineWidth, bool InTextField);
}
