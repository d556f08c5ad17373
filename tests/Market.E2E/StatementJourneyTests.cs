using System.Globalization;
using System.Text;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// A household reads its month and downloads the PDF, on a phone and a desktop, in English and German; a trade's
/// receipt shows its QR code and downloads as PDF. Ben bought 1,000 Wh from Anna and used 400 Wh; Anna delivered
/// nothing: after delivery the 600 Wh Ben did not use covered part of Anna's shortfall.
/// </summary>
public sealed class StatementJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private long _trade;

    public async Task InitializeAsync()
    {
        var app = fixture.App;
        await using (var db = app.CreateDb())
        {
            if (db.Trades.Any())
            {
                _trade = db.Trades.Select(t => t.Id).First();
                return;
            }
        }

        var interval = await app.TradeAndClearAsync();
        await app.DeliverAsync(interval, intervalsAfter: 3);
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var start = DateTimeOffset.FromUnixTimeSeconds(interval).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var import = await app.Get<ReadingImportService>().ImportCsvAsync(new StringReader($"{ReadingParser.Header}\n{anna.MeterId},{start},0,0\n{ben.MeterId},{start},400,0\n"), "e2e");
        import.Succeeded.ShouldBeTrue();
        await app.Get<ReconciliationService>().ReconcileDueAsync();
        await using var after = app.CreateDb();
        _trade = after.Trades.Select(t => t.Id).First();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(390, "de-DE")]
    [InlineData(1440, "en-GB")]
    public async Task Statement_Household_ReadsTheMonthAndDownloadsThePdf(int width, string locale)
    {
        var page = await fixture.NewPageAsync(width, 900, locale);
        await BrowserFixture.SignInAsync(page, "ben@demo.energy");

        await BrowserFixture.GotoLiveAsync(page, "statement");

        await Assertions.Expect(page.GetByTestId("benefit-amount")).ToContainTextAsync(locale == "de-DE" ? "," : "€0.");
        await Assertions.Expect(page.GetByTestId("provided")).ToHaveTextAsync(locale == "de-DE" ? "0,600 kWh" : "0.600 kWh");
        await Assertions.Expect(page.GetByTestId("statement-month")).ToHaveTextAsync(locale == "de-DE" ? "Juni 2026" : "June 2026");
        await Assertions.Expect(page.GetByTestId("chart-bar")).ToHaveCountAsync(1);
        await page.GetByTestId("interval-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("interval-row")).ToHaveCountAsync(1);
        await BrowserFixture.AssertFitsWidthAsync(page);
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue();
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, $"statement-{width}-{locale}");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("statement-pdf").ClickAsync());

        download.SuggestedFilename.ShouldBe("statement-2026-06.pdf");
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
        Encoding.ASCII.GetString(bytes, 0, 5).ShouldBe("%PDF-");
        await File.WriteAllBytesAsync(Path.Combine(BrowserFixture.ArtifactsDirectory, $"statement-{locale}.pdf"), bytes);
    }

    [Theory]
    [InlineData(390, "en-GB")]
    [InlineData(1440, "de-DE")]
    public async Task Receipt_Anyone_SeesTheQrAndDownloadsThePdf(int width, string locale)
    {
        var page = await fixture.NewPageAsync(width, 900, locale);

        await BrowserFixture.GotoLiveAsync(page, $"ledger/trades/{_trade}");

        await Assertions.Expect(page.GetByTestId("receipt-qr")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("verification-url")).ToContainTextAsync($"/ledger/trades/{_trade}");
        await BrowserFixture.AssertFitsWidthAsync(page);
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, $"receipt-{width}-{locale}");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await BrowserFixture.ScreenshotAsync(page, $"receipt-print-{width}-{locale}");
        await Assertions.Expect(page.GetByTestId("receipt-pdf")).ToBeHiddenAsync();
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Screen });

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("receipt-pdf").ClickAsync());

        var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
        Encoding.ASCII.GetString(bytes, 0, 5).ShouldBe("%PDF-");
        await File.WriteAllBytesAsync(Path.Combine(BrowserFixture.ArtifactsDirectory, $"receipt-{locale}.pdf"), bytes);
    }
}
