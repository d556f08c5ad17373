using Market.Web.Autopilot;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Autopilot;

/// <summary>The autopilot's service and job against the app's database. The app's clock: Monday 15 June 2026, 12:02 in Berlin.</summary>
public sealed class AutopilotEngineTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>Anna sells above 8 ct, buys below 30 ct, at most 1.5 kWh per interval, all day.</summary>
    private static readonly AutopilotInput AnnasLimits = new(IsOn: true, Sell: true, Buy: true, MinSellPrice: 800, MaxBuyPrice: 3000, MaxEnergyWh: 1500, FromHour: 0, ToHour: 24, Until: null);

    [Fact]
    public async Task Run_SurplusHistory_OffersTheCautiousEndOfEachIntervalWithinTheLeadOnce()
    {
        await using var app = new MarketFactory();
        var anna = await WithHistoryAsync(app);
        (await app.Get<AutopilotService>().SaveAsync(anna, AnnasLimits, "anna", app.SignerFor(anna))).Succeeded.ShouldBeTrue();

        var posted = await app.Get<AutopilotEngine>().RunAsync();
        var again = await app.Get<AutopilotEngine>().RunAsync();

        await using var db = app.CreateDb();
        var orders = await db.AutopilotOrders.AsNoTracking().Include(a => a.Order).OrderBy(a => a.IntervalStart).ToListAsync();
        // Gates within the hour after 12:02:30: the intervals from 12:15 to 13:00.
        orders.Select(o => o.IntervalStart).ShouldBe([At(12, 15), At(12, 30), At(12, 45), At(13, 0)]);
        (posted, again).ShouldBe((4, 0));
        // Exports of the three days before were 300, 400 and 500 Wh: the band's low end is 300.
        orders.ShouldAllBe(o => o.Order!.Side == OrderSide.Sell && o.Order.EnergyWh == 300 && o.Order.LimitPrice == 800 && o.Order.HouseholdId == anna.Id);
        orders.ShouldAllBe(o => o.PriceReason == AutopilotPriceReason.NoHistory && o.BandLowWh == 300 && o.ForecastDays == 3);
    }

    [Fact]
    public async Task Run_ClearedPricesLastWeek_OffersAtTheMedianOfThatHour()
    {
        await using var app = new MarketFactory();
        var anna = await WithHistoryAsync(app);
        await using (var db = app.CreateDb())
        {
            // 12:xx on three earlier days at 9.00, 9.10 and 9.50 ct; 13:xx at 20 ct (another hour).
            db.ClearedIntervals.AddRange(Cleared(At(12, 15, -1), 900), Cleared(At(12, 30, -2), 910), Cleared(At(12, 45, -3), 950), Cleared(At(13, 0, -1), 2000));
            await db.SaveChangesAsync();
        }

        await app.Get<AutopilotService>().SaveAsync(anna, AnnasLimits, "anna", app.SignerFor(anna));

        await app.Get<AutopilotEngine>().RunAsync();

        await using var after = app.CreateDb();
        var byStart = await after.AutopilotOrders.AsNoTracking().Include(a => a.Order).ToDictionaryAsync(a => a.IntervalStart);
        (byStart[At(12, 15)].Order!.LimitPrice, byStart[At(12, 15)].PriceReason, byStart[At(12, 15)].MedianCount).ShouldBe((910L, AutopilotPriceReason.Median, 3));
        byStart[At(13, 0)].Order!.LimitPrice.ShouldBe(2000);
    }

    [Fact]
    public async Task Pause_OpenOrders_CancelledAndNothingPostedUntilTurnedOn()
    {
        await using var app = new MarketFactory();
        var anna = await WithHistoryAsync(app);
        var service = app.Get<AutopilotService>();
        await service.SaveAsync(anna, AnnasLimits, "anna", app.SignerFor(anna));
        await app.Get<AutopilotEngine>().RunAsync();

        var paused = await service.SetOnAsync(anna, false, "anna", app.SignerFor(anna));
        var whilePaused = await app.Get<AutopilotEngine>().RunAsync();

        (paused.Succeeded, paused.CancelledOrders, whilePaused).ShouldBe((true, 4, 0));
        await using (var db = app.CreateDb())
        {
            (await db.Orders.CountAsync(o => o.HouseholdId == anna.Id && o.Status == OrderStatus.Open)).ShouldBe(0);
        }

        (await service.SetOnAsync(anna, true, "anna", app.SignerFor(anna))).Succeeded.ShouldBeTrue();
        (await app.Get<AutopilotEngine>().RunAsync()).ShouldBe(4);
        var history = await service.HistoryAsync(anna.Id);
        history.Select(h => (h.Version, h.IsOn, h.CancelledOrders)).ShouldBe([(3, true, 0), (2, false, 4), (1, true, 0)]);
    }

    [Fact]
    public async Task Save_LimitsOutsideTheRules_RefusedWithEveryReasonAndNothingStored()
    {
        await using var app = new MarketFactory();
        var anna = await app.HouseholdAsync(DemoRoster.AnnaEmail);
        var service = app.Get<AutopilotService>();
        var bad = new AutopilotInput(IsOn: true, Sell: false, Buy: false, MinSellPrice: 100, MaxBuyPrice: 5000, MaxEnergyWh: 0, FromHour: 14, ToHour: 10, Until: app.Clock.GetUtcNow().ToUnixTimeSeconds() - 1);

        var result = await service.SaveAsync(anna, bad, "anna", app.SignerFor(anna));

        result.Succeeded.ShouldBeFalse();
        result.Errors.Select(e => e.Field).ShouldBe(["sides", "minSellPrice", "maxBuyPrice", "maxEnergy", "hours", "until"]);
        result.Errors.Single(e => e.Field == "minSellPrice").Message.ShouldBe("The lowest sell price must lie between 7.86 ct/kWh (feed-in tariff) and 39.70 ct/kWh (retail price).");
        (await service.GetAsync(anna.Id)).ShouldBeNull();
        (await service.HistoryAsync(anna.Id)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Save_MoreEnergyThanTheSiteCarries_RefusedNamingTheLimit()
    {
        await using var app = new MarketFactory();
        var anna = await app.HouseholdAsync(DemoRoster.AnnaEmail);

        var result = await app.Get<AutopilotService>().SaveAsync(anna, AnnasLimits with { Buy = false, MaxEnergyWh = 2001 }, "anna", app.SignerFor(anna));

        result.Errors.ShouldHaveSingleItem().Message.ShouldBe("At most 2.000 kWh per interval (your PV peak of 8 kW).");
    }

    [Fact]
    public async Task Save_ChangedLimits_ReplacesTheOpenOrdersUnderTheNewVersion()
    {
        await using var app = new MarketFactory();
        var anna = await WithHistoryAsync(app);
        var service = app.Get<AutopilotService>();
        await service.SaveAsync(anna, AnnasLimits, "anna", app.SignerFor(anna));
        await app.Get<AutopilotEngine>().RunAsync();

        var changed = await service.SaveAsync(anna, AnnasLimits with { MaxEnergyWh = 200 }, "anna", app.SignerFor(anna));
        var reposted = await app.Get<AutopilotEngine>().RunAsync();

        (changed.CancelledOrders, reposted).ShouldBe((4, 4));
        await using var db = app.CreateDb();
        var open = await db.Orders.Where(o => o.HouseholdId == anna.Id && o.Status == OrderStatus.Open).ToListAsync();
        open.Count.ShouldBe(4);
        open.ShouldAllBe(o => o.EnergyWh == 200);
    }

    [Fact]
    public async Task Run_TwoRunsAtOnce_EachIntervalPostedOnce()
    {
        await using var app = new MarketFactory();
        var anna = await WithHistoryAsync(app);
        await app.Get<AutopilotService>().SaveAsync(anna, AnnasLimits, "anna", app.SignerFor(anna));
        var engine = app.Get<AutopilotEngine>();

        var runs = await Task.WhenAll(engine.RunAsync(), engine.RunAsync(), engine.RunAsync());

        runs.Sum().ShouldBe(4);
        await using var db = app.CreateDb();
        (await db.Orders.CountAsync(o => o.HouseholdId == anna.Id)).ShouldBe(4);
    }

    [Fact]
    public async Task FillsOfInterval_ClearedAgainstABid_ReportsTheFillAndItsPrice()
    {
        await using var app = new MarketFactory();
        var anna = await WithHistoryAsync(app);
        await app.Get<AutopilotService>().SaveAsync(anna, AnnasLimits, "anna", app.SignerFor(anna));
        await app.Get<AutopilotEngine>().RunAsync();
        var ben = await app.HouseholdAsync(DemoRoster.BenEmail);
        var interval = At(12, 15);
        (await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1000, 2500, interval))).Succeeded.ShouldBeTrue();

        await app.CloseGateAndClearAsync(interval);

        var fill = (await app.Get<AutopilotService>().FillsOfIntervalAsync(interval)).ShouldHaveSingleItem();
        (fill.Order.Status, fill.FilledWh, fill.LowestPrice).ShouldBe((OrderStatus.Filled, 300L, (long?)fill.HighestPrice));
        fill.LowestPrice.ShouldNotBeNull();
        var page = await app.Get<AutopilotService>().FillsAsync(anna.Id, 0, 20);
        page.Total.ShouldBe(4);
        page.Fills[^1].FilledWh.ShouldBe(300);
    }

    /// <summary>Anna's exports at every interval of the three days before today: 300, 400 and 500 Wh.</summary>
    private static async Task<Household> WithHistoryAsync(MarketFactory app)
    {
        var anna = await app.HouseholdAsync(DemoRoster.AnnaEmail);
        await using var db = app.CreateDb();
        for (var day = 1; day <= 3; day++)
        {
            for (var quarter = 0; quarter < 96; quarter++)
            {
                db.MeterReadings.Add(new MeterReadingEntity
                {
                    HouseholdId = anna.Id,
                    MeterId = anna.MeterId ?? "MTR-TEST",
                    IntervalStart = At(0, 0, -day) + (quarter * 900L),
                    Version = 1,
                    ExportWh = 200 + (day * 100),
                    ReceivedAtMs = 1_781_000_000_000,
                    Source = "test",
                });
            }
        }

        await db.SaveChangesAsync();
        return anna;
    }

    private static ClearedIntervalEntity Cleared(long start, long price) => new()
    {
        IntervalStart = start,
        IntervalEnd = start + 900,
        Price = price,
        VolumeWh = 1000,
        TradeCount = 1,
        BidCount = 1,
        OfferCount = 1,
    };

    /// <summary>Unix seconds of a local time in Berlin on 15 June 2026, <paramref name="dayOffset"/> days later.</summary>
    private static long At(int hour, int minute, int dayOffset = 0) =>
        new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(new DateTime(2026, 6, 15 + dayOffset, hour, minute, 0, DateTimeKind.Unspecified), Berlin)).ToUnixTimeSeconds();
}
