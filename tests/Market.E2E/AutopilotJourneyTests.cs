using Market.Web.Tests.Support;
using Market.Web.Autopilot;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// A household turns its autopilot on, sees what it posted and why (and what filled), and pauses it; on a phone and a
/// desktop, in English and German.
/// </summary>
public sealed class AutopilotJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    [Theory]
    [InlineData(1440, 900, "en-GB", "wide-en")]
    [InlineData(390, 844, "de-DE", "narrow-de")]
    public async Task Journey_TurnOnSeeWhatItPostedAndWhyPause_InsideTheWindowAndAccessible(int width, int height, string locale, string name)
    {
        await OneAtATime.WaitAsync();
        try
        {
            var anna = await FreshAutopilotWithHistoryAsync();
            var german = locale == "de-DE";
            var page = await fixture.NewPageAsync(width, height, locale);
            await BrowserFixture.SignInAsync(page, "anna@demo.energy");
            await BrowserFixture.GotoLiveAsync(page, "autopilot");
            await Assertions.Expect(page.GetByTestId("autopilot-state")).ToHaveTextAsync("Not set up");
            await BrowserFixture.ScreenshotAsync(page, $"60-autopilot-not-set-up-{name}");

            // Turn it on with limits typed in the household's own decimal marks.
            await page.Locator("#autopilot-min-sell").FillAsync(german ? "8,5" : "8.5");
            await page.Locator("#autopilot-max-buy").FillAsync("30");
            await page.Locator("#autopilot-max-energy").FillAsync(german ? "1,5" : "1.5");
            await page.GetByTestId("autopilot-save").ClickAsync();
            await Assertions.Expect(page.GetByTestId("autopilot-state")).ToHaveTextAsync("On");
            await Assertions.Expect(page.GetByTestId("autopilot-next")).ToContainTextAsync(german ? "Next: offers 0,300 kWh for" : "Next: offers 0.300 kWh for");

            // The job runs; a neighbour bids for the first interval, which clears: the page shows it without a reload.
            var posted = await fixture.App.Get<AutopilotEngine>().RunAsync();
            posted.ShouldBeGreaterThan(0);
            await using (var db = fixture.App.CreateDb())
            {
                // The limits are a mandate this browser signed; every order the autopilot posted names it.
                var mandate = db.Autopilots.Single(a => a.HouseholdId == anna.Id).MandateId!;
                db.Mandates.Single(m => m.MandateId == mandate).RevocationRecordId.ShouldBeNull();
                var orders = db.AutopilotOrders.Where(a => a.HouseholdId == anna.Id).Join(db.Orders.Where(o => o.Status == OrderStatus.Open), a => a.OrderId, o => o.Id, (_, o) => o.Authorization).ToList();
                orders.Count.ShouldBe(posted);
                orders.ShouldAllBe(a => a.Length == Market.Ledger.MandateOrder.Size && a.Skip(1).SequenceEqual(mandate));
            }

            await BrowserFixture.GotoLiveAsync(page, "autopilot");
            var fills = page.GetByTestId("autopilot-fill");
            await Assertions.Expect(fills).ToHaveCountAsync(posted);
            var first = await FirstOpenAutopilotOrderAsync(anna.Id);
            var ben = await fixture.App.HouseholdAsync("ben@demo.energy");
            (await fixture.App.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1000, 3000, first))).Succeeded.ShouldBeTrue();
            await fixture.App.CloseGateAndClearAsync(first);
            var filled = page.Locator($"[data-testid=autopilot-fill][data-status={OrderStatus.Filled}]");
            await Assertions.Expect(filled).ToHaveCountAsync(1);
            await Assertions.Expect(filled.GetByTestId("autopilot-fill-result")).ToContainTextAsync(german ? "filled: 0,300 kWh at" : "filled: 0.300 kWh at");
            await Assertions.Expect(filled.GetByTestId("autopilot-fill-why")).ToContainTextAsync(german ? "Offered 0,300 kWh, the cautious end of the band." : "Offered 0.300 kWh, the cautious end of the band.");
            await Assertions.Expect(filled.GetByTestId("autopilot-fill-outcome")).ToContainTextAsync("Fully filled at");
            // The fill notification pops up at the bottom, and the bell counts it.
            var toast = page.Locator(".mud-snackbar").Filter(new() { HasText = "filled" });
            await Assertions.Expect(toast.First).ToContainTextAsync(german ? "filled: 0,300 kWh for" : "filled: 0.300 kWh for");
            await Assertions.Expect(page.GetByTestId("bell")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Notifications, \\d+ unread$"));
            await BrowserFixture.ScreenshotAsync(page, $"61-autopilot-posted-and-why-{name}");
            await BrowserFixture.AssertAccessibleAsync(page);
            await BrowserFixture.AssertFitsWidthAsync(page);

            // Pause: its open orders are cancelled and it says so.
            await page.GetByTestId("autopilot-pause").ClickAsync();
            await Assertions.Expect(page.GetByTestId("autopilot-state")).ToHaveTextAsync("Paused");
            await Assertions.Expect(page.Locator($"[data-testid=autopilot-fill][data-status={OrderStatus.Open}]")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByTestId("autopilot-change").First).ToContainTextAsync("Paused (");
            await BrowserFixture.ScreenshotAsync(page, $"62-autopilot-paused-{name}");
            await BrowserFixture.AssertAccessibleAsync(page);
            await BrowserFixture.AssertFitsWidthAsync(page);
            (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue();
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    /// <summary>
    /// Removes Anna's autopilot and its history (each case starts from "not set up"; her orders stay) and gives her three days of exports of 300, 400
    /// and 500 Wh in every interval before the app's today, as her meter would have sent them.
    /// </summary>
    private async Task<Household> FreshAutopilotWithHistoryAsync()
    {
        var anna = await fixture.App.HouseholdAsync("anna@demo.energy");
        var clock = fixture.App.Get<MarketClock>();
        var zone = clock.TimeZone;
        var today = DateOnly.FromDateTime(clock.ToLocal(clock.NowSeconds).DateTime);
        var midnight = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(today.ToDateTime(TimeOnly.MinValue), zone)).ToUnixTimeSeconds();
        await using var db = fixture.App.CreateDb();
        await db.AutopilotOrders.Where(a => a.HouseholdId == anna.Id).ExecuteDeleteAsync();
        await db.AutopilotChanges.Where(a => a.HouseholdId == anna.Id).ExecuteDeleteAsync();
        await db.Autopilots.Where(a => a.HouseholdId == anna.Id).ExecuteDeleteAsync();
        var have = (await db.MeterReadings.Where(r => r.HouseholdId == anna.Id).Select(r => r.IntervalStart).ToListAsync()).ToHashSet();
        for (var day = 1; day <= 3; day++)
        {
            for (var quarter = 0; quarter < 96; quarter++)
            {
                var start = midnight - (day * 86_400L) + (quarter * 900L);
                if (have.Add(start))
                {
                    db.MeterReadings.Add(new MeterReadingEntity
                    {
                        HouseholdId = anna.Id,
                        MeterId = anna.MeterId ?? "MTR-E2E",
                        IntervalStart = start,
                        Version = 1,
                        ExportWh = 200 + (day * 100),
                        ReceivedAtMs = 1_781_000_000_000,
                        Source = "test",
                    });
                }
            }
        }

        await db.SaveChangesAsync();
        return anna;
    }

    private async Task<long> FirstOpenAutopilotOrderAsync(long householdId)
    {
        await using var db = fixture.App.CreateDb();
        return await db.AutopilotOrders
            .Where(a => a.HouseholdId == householdId && a.Order!.Status == OrderStatus.Open)
            .MinAsync(a => a.IntervalStart);
    }
}
