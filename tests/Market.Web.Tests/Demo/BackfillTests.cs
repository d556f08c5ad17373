using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Demo;

/// <summary>One simulated community, backfilled once and only read by the tests that share it.</summary>
public sealed class BackfilledMarket : IAsyncLifetime
{
    public const int Days = 2;

    public MarketFactory App { get; } = Simulated(households: 12, days: Days);

    public static MarketFactory Simulated(int households, int days, string? folder = null)
    {
        var app = new MarketFactory(folder);
        app.Settings["Demo:Simulate"] = "true";
        app.Settings["Demo:Households"] = households.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Demo:BackfillDays"] = days.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return app;
    }

    public Task InitializeAsync()
    {
        _ = App.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

public sealed partial class BackfillTests(BackfilledMarket market) : IClassFixture<BackfilledMarket>
{
    private MarketFactory App => market.App;

    [Fact]
    public async Task Backfill_TwoDays_EveryDaylightIntervalHasTrades()
    {
        var community = App.Get<DemoCommunity>();
        var length = App.Get<MarketClock>().IntervalSeconds;
        await using var db = App.CreateDb();

        var cleared = await db.ClearedIntervals.AsNoTracking().ToListAsync();

        // Daylight: the profiles give the community at least a tenth of its PV peak in the interval.
        var daylight = cleared.Where(c => community.CommunityPvWh(c.IntervalStart, length) * 10 >= community.CommunityPvCapacityWh(length)).ToList();
        daylight.Count.ShouldBeGreaterThan(40);
        daylight.Where(c => c.TradeCount == 0).Select(c => c.IntervalStart).ShouldBeEmpty();
    }

    [Fact]
    public async Task Backfill_TwoDays_NoTradeAtNight()
    {
        var community = App.Get<DemoCommunity>();
        var length = App.Get<MarketClock>().IntervalSeconds;
        await using var db = App.CreateDb();

        var cleared = await db.ClearedIntervals.AsNoTracking().ToListAsync();

        var night = cleared.Where(c => community.CommunityPvWh(c.IntervalStart, length) == 0).ToList();
        night.Count.ShouldBeGreaterThan(40);
        night.ShouldAllBe(c => c.TradeCount == 0 && c.OfferCount == 0);
    }

    [Fact]
    public async Task Backfill_TwoDays_MiddayCheaperThanShoulderHours()
    {
        var community = App.Get<DemoCommunity>();
        var length = App.Get<MarketClock>().IntervalSeconds;
        await using var db = App.CreateDb();

        var priced = await db.ClearedIntervals.AsNoTracking().Where(c => c.Price != null).ToListAsync();

        var sun = priced.ToLookup(c => community.CommunityPvWh(c.IntervalStart, length) * 2 >= community.CommunityPvCapacityWh(length), c => c.Price!.Value);
        sun[true].Average().ShouldBeLessThan(sun[false].Average());
    }

    [Fact]
    public async Task Backfill_TwoDays_EveryIntervalUpToNowClearedOnce()
    {
        var clock = App.Get<MarketClock>();
        await using var db = App.CreateDb();

        var starts = await db.ClearedIntervals.AsNoTracking().OrderBy(c => c.IntervalStart).Select(c => c.IntervalStart).ToListAsync();

        starts.Count.ShouldBeGreaterThanOrEqualTo(BackfilledMarket.Days * 96);
        starts.Zip(starts.Skip(1), (a, b) => b - a).ShouldAllBe(step => step == clock.IntervalSeconds);
        clock.GateClosure(starts[^1]).ShouldBeLessThanOrEqualTo(clock.NowSeconds);
        clock.IsGateOpen(starts[^1] + clock.IntervalSeconds + clock.IntervalSeconds).ShouldBeTrue();
    }

    [Fact]
    public async Task Backfill_TwoDays_LedgerVerifiesWithReplay()
    {
        var reader = App.Get<LedgerReader>();

        var report = await reader.VerifyAsync();

        report.IsValid.ShouldBeTrue(report.Message);
        await using var db = App.CreateDb();
        report.TradeCount.ShouldBe(await db.Trades.CountAsync());
        report.TradeCount.ShouldBeGreaterThan(500);
    }

    [Fact]
    public async Task Backfill_TwoDays_SealingTimesNeverGoBackAndGenesisPrecedesTheFirstGate()
    {
        var clock = App.Get<MarketClock>();
        await using var db = App.CreateDb();

        var sealedAt = await db.Blocks.AsNoTracking().OrderBy(b => b.Height).Select(b => b.SealedAtMs).ToListAsync();
        var first = await db.ClearedIntervals.AsNoTracking().MinAsync(c => c.IntervalStart);

        sealedAt.Zip(sealedAt.Skip(1), (a, b) => b >= a).ShouldAllBe(ordered => ordered);
        sealedAt[0].ShouldBeLessThanOrEqualTo(clock.GateClosure(first) * 1000);
        sealedAt[^1].ShouldBeLessThanOrEqualTo(clock.Now.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Backfill_Settlement_PostingsOfEveryTradeSumToZero()
    {
        await using var db = App.CreateDb();

        var unbalanced = await db.Postings.AsNoTracking().GroupBy(p => p.TradeId).Where(g => g.Sum(p => p.Amount) != 0).CountAsync();
        var trades = await db.Trades.CountAsync();
        // Under the grid's mechanism a trade whose buyer pays more than its seller gets (fee, congestion rent) has a
        // third posting: the network operator's share.
        var withShare = await db.Trades.CountAsync(t => t.Amount != t.SellAmount);
        var postings = await db.Postings.CountAsync();

        unbalanced.ShouldBe(0);
        withShare.ShouldBeGreaterThan(0);
        postings.ShouldBe((trades * 2) + withShare);
    }

    [Fact]
    public async Task Agents_Backfill_NoOrderOutsideTheBandOrBeyondTheSite()
    {
        var rules = new CommunityOptions();
        var orders = App.Get<OrderService>();
        await using var db = App.CreateDb();

        var households = await db.Households.AsNoTracking().ToDictionaryAsync(h => h.Id);
        var all = await db.Orders.AsNoTracking().ToListAsync();

        all.Count.ShouldBeGreaterThan(1000);
        all.ShouldAllBe(o => o.LimitPrice >= rules.PriceFloor && o.LimitPrice <= rules.PriceCeiling);
        all.ShouldAllBe(o => o.EnergyWh > 0 && o.EnergyWh <= orders.MaxEnergyWh(households[o.HouseholdId], o.Side));
    }

    [Fact]
    public async Task Agents_Backfill_AnnaLeftAloneAndBenTrades()
    {
        var anna = await App.HouseholdAsync("anna@demo.energy");
        var ben = await App.HouseholdAsync("ben@demo.energy");
        await using var db = App.CreateDb();

        var annaOrders = await db.Orders.CountAsync(o => o.HouseholdId == anna.Id);
        var benTrades = await db.Trades.CountAsync(t => t.BuyerHouseholdId == ben.Id || t.SellerHouseholdId == ben.Id);

        annaOrders.ShouldBe(0);
        benTrades.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Backfill_BensOrders_AllPostedByHisAutopilotWithinItsLimits()
    {
        var ben = await App.HouseholdAsync("ben@demo.energy");
        await using var db = App.CreateDb();

        var orders = await db.Orders.AsNoTracking().Where(o => o.HouseholdId == ben.Id).ToListAsync();
        var explained = await db.AutopilotOrders.AsNoTracking().Where(a => a.HouseholdId == ben.Id).ToDictionaryAsync(a => a.OrderId);
        var settings = await db.Autopilots.AsNoTracking().SingleAsync(a => a.HouseholdId == ben.Id);

        orders.ShouldNotBeEmpty();
        orders.ShouldAllBe(o => explained.ContainsKey(o.Id));
        orders.ShouldAllBe(o => o.EnergyWh <= settings.MaxEnergyWh);
        orders.ShouldAllBe(o => o.Side == OrderSide.Sell ? o.LimitPrice >= settings.MinSellPrice : o.LimitPrice <= settings.MaxBuyPrice);
        (await db.AutopilotChanges.SingleAsync(c => c.HouseholdId == ben.Id)).ChangedBy.ShouldBe("demo");
    }

    [Fact]
    public async Task Backfill_GridZonal_TheNetworkOperatorsFeederLimitBindsAndSplitsTheZonePrices()
    {
        await using var db = App.CreateDb();

        var feeders = await db.GridNodeResults.AsNoTracking()
            .Where(r => r.Kind == (byte)Market.Ledger.NetworkNodeKind.Feeder)
            .Select(r => new { r.IntervalStart, r.NodeId, r.ZonePrice, r.State, r.FromEnvelope, r.EventId })
            .ToListAsync();

        var binding = feeders.Where(r => r.State == LineState.ExportBinding).ToList();
        binding.ShouldNotBeEmpty();
        binding.ShouldAllBe(r => r.NodeId == DemoNetwork.PvFeederId && r.FromEnvelope && r.EventId!.StartsWith("DOE-", StringComparison.Ordinal));
        // Split beyond any fee: the congested feeder's sellers get less than the other feeders' buyers pay.
        var split = feeders.GroupBy(r => r.IntervalStart).Where(g => g.Max(r => r.ZonePrice) - g.Min(r => r.ZonePrice) > DemoNetwork.Fees.AcrossTransformers);
        split.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Backfill_GridZonal_OrdersCutByTheNetworkNameTheirLimitingLine()
    {
        await using var db = App.CreateDb();

        var cut = await db.Orders.AsNoTracking().Where(o => o.Outcome == "NetworkLimit").ToListAsync();

        cut.ShouldNotBeEmpty();
        cut.ShouldAllBe(o => o.LimitingNode != null && o.FilledWh < o.EnergyWh);
    }

    [Fact]
    public async Task Backfill_GridZonal_TradesAcrossFeedersPayMoreFeeThanWithinOne()
    {
        await using var db = App.CreateDb();

        var fees = await db.Trades.AsNoTracking().Select(t => t.FeePrice).Distinct().ToListAsync();

        fees.ShouldContain(DemoNetwork.Fees.SameFeeder);
        fees.ShouldContain(DemoNetwork.Fees.SameTransformer);
    }

    [Fact]
    public async Task Backfill_NetworkOperator_EnvelopesOnlyOnSunnyMiddays()
    {
        var community = App.Get<DemoCommunity>();
        await using var db = App.CreateDb();

        var windows = await db.Envelopes.AsNoTracking().ToListAsync();

        windows.ShouldNotBeEmpty();
        windows.ShouldAllBe(w => community.LocalTime(w.Start).Hour >= 8 && community.LocalTime(w.End - 1).Hour < 18);
        windows.ShouldAllBe(w => w.EventId != null && w.EventId.StartsWith("DOE-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Seed_TwelveAgents_HouseholdsWithOwnPseudonymsAndNoPassword()
    {
        await using var db = App.CreateDb();

        var agents = await db.Users.AsNoTracking()
            .Where(u => u.Email!.StartsWith("agent-"))
            .Join(db.Households, u => u.Id, h => h.UserId, (u, h) => new { u.PasswordHash, h.Pseudonym })
            .ToListAsync();

        agents.Count.ShouldBe(12);
        agents.ShouldAllBe(a => a.PasswordHash == null && a.Pseudonym.Length == 16);
        agents.Select(a => Convert.ToHexString(a.Pseudonym)).Distinct().Count().ShouldBe(12);
    }
}
