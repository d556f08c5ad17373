using System.Globalization;
using Market.Web.Dashboard;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Dashboard;

/// <summary>One grid-zonal interval cleared by the job, shared by the tests that read it back (none changes it).</summary>
public sealed class GridDay : IAsyncLifetime
{
    // Feeder F1 carries 4 kW up (1,000 Wh a quarter hour); Anna's envelope allows 2 kW (500 Wh) for one interval.
    private readonly MarketFactory _app = new();
    private Household _anna = default!;
    private Household _sol = default!;
    private long _interval;

    public MarketFactory App => _app;

    public Household Anna => _anna;

    public Household Sol => _sol;

    public long Interval => _interval;

    public async Task InitializeAsync()
    {
        _app.Settings["Community:Mechanism"] = "grid-zonal";
        _app.Settings["Community:SameFeederFee"] = "50";
        _app.Settings["Community:SameTransformerFee"] = "100";
        _app.Settings["Community:AcrossTransformersFee"] = "200";
        _ = _app.Server;
        (_anna, var ben, _sol, var nora) = await _app.ImportTwoFeedersAsync();
        var clock = _app.Get<MarketClock>();
        _interval = clock.FirstOpenInterval();
        await _app.SendEnvelopeAsync("C-ANNA", _interval, exportW: 2000);
        (await _app.PlaceSignedAsync(_anna, new PlaceOrder(OrderSide.Sell, 2000, 1000, _interval))).Succeeded.ShouldBeTrue();
        (await _app.PlaceSignedAsync(_sol, new PlaceOrder(OrderSide.Sell, 2000, 1100, _interval))).Succeeded.ShouldBeTrue();
        (await _app.PlaceSignedAsync(nora, new PlaceOrder(OrderSide.Buy, 500, 2000, _interval))).Succeeded.ShouldBeTrue();
        (await _app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 2500, 3000, _interval))).Succeeded.ShouldBeTrue();
        await _app.CloseGateAndClearAsync(_interval);
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();
}

/// <summary>
/// A grid-zonal interval cleared by the job, then read back as the manager's congestion view and as the households'
/// explanations: the full feeder and its prices, the network operator's money, and each cut order's line in words.
/// </summary>
public sealed class CongestionServiceTests(GridDay fixture) : IClassFixture<GridDay>
{
    private readonly MarketFactory _app = fixture.App;
    private readonly Household _anna = fixture.Anna;
    private readonly Household _sol = fixture.Sol;
    private readonly long _interval = fixture.Interval;

    private Task<CongestionDay> DayAsync(int daysFromToday = 0)
    {
        var clock = _app.Get<MarketClock>();
        var day = DateOnly.FromDateTime(clock.ToLocal(_interval).DateTime).AddDays(daysFromToday);
        return _app.Get<CongestionService>().DayAsync(UtilityEndpoints.LocalMidnight(day, clock.TimeZone), UtilityEndpoints.LocalMidnight(day.AddDays(1), clock.TimeZone));
    }

    [Fact]
    public async Task Day_FeederAtItsExportLimit_IsOneCongestedPeriodWithItsLimitAndBothPrices()
    {
        var day = await DayAsync();

        await using var db = _app.CreateDb();
        var f1 = await db.GridNodeResults.SingleAsync(n => n.IntervalStart == _interval && n.NodeId == "F1");
        var community = (await db.ClearedIntervals.SingleAsync(c => c.IntervalStart == _interval)).Price;
        (day.GridIntervals, day.CongestedIntervals).ShouldBe((1, 1));
        day.Lines.Select(l => l.NodeId).ShouldBe(["T1", "F1", "F2"]);
        var feeder = day.Lines.Single(l => l.NodeId == "F1");
        feeder.CongestedIntervals.ShouldBe(1);
        feeder.ParentId.ShouldBe("T1");
        var period = feeder.Periods.ShouldHaveSingleItem();
        (period.From, period.To, period.Export, period.LimitW).ShouldBe((_interval, _interval + 900, true, 4000L));
        (period.MinZonePrice, period.MinCommunityPrice).ShouldBe((f1.ZonePrice, community));
        feeder.Intervals.ShouldHaveSingleItem().UsedPermille.ShouldBe(1000);
        day.Lines.Single(l => l.NodeId == "F2").CongestedIntervals.ShouldBe(0);
    }

    [Fact]
    public async Task Day_NetworkOperatorsMoney_IsWhatItWasPostedSplitIntoFeesAndRent()
    {
        var day = await DayAsync();

        await using var db = _app.CreateDb();
        var posted = await db.Postings.Where(p => p.HouseholdId == PostingEntity.NetworkOperatorAccount).SumAsync(p => p.Amount);
        var trades = await db.Trades.Where(t => t.IntervalStart == _interval).ToListAsync();
        day.NetworkOperatorAmount.ShouldBe(posted);
        day.FeeAmount.ShouldBe(trades.Sum(t => Market.Ledger.Money.Amount(t.EnergyWh, t.FeePrice)));
        day.RentAmount.ShouldBeGreaterThan(0);   // the full feeder split the prices
        day.TradedWh.ShouldBe(1500);
    }

    [Fact]
    public async Task Day_WithoutGridClearings_IsEmpty()
    {
        var day = await DayAsync(-1);

        (day.GridIntervals, day.Lines.Count, day.NetworkOperatorAmount).ShouldBe((0, 0, 0L));
    }

    [Fact]
    public async Task Explanations_FromTheStoredClearing_NameTheEnvelopeAndTheFullFeeder()
    {
        var queries = _app.Get<MarketQueries>();
        await using var db = _app.CreateDb();
        var orders = await db.Orders.AsNoTracking().Where(o => o.IntervalStart == _interval).ToListAsync();
        var community = (await db.ClearedIntervals.SingleAsync(c => c.IntervalStart == _interval)).Price;

        var facts = await queries.GridFactsAsync(orders);

        var anna = orders.Single(o => o.HouseholdId == _anna.Id);
        var sol = orders.Single(o => o.HouseholdId == _sol.Id);
        OrderExplainer.Explain(anna, community, facts[anna.Id]).ShouldBe(
            $"Limited by your connection's export limit of 2 kW from the network operator (event DOE-42): 0.500 kWh of 2.000 kWh sold at your zone's price of {Units.Price(anna.ZonePrice!.Value, CultureInfo.CurrentCulture)}.");
        OrderExplainer.Explain(sol, community, facts[sol.Id]).ShouldBe(
            $"Feeder F1 was full: it could carry at most 4 kW out to the rest of the community, so 1.000 kWh of 2.000 kWh sold. Your zone's price was {Units.Price(sol.ZonePrice!.Value, CultureInfo.CurrentCulture)}, the community's {Units.Price(community!.Value, CultureInfo.CurrentCulture)}.");
    }

    [Fact]
    public async Task TradesPage_Seller_SeesItsOwnPriceAndAmountAndWhatTheBuyerPaid()
    {
        var page = await _app.Get<MarketQueries>().TradesPageAsync(_anna.Id, null, null, 10);

        await using var db = _app.CreateDb();
        var trade = await db.Trades.SingleAsync(t => t.SellerHouseholdId == _anna.Id);
        var mine = page.Items.ShouldHaveSingleItem();
        (mine.Price, mine.Amount).ShouldBe((trade.SellPrice, trade.SellAmount));
        mine.Grid.ShouldBe(new TradeGridPrices(trade.Price, trade.SellPrice, trade.FeePrice));
        trade.Price.ShouldBeGreaterThan(trade.SellPrice);
    }
}
