using Market.Web.Notifications;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Notifications;

/// <summary>Personal notifications are written exactly once from what clearing, cancelling and the day leave behind.</summary>
public sealed class NotificationGenerationTests
{
    [Theory]
    [InlineData(MarketDatabase.Sqlite)]
    [InlineData(MarketDatabase.PostgreSql)]
    public async Task GenerateDueAsync_ClearedIntervalGeneratedTwice_EachOrderNotifiedOnce(MarketDatabase database)
    {
        await using var app = new MarketFactory(database: database);
        _ = app.Server;
        var interval = await app.TradeAndClearAsync();
        var generator = app.Get<NotificationGenerator>();

        await generator.GenerateDueAsync();
        await generator.GenerateDueAsync();
        await generator.GenerateForIntervalAsync(interval);

        var notices = await AllAsync(app);
        notices.Count.ShouldBe(2);
        notices.ShouldAllBe(n => n.Kind == NotificationKind.Filled && n.IntervalStart == interval);
        notices.Select(n => n.OrderId).Distinct().Count().ShouldBe(2);
        await using var db = app.CreateDb();
        (await db.NotifiedIntervals.CountAsync(n => n.IntervalStart == interval)).ShouldBe(1);
    }

    [Fact]
    public async Task GenerateDueAsync_Filled_EnergyAndMoneyOfTheTrade()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval, sellPrice: 1500, sellWh: 400, buyPrice: 2500, buyWh: 400);
        await app.CloseGateAndClearAsync(interval);

        await app.Get<NotificationGenerator>().GenerateDueAsync();

        await using var db = app.CreateDb();
        var trade = await db.Trades.SingleAsync();
        var annas = (await AllAsync(app)).Single(n => n.HouseholdId == anna.Id);
        annas.Kind.ShouldBe(NotificationKind.Filled);
        annas.Side.ShouldBe((byte)OrderSide.Sell);
        annas.EnergyWh.ShouldBe(400);
        annas.Amount.ShouldBe(trade.Amount);
        annas.Price.ShouldBe(trade.Price);
    }

    [Fact]
    public async Task GenerateDueAsync_BidLargerThanOffer_BidPartlyFilledWithItsShare()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval, sellPrice: 1500, sellWh: 400, buyPrice: 2500, buyWh: 1000);
        await app.CloseGateAndClearAsync(interval);

        await app.Get<NotificationGenerator>().GenerateDueAsync();

        await using var db = app.CreateDb();
        var trade = await db.Trades.SingleAsync();
        var bens = (await AllAsync(app)).Single(n => n.HouseholdId == ben.Id);
        bens.Kind.ShouldBe(NotificationKind.PartlyFilled);
        bens.EnergyWh.ShouldBe(400);
        bens.OrderEnergyWh.ShouldBe(1000);
        bens.Amount.ShouldBe(trade.Amount);
    }

    [Fact]
    public async Task GenerateDueAsync_OrdersNotCrossing_BothExpiredWithNothing()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval, sellPrice: 3000, buyPrice: 2000);
        await app.CloseGateAndClearAsync(interval);

        await app.Get<NotificationGenerator>().GenerateDueAsync();

        var notices = await AllAsync(app);
        notices.Count.ShouldBe(2);
        notices.ShouldAllBe(n => n.Kind == NotificationKind.Expired && n.EnergyWh == 0 && n.Amount == 0 && n.OrderEnergyWh == 1000);
    }

    [Fact]
    public async Task GenerateDueAsync_AutopilotsBidNotMatched_NoExpiredNoticeButTheHandOfferStillTold()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval, sellPrice: 3000, buyPrice: 2000);
        var ben = await app.HouseholdAsync("ben@demo.energy");
        await using (var db = app.CreateDb())
        {
            var bid = await db.Orders.SingleAsync(o => o.HouseholdId == ben.Id && o.IntervalStart == interval);
            db.AutopilotOrders.Add(new AutopilotOrderEntity { OrderId = bid.Id, HouseholdId = ben.Id, IntervalStart = interval, SettingsVersion = 1, Side = OrderSide.Buy, EnergyWh = bid.EnergyWh, Price = bid.LimitPrice });
            await db.SaveChangesAsync();
        }

        await app.CloseGateAndClearAsync(interval);
        await app.Get<NotificationGenerator>().GenerateDueAsync();

        var notice = (await AllAsync(app)).ShouldHaveSingleItem();
        notice.Kind.ShouldBe(NotificationKind.Expired);
        notice.HouseholdId.ShouldNotBe(ben.Id);
    }

    [Fact]
    public async Task GenerateDueAsync_AutopilotsOrderCancelledByAPause_NoCancelledNotice()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        var placed = await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 300, 3000, interval));
        await using (var db = app.CreateDb())
        {
            db.AutopilotOrders.Add(new AutopilotOrderEntity { OrderId = placed.Order!.Id, HouseholdId = ben.Id, IntervalStart = interval, SettingsVersion = 1, Side = OrderSide.Buy, EnergyWh = 300, Price = 3000 });
            await db.SaveChangesAsync();
        }

        (await app.CancelSignedAsync(ben, placed.Order!)).Succeeded.ShouldBeTrue();
        await app.Get<NotificationGenerator>().GenerateDueAsync();

        (await AllAsync(app)).ShouldBeEmpty();
    }

    [Fact]
    public async Task GenerateDueAsync_OrderCancelled_OneCancelledNotice()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var placed = await app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 700, 1500, app.Get<MarketClock>().FirstOpenInterval()));
        (await app.CancelSignedAsync(anna, placed.Order!)).Succeeded.ShouldBeTrue();
        var generator = app.Get<NotificationGenerator>();

        await generator.GenerateDueAsync();
        await generator.GenerateCancelledAsync();

        var notice = (await AllAsync(app)).ShouldHaveSingleItem();
        notice.Kind.ShouldBe(NotificationKind.Cancelled);
        notice.HouseholdId.ShouldBe(anna.Id);
        notice.OrderId.ShouldBe(placed.Order!.Id);
        notice.OrderEnergyWh.ShouldBe(700);
    }

    [Theory]
    [InlineData(1500L, null, true)]
    [InlineData(null, 1500L, true)]
    [InlineData(1501L, 1499L, false)]
    public async Task GenerateDueAsync_PriceAlert_FiresAtTheThresholdNotBeyond(long? atOrAbove, long? atOrBelow, bool fires)
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var settings = new NotificationSettings(NotificationPreferenceEntity.AllKinds, false, true, atOrAbove, atOrBelow, false);
        (await app.Get<NotificationService>().SavePreferencesAsync(anna.Id, settings)).ShouldBeNull();
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        // Both limits 15 ct: the interval clears at exactly 1500.
        await app.AnnaSellsToBenAsync(interval, sellPrice: 1500, buyPrice: 1500);
        await app.CloseGateAndClearAsync(interval);

        await app.Get<NotificationGenerator>().GenerateDueAsync();
        await app.Get<NotificationGenerator>().GenerateForIntervalAsync(interval);

        await using (var db = app.CreateDb())
        {
            (await db.ClearedIntervals.SingleAsync(c => c.IntervalStart == interval)).Price.ShouldBe(1500);
        }

        var alerts = (await AllAsync(app)).Where(n => n.Kind == NotificationKind.PriceAlert).ToList();
        if (fires)
        {
            var alert = alerts.ShouldHaveSingleItem();
            alert.HouseholdId.ShouldBe(anna.Id);
            alert.Price.ShouldBe(1500);
            alert.IntervalStart.ShouldBe(interval);
        }
        else
        {
            alerts.ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task GenerateDueAsync_KindTurnedOff_NotWrittenForThatHousehold()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var withoutFills = NotificationPreferenceEntity.AllKinds & ~(1 << (int)NotificationKind.Filled);
        await app.Get<NotificationService>().SavePreferencesAsync(ben.Id, new NotificationSettings(withoutFills, false, true, null, null, false));

        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();

        (await AllAsync(app)).Select(n => n.HouseholdId).ShouldBe([anna.Id]);
    }

    [Fact]
    public async Task GenerateDueAsync_EveningAfterTrading_OneDailySummaryPerHouseholdAgainstTheGrid()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        await app.TradeAndClearAsync();
        TradeEntity trade;
        await using (var db = app.CreateDb())
        {
            trade = await db.Trades.SingleAsync();
        }

        // 21:00 in Berlin (summer time) on the same day.
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 15, 19, 0, 0, TimeSpan.Zero));
        var generator = app.Get<NotificationGenerator>();
        await generator.GenerateDueAsync();
        await generator.GenerateDueAsync();

        var summaries = (await AllAsync(app)).Where(n => n.Kind == NotificationKind.DailySummary).ToList();
        summaries.Count.ShouldBe(2);
        var rules = app.Get<RulesBook>().At(trade.IntervalStart);
        var annas = summaries.Single(s => s.HouseholdId == anna.Id);
        annas.EnergyWh.ShouldBe(trade.EnergyWh);
        annas.Amount.ShouldBe(trade.Amount);
        annas.GridGain.ShouldBe(trade.Amount - Market.Ledger.Money.Amount(trade.EnergyWh, rules.PriceFloor));
        var bens = summaries.Single(s => s.HouseholdId == ben.Id);
        bens.OrderEnergyWh.ShouldBe(trade.EnergyWh);
        bens.Price.ShouldBe(trade.Amount);
        bens.GridGain.ShouldBe(Market.Ledger.Money.Amount(trade.EnergyWh, rules.PriceCeiling) - trade.Amount);
    }

    [Fact]
    public async Task GenerateDueAsync_AfternoonAfterTrading_NoDailySummaryYet()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await app.TradeAndClearAsync();

        await app.Get<NotificationGenerator>().GenerateDueAsync();

        (await AllAsync(app)).ShouldNotContain(n => n.Kind == NotificationKind.DailySummary);
    }

    [Fact]
    public async Task NotificationService_OtherHousehold_NeitherSeesNorMarksMine()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();
        var service = app.Get<NotificationService>();
        var annas = (await AllAsync(app)).Single(n => n.HouseholdId == anna.Id);

        var marked = await service.MarkReadAsync(ben.Id, annas.Id);
        var bensPage = await service.PageAsync(ben.Id, 0, 100);

        marked.ShouldBeFalse();
        bensPage.Items.ShouldAllBe(n => n.HouseholdId == ben.Id);
        bensPage.Items.ShouldNotContain(n => n.Id == annas.Id);
        (await AllAsync(app)).Single(n => n.Id == annas.Id).ReadAtMs.ShouldBeNull();
        (await service.UnreadCountAsync(anna.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task MarkAllReadAsync_OwnNotices_AllReadAndOthersUntouched()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();
        var service = app.Get<NotificationService>();

        var marked = await service.MarkAllReadAsync(anna.Id);

        marked.ShouldBe(1);
        (await service.UnreadCountAsync(anna.Id)).ShouldBe(0);
        (await service.UnreadCountAsync(ben.Id)).ShouldBe(1);
    }

    [Fact]
    public void Describe_FilledOfferInGerman_NumbersInGermanMarks()
    {
        var community = Microsoft.Extensions.Options.Options.Create(new CommunityOptions());
        var clock = new MarketClock(TimeProvider.System, community, new RulesBook(community));
        var n = new NotificationEntity { Kind = NotificationKind.Filled, Side = (byte)OrderSide.Sell, IntervalStart = 1_781_542_800, EnergyWh = 400, Amount = 1100 };

        var english = NotificationText.Describe(n, clock, "EUR", System.Globalization.CultureInfo.GetCultureInfo("en"));
        var german = NotificationText.Describe(n, clock, "EUR", System.Globalization.CultureInfo.GetCultureInfo("de-DE"));

        english.Body.ShouldBe("Your offer for Mon 15 Jun, 19:00–19:15 filled: 0.400 kWh for €0.11.");
        german.Body.ShouldContain("0,400 kWh for 0,11\u00a0€");
    }

    private static async Task<List<NotificationEntity>> AllAsync(MarketFactory app)
    {
        await using var db = app.CreateDb();
        return await db.Notifications.AsNoTracking().OrderBy(n => n.Id).ToListAsync();
    }
}
