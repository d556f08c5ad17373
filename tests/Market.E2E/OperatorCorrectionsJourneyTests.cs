using Market.Web.Tests.Support;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>A correction that moves more money than the threshold waits; the household sees it waiting, the operator confirms it.</summary>
public sealed class OperatorCorrectionsJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Journey_BigCorrectionWaits_HouseholdSeesItOperatorConfirmsAndItIsSealed()
    {
        var app = fixture.App;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var clock = app.Get<MarketClock>();
        var interval = clock.FirstOpenInterval();
        await app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1000, 1200, interval));
        await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1000, 2500, interval));
        await app.CloseGateAndClearAsync(interval);
        app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(clock.Next(interval) + 60));
        var start = DateTimeOffset.FromUnixTimeSeconds(interval).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var import = app.Get<ReadingImportService>();
        (await import.ImportCsvAsync(new StringReader($"{ReadingParser.Header}\n{anna.MeterId},{start},0,800\n{ben.MeterId},{start},1000,0\n"), "e2e")).Succeeded.ShouldBeTrue();
        await app.Get<ReconciliationService>().ReconcileDueAsync();
        // The gateway now says Anna drew 3 kWh and exported nothing: she would buy 4 kWh at retail instead of 200 Wh.
        var corrected = await import.ImportCsvAsync(new StringReader($"{ReadingParser.Header}\n{anna.MeterId},{start},3000,0\n"), "e2e");
        corrected.Pending.ShouldHaveSingleItem();

        var household = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(household, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(household, "statement");
        await Assertions.Expect(household.GetByTestId("pending-corrections")).ToContainTextAsync("waits for the operator's confirmation");
        await BrowserFixture.ScreenshotBothAsync(household, "66-statement-correction-waiting");

        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "operator@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "operator/corrections");
        await Assertions.Expect(page.GetByTestId("moves")).ToContainTextAsync("Anna's house");
        await Assertions.Expect(page.GetByTestId("moves")).ToContainTextAsync("−€1.5086");
        await BrowserFixture.ScreenshotBothAsync(page, "67-corrections-waiting");

        await page.GetByTestId($"confirm-{corrected.Pending[0].Id}").ClickAsync();

        await Assertions.Expect(page.GetByTestId("review-result")).ToContainTextAsync("reconciliation version 2");
        await Assertions.Expect(page.GetByTestId("pending-none")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotBothAsync(page, "68-corrections-confirmed");
        await using (var db = app.CreateDb())
        {
            (await db.Reconciliations.CountAsync()).ShouldBe(2);
        }

        await BrowserFixture.GotoLiveAsync(household, "statement");
        await Assertions.Expect(household.GetByTestId("corrections")).ToContainTextAsync("−€1.51");
    }
}
