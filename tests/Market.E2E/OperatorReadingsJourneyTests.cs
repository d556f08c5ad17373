extern alias cli;

using System.Globalization;
using Market.Web.Accounts;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>An operator uploads meter readings after delivery; a bad file changes nothing, a good one seals a reconciliation.</summary>
public sealed class OperatorReadingsJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Journey_OperatorUploadsBadThenGoodReadings_ErrorsListedThenReconciliationSealedAndShown()
    {
        var app = fixture.App;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1000, 1200, interval));
        await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1000, 2500, interval));
        await app.CloseGateAndClearAsync(interval);
        app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(app.Get<MarketClock>().Next(interval) + 60));
        var start = DateTimeOffset.FromUnixTimeSeconds(interval).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var dir = Directory.CreateTempSubdirectory("readings-").FullName;
        var bad = Path.Combine(dir, "bad.csv");
        var good = Path.Combine(dir, "good.csv");
        // Anna exported 800 Wh of the 1,000 she sold: 200 Wh short; Ben took what he bought and 150 Wh more.
        await File.WriteAllTextAsync(bad, $"{ReadingParser.Header}\n{anna.MeterId},{start},0,800\nMTR-NOBODY,{start},100,0\n{ben.MeterId},{start},-5,0\n");
        await File.WriteAllTextAsync(good, $"{ReadingParser.Header}\n{anna.MeterId},{start},0,800\n{ben.MeterId},{start},1150,0\n");
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "operator@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "operator/readings");
        // The operator sees which meters the delivered interval waits for before uploading anything.
        await Assertions.Expect(page.GetByTestId("waiting-summary")).ToContainTextAsync("2 readings missing");
        await Assertions.Expect(page.GetByTestId("waiting")).ToContainTextAsync(anna.MeterId!);
        await BrowserFixture.ScreenshotBothAsync(page, "59-readings-waiting");

        await BrowserFixture.WaitForFileInputAsync(page);
        await page.Locator("input[type=file]").Last.SetInputFilesAsync(bad);

        await Assertions.Expect(page.GetByTestId("upload-result")).ToContainTextAsync("nothing was stored");
        await Assertions.Expect(page.GetByTestId("upload-errors")).ToContainTextAsync("MTR-NOBODY");
        await BrowserFixture.ScreenshotAsync(page, "60-readings-errors-wide");
        await BrowserFixture.AssertAccessibleAsync(page);
        await using (var db = app.CreateDb())
        {
            (await db.MeterReadings.CountAsync()).ShouldBe(0);
        }

        await page.Locator("input[type=file]").Last.SetInputFilesAsync(good);

        // Waits for the outcome itself: while the file is read the previous message is gone, so "not the error" proves nothing.
        await Assertions.Expect(page.GetByTestId("upload-result")).ToContainTextAsync("2 new readings, 0 corrections, 0 unchanged; 1 interval reconciled and sealed.");
        await Assertions.Expect(page.GetByTestId("waiting-none")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotBothAsync(page, "61-readings-stored");
        long height;
        await using (var db = app.CreateDb())
        {
            (await db.MeterReadings.CountAsync()).ShouldBe(2);
            height = await db.Blocks.Where(b => b.Kind == (byte)Market.Ledger.BlockKind.Reconciliation).Select(b => b.Height).SingleAsync();
        }

        await BrowserFixture.GotoLiveAsync(page, $"ledger/blocks/{height}");
        await BrowserFixture.ScreenshotBothAsync(page, "62-reconciliation-block");

        // An auditor's command line checks the sealed reconciliation too.
        var auditor = new System.CommandLine.RootCommand();
        auditor.Subcommands.Add(cli::Market.Cli.Commands.LedgerCommand.Create());
        using var output = new StringWriter();
        var exit = auditor.Parse(["ledger", "verify", fixture.BaseAddress.ToString(), "--known-ledgers", fixture.KnownLedgers]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });
        exit.ShouldBe(0, output.ToString());
        output.ToString().ShouldContain("1 reconciliation; every clearing replayed; reconciliations: public checks only");

        // An authorised auditor fetches every household's openings and checks the reconciliation in full.
        string auditorId;
        await using (var db = app.CreateDb())
        {
            auditorId = (await db.Users.SingleAsync(u => u.Email == "auditor@demo.energy")).Id;
        }

        var (_, token) = await app.Get<ApiTokenService>().CreateAsync(auditorId, "audit");
        using (var client = new HttpClient { BaseAddress = fixture.BaseAddress })
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var day = DateOnly.FromDateTime(app.Get<MarketClock>().ToLocal(interval).DateTime);
            var openings = await client.GetStringAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"api/audit/reconciliation-openings?from={day:yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}"), UriKind.Relative));
            await File.WriteAllTextAsync(Path.Combine(dir, "openings.jsonl"), openings);
        }

        using var full = new StringWriter();
        exit = auditor.Parse(["ledger", "verify", fixture.BaseAddress.ToString(), "--openings", Path.Combine(dir, "openings.jsonl")]).Invoke(new System.CommandLine.InvocationConfiguration { Output = full, Error = full });
        exit.ShouldBe(0, full.ToString());
        full.ToString().ShouldContain("reconciliations: 2 of 2 household records opened and checked, 1 of 1 reconciliations checked in full");

        // The community's aggregate for the network operator: 800 Wh exported, 1,150 Wh imported, 1 kWh traded.
        await BrowserFixture.GotoLiveAsync(page, "utility");
        await Assertions.Expect(page.GetByTestId("utility-traded")).ToContainTextAsync("1.000 kWh");
        await Assertions.Expect(page.GetByTestId("utility-import")).ToContainTextAsync("1.150 kWh");
        await BrowserFixture.ScreenshotBothAsync(page, "63-utility-view");

        // Anna's statement: her 1 kWh sale split into what she exported (local) and what covered her shortfall.
        var household = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(household, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(household, "statement");
        await Assertions.Expect(household.GetByTestId("metered-note")).ToBeVisibleAsync();
        await Assertions.Expect(household.GetByTestId("sold")).ToHaveTextAsync("1.000 kWh");
        await Assertions.Expect(household.GetByTestId("metered-note")).ToContainTextAsync("exported 0.800 kWh");
        await Assertions.Expect(household.GetByTestId("part-after-amount")).ToContainTextAsync("−");
        await BrowserFixture.ScreenshotBothAsync(household, "64-statement-metered");

        // The meter operator re-reads Anna's meter: she did export the whole 1,000 Wh. The correction seals version 2,
        // and her statement shows what it changed: the 200 Wh she no longer buys at retail (39.70 ct) come back.
        var corrected = Path.Combine(dir, "corrected.csv");
        await File.WriteAllTextAsync(corrected, $"{ReadingParser.Header}\n{anna.MeterId},{start},0,1000\n");
        await BrowserFixture.GotoLiveAsync(page, "operator/readings");
        await BrowserFixture.WaitForFileInputAsync(page);
        await page.Locator("input[type=file]").Last.SetInputFilesAsync(corrected);
        await Assertions.Expect(page.GetByTestId("upload-result")).ToContainTextAsync("0 new readings, 1 correction, 0 unchanged; 1 interval reconciled and sealed.");
        await BrowserFixture.GotoLiveAsync(household, "statement");
        await Assertions.Expect(household.GetByTestId("corrections")).ToContainTextAsync("+€0.08");
        await household.GetByTestId("interval-toggle").ClickAsync();
        await Assertions.Expect(household.GetByTestId("corrected-mark")).ToBeVisibleAsync();
        await Assertions.Expect(household.GetByTestId("interval-version")).ToContainTextAsync("version 2, +€0.08");
        await Assertions.Expect(household.GetByTestId("metered-note")).ToContainTextAsync("exported 1.000 kWh");
        await BrowserFixture.ScreenshotBothAsync(household, "65-statement-corrected");
    }
}
