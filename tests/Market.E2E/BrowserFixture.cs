using Market.Web.Tests.Support;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// Serves the app on a loopback port (Kestrel) with a fake clock and drives Debian's headless Chromium through
/// Playwright. A missing browser fails the tests; it never skips them.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    /// <summary>
    /// Debian's <c>chromium-headless-shell</c>: the same Chromium release as the <c>chromium</c> package (same Blink
    /// and V8), built as the headless-only browser that Playwright itself runs for headless Chromium. The full
    /// browser in its headless mode keeps a browser window's machinery per context (a renderer for its own UI among
    /// it) and used three to four times the processor time for the same pages (docs/performance.md, "The test
    /// suite's time").
    /// </summary>
    public const string ChromiumPath = "/usr/bin/chromium-headless-shell";

    private static readonly Lazy<string> AxeScript = new(() => new Deque.AxeCore.Commons.BundledAxeScriptProvider().GetScript());

    public MarketFactory App { get; } = new();

    public IPlaywright Playwright { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>Where the `market` command run by these tests remembers the ledgers it verified (never the user's
    /// own config folder); deleted with the fixture.</summary>
    public string KnownLedgers { get; } = Directory.CreateTempSubdirectory("market-known-ledgers-").FullName;

    /// <summary>The folder holding Market.sln above the test assembly, or null when the tests run elsewhere.</summary>
    public static string? RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Market.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName;
        }
    }

    public static string ArtifactsDirectory
    {
        get
        {
            var path = Path.Combine(RepositoryRoot ?? Path.GetTempPath(), "artifacts", "screenshots");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is required at {ChromiumPath}: run ./test.sh, which installs Debian's chromium-headless-shell package.");
        }

        // Expect(...) retries on its own timeout (Playwright's default 5 s), not the context's: the same 15 s for both.
        Assertions.SetDefaultExpectTimeout(15_000);
        App.UseKestrel(0);
        App.StartServer();
        BaseAddress = App.ClientOptions.BaseAddress;
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>A page in a new context; <paramref name="locale"/> is the browser's language (its Accept-Language).</summary>
    public async Task<IPage> NewPageAsync(int width = 1440, int height = 900, string locale = "en-GB")
    {
        var context = await NewContextAsync(Browser, BaseAddress.ToString(), width, height, storageState: null, locale);
        return await context.NewPageAsync();
    }

    /// <summary>A browser context as every test page gets one: the app's address, a British locale unless another is asked for, 15 s timeouts and
    /// a record of every Content-Security-Policy violation, so a page that needs more than the policy allows fails.</summary>
    private static async Task<IBrowserContext> NewContextAsync(IBrowser browser, string baseUrl, int width, int height, string? storageState, string locale = "en-GB")
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            StorageState = storageState,
        });
        context.SetDefaultTimeout(15_000);
        await context.AddInitScriptAsync("window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.documentURI));");
        return context;
    }

    public static async Task SignInAsync(IPage page, string email, string password = "sunny-rooftops-2026")
    {
        await page.GotoAsync("account/login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.GetByTestId("sign-out").WaitForAsync();
    }

    /// <summary>Navigates and waits until the Blazor circuit is connected, so input is not lost to a re-render.</summary>
    public static async Task GotoLiveAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator("[data-testid=page-state][data-interactive=yes]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    /// <summary>
    /// Opens the API reference (/api/docs/) and waits for its title. The reference is one 1.4 MB (compressed) script
    /// bundle, which Chromium parses before the page's load event: on two cores busy with other tests that can take
    /// longer than the usual 15 s, so this waits up to a minute for it.
    /// </summary>
    public static async Task OpenApiReferenceAsync(IPage page, string title)
    {
        await page.GotoAsync("api/docs/", new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = title })).ToBeVisibleAsync(new() { Timeout = 60_000 });
    }

    /// <summary>On /ledger/verify, presses the button and waits for this run's verdict (the bar shows progress meanwhile).</summary>
    public static async Task<string> VerifyAsync(IPage page)
    {
        var start = page.GetByTestId("verify-start");
        var runs = int.Parse(await start.GetAttributeAsync("data-runs") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await start.ClickAsync();
        var result = page.Locator($"[data-testid=verify-result][data-run='{runs + 1}']");
        await result.WaitForAsync(new() { Timeout = 60_000 });
        // Let the button's colour transition finish, so screenshots show the settled page.
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running')");
        return (await result.InnerTextAsync()).Trim();
    }

    /// <summary>Fails when the page broke its Content-Security-Policy (a blocked script, style, connection...).</summary>
    public static async Task AssertNoPolicyViolationsAsync(IPage page)
    {
        var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations || []");
        if (violations.Length > 0)
        {
            throw new Xunit.Sdk.XunitException($"Content-Security-Policy violations on {page.Url}: {string.Join("; ", violations)}");
        }
    }

    /// <summary>Runs axe-core on the page and fails on any serious or critical violation, naming them; also fails on
    /// any Content-Security-Policy violation.</summary>
    /// <remarks>
    /// axe-core (the version the Deque package bundles) runs in the page itself. The package's own RunAxe would also
    /// open and close a blank page for every scan, to merge results from frames, which made each scan about three
    /// times as long; the app's pages have no frames, and one that had would fail here rather than go unscanned.
    /// </remarks>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        await AssertNoPolicyViolationsAsync(page);
        if (await page.EvaluateAsync<int>("() => document.querySelectorAll('iframe, frame').length") > 0)
        {
            throw new Xunit.Sdk.XunitException($"{page.Url} has a frame, which the accessibility scan does not cover.");
        }

        if (await page.EvaluateAsync<bool>("() => typeof window.axe === 'undefined'"))
        {
            await page.EvaluateAsync(AxeScript.Value);
        }

        // Snackbars fade in and out; mid-animation their partial opacity reads as low contrast. Their colours are
        // the theme's (checked where they appear as alerts), so they are left out of the scan.
        var serious = await page.EvaluateAsync<string[]>(
            """
            async () => (await window.axe.run({ exclude: ['#mud-snackbar-container'] }, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)
            """);
        if (serious.Length > 0)
        {
            throw new Xunit.Sdk.XunitException($"Accessibility violations on {page.Url}: {string.Join("; ", serious)}");
        }
    }

    /// <summary>Screenshots at the page's own width ("-wide") and at phone width (390 px, "-narrow"), and checks
    /// accessibility at both and that nothing is wider than the phone's window.</summary>
    /// <remarks>
    /// The phone width is the same page narrowed, as a window is resized: the page keeps its circuit and its state,
    /// and returns to its own size afterwards. Loading the page afresh in a second browser context for the phone cost
    /// the browser a whole page load each time (most of the browser tests' processor time); the pages load at phone
    /// width in their own right in PhoneFirstPagesTests and the phone-sized journeys.
    /// </remarks>
    public static async Task ScreenshotBothAsync(IPage page, string name)
    {
        await WaitUntilLiveAsync(page);
        await ScreenshotAsync(page, name + "-wide");
        await AssertAccessibleAsync(page);
        var size = page.ViewportSize ?? throw new InvalidOperationException("The page has no viewport size.");
        await ResizeAsync(page, 390, 844);
        try
        {
            await ScreenshotAsync(page, name + "-narrow");
            await AssertAccessibleAsync(page);
            await AssertFitsWidthAsync(page);
        }
        finally
        {
            await ResizeAsync(page, size.Width, size.Height);
        }
    }

    /// <summary>Resizes the window and waits until the page has settled at the new size: the layout follows at once,
    /// components that render per breakpoint follow one round trip to the server later, so it waits until the page
    /// has not changed for a moment.</summary>
    public static async Task ResizeAsync(IPage page, int width, int height)
    {
        await page.SetViewportSizeAsync(width, height);
        await page.WaitForFunctionAsync($"() => window.innerWidth === {width}");
        await page.EvaluateAsync(
            """
            () => new Promise(resolve => {
              let timer = setTimeout(done, 400);
              const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, 400); });
              function done() { observer.disconnect(); resolve(); }
              observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
              setTimeout(done, 5000);
            })
            """);
        // Transitions started by the resize (a drawer closing) end; endless ones (a spinner) are not waited for.
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)");
    }

    /// <summary>Fails when the page is wider than the window (a phone would scroll sideways), naming the widest
    /// elements that stick out. Wide tables scroll inside their own container and do not count.</summary>
    public static async Task AssertFitsWidthAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<string[]>(
            """
            () => {
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= width) return [];
              return [...document.body.querySelectorAll('*')]
                .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll, .mud-table-container'))
                .slice(-3)
                .map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' → ' + Math.round(e.getBoundingClientRect().right) + ' px');
            }
            """);
        if (overflow.Length > 0)
        {
            var width = await page.EvaluateAsync<int>("() => document.documentElement.clientWidth");
            throw new Xunit.Sdk.XunitException($"{page.Url} is wider than the {width} px window: {string.Join("; ", overflow)}");
        }
    }

    /// <summary>Waits until the page is interactive (or rendered statically), so checks never see prerendered markup
    /// that the first interactive render is about to replace.</summary>
    private static Task WaitUntilLiveAsync(IPage page) =>
        page.Locator("[data-testid=page-state][data-interactive=yes], [data-testid=page-state][data-interactive=static]")
            .WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Waits until Blazor's file input listens for a chosen file: it attaches its listener one round trip
    /// after the first interactive render, and a file set before that is silently ignored.</summary>
    public static Task WaitForFileInputAsync(IPage page) =>
        page.WaitForFunctionAsync("() => { const i = document.querySelectorAll('input[type=file]'); return i.length > 0 && i[i.length - 1]._blazorInputFileNextFileId !== undefined; }");

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
        Directory.Delete(KnownLedgers, recursive: true);
    }
}
