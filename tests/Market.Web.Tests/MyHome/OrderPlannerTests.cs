using Market.Web.MyHome;

namespace Market.Web.Tests.MyHome;

[Trait("Database", "Independent")]
public sealed class OrderPlannerTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    // Monday 15 June 2026, 12:00 in Berlin (10:00 UTC).
    private const long Noon = 1_781_517_600;

    [Fact]
    public void Propose_Sell_LowEndOfTheExportBandForOpenIntervalsOnly()
    {
        var forecast = new[] { Forecast(Noon, export: 500, low: 300, high: 700), Forecast(Noon + 900, export: 500, low: 300, high: 700) };

        var plan = OrderPlanner.Propose(OrderSide.Sell, forecast, new HashSet<long> { Noon + 900 }, maxWh: 2000);

        plan.ShouldHaveSingleItem().ShouldBe(new PlanInterval(Noon + 900, 300, 500, 300, 700, 7));
    }

    [Fact]
    public void Propose_Buy_ExpectedImportCappedAtTheSite()
    {
        var forecast = new[] { Forecast(Noon, import: 3000, importLow: 2000, importHigh: 3500) };

        var plan = OrderPlanner.Propose(OrderSide.Buy, forecast, new HashSet<long> { Noon }, maxWh: 2500);

        plan.ShouldHaveSingleItem().ProposedWh.ShouldBe(2500);
    }

    [Fact]
    public void SuggestPrice_PricesAtTheSameHours_TheirMedian()
    {
        // 12:00 and 12:15 on earlier days are the same local hour as the target; 18:00 is not.
        ClearedPrice[] recent = [new(Noon - 86_400, 1500), new(Noon - 86_400 + 900, 1700), new(Noon - (2 * 86_400), 1600), new(Noon - 86_400 + (6 * 3600), 3000)];

        var suggestion = OrderPlanner.SuggestPrice(recent, [Noon + 1800], Berlin, floor: 786, ceiling: 3970);

        suggestion.ShouldBe(new PriceSuggestion(1600, 3, PriceBasis.SameHours));
    }

    [Fact]
    public void SuggestPrice_EvenCount_TheLowerMiddlePriceThatReallyCleared()
    {
        ClearedPrice[] recent = [new(Noon - 86_400, 1500), new(Noon - (2 * 86_400), 1700)];

        var suggestion = OrderPlanner.SuggestPrice(recent, [Noon], Berlin, floor: 786, ceiling: 3970);

        suggestion.Price.ShouldBe(1500);
    }

    [Fact]
    public void SuggestPrice_NoneAtTheseHours_MedianOfAnyHour()
    {
        ClearedPrice[] recent = [new(Noon - 86_400 + (6 * 3600), 3000), new(Noon - 86_400 + (7 * 3600), 2000), new(Noon - 86_400 + (8 * 3600), 2500)];

        var suggestion = OrderPlanner.SuggestPrice(recent, [Noon], Berlin, floor: 786, ceiling: 3970);

        suggestion.ShouldBe(new PriceSuggestion(2500, 3, PriceBasis.AnyHour));
    }

    [Fact]
    public void SuggestPrice_NoPrices_MiddleOfTheBand()
    {
        var suggestion = OrderPlanner.SuggestPrice([], [Noon], Berlin, floor: 786, ceiling: 3970);

        suggestion.ShouldBe(new PriceSuggestion(2378, 0, PriceBasis.BandMiddle));
    }

    [Fact]
    public void SuggestPrice_MedianOutsideTodaysBand_ClampedIntoIt()
    {
        ClearedPrice[] recent = [new(Noon - 86_400, 4500)];

        var suggestion = OrderPlanner.SuggestPrice(recent, [Noon], Berlin, floor: 786, ceiling: 3970);

        suggestion.Price.ShouldBe(3970);
    }

    [Fact]
    public void Check_SellWithinTheExpectedSurplus_NoWarning()
    {
        var interval = new PlanInterval(Noon, 300, 500, 300, 700, 7);

        OrderPlanner.Check(OrderSide.Sell, interval, 500).ShouldBeEmpty();
    }

    [Fact]
    public void Check_SellMoreThanExpected_MoreThanForecast()
    {
        var interval = new PlanInterval(Noon, 300, 500, 300, 700, 7);

        OrderPlanner.Check(OrderSide.Sell, interval, 501).ShouldBe([PlanWarning.MoreThanForecast]);
    }

    [Fact]
    public void Check_SellAtNight_NoSurplusExpected()
    {
        var night = new PlanInterval(Noon + (10 * 3600), 0, 0, 0, 0, 14);

        OrderPlanner.Check(OrderSide.Sell, night, 100).ShouldBe([PlanWarning.NoSurplusExpected]);
    }

    [Fact]
    public void Check_NoHistory_NoHistoryWarningOnEitherSide()
    {
        var unknown = new PlanInterval(Noon, 0, 0, 0, 0, 0);

        OrderPlanner.Check(OrderSide.Sell, unknown, 100).ShouldBe([PlanWarning.NoHistory]);
        OrderPlanner.Check(OrderSide.Buy, unknown, 100).ShouldBe([PlanWarning.NoHistory]);
    }

    [Fact]
    public void Check_BuyMoreThanTheHighEndOfTheNeed_MoreThanNeed()
    {
        var interval = new PlanInterval(Noon, 400, 400, 200, 600, 7);

        OrderPlanner.Check(OrderSide.Buy, interval, 600).ShouldBeEmpty();
        OrderPlanner.Check(OrderSide.Buy, interval, 601).ShouldBe([PlanWarning.MoreThanNeed]);
    }

    [Fact]
    public void Totals_Sell_EarningsAgainstTheFeedInTariff()
    {
        PlanLine[] lines = [new(Noon, 1000, 2000), new(Noon + 900, 500, 2000), new(Noon + 1800, 0, 2000)];

        var totals = OrderPlanner.Totals(OrderSide.Sell, lines, feedIn: 800, retail: 3000);

        totals.ShouldBe(new PlanTotals(2, 1500, 3000, 1200));
        totals.BetterThanGrid(OrderSide.Sell).ShouldBe(1800);
    }

    [Fact]
    public void Totals_Buy_CostAgainstTheRetailPrice()
    {
        PlanLine[] lines = [new(Noon, 1000, 2000)];

        var totals = OrderPlanner.Totals(OrderSide.Buy, lines, feedIn: 800, retail: 3000);

        totals.BetterThanGrid(OrderSide.Buy).ShouldBe(1000);
    }

    [Fact]
    public void BestRun_TwoRuns_TheOneWithMoreEnergySkippingPostedAndSmallIntervals()
    {
        PlanInterval[] intervals =
        [
            Interval(Noon, 200), Interval(Noon + 900, 200), // run 1: 400
            Interval(Noon + 1800, 10), // too small: breaks the run
            Interval(Noon + 2700, 300), Interval(Noon + 3600, 300), Interval(Noon + 4500, 900), // run 2, but 4500 is posted
        ];

        var run = OrderPlanner.BestRun(OrderSide.Sell, intervals, new HashSet<long> { Noon + 4500 }, 900, minimumWh: 50);

        run.ShouldBe(new PlanRun(OrderSide.Sell, Noon + 2700, Noon + 4500, 600));
    }

    [Fact]
    public void BestRun_LongerThanTheLimit_CutIntoRuns()
    {
        var intervals = Enumerable.Range(0, 6).Select(k => Interval(Noon + (k * 900), 100 + k)).ToArray();

        var run = OrderPlanner.BestRun(OrderSide.Buy, intervals, new HashSet<long>(), 900, minimumWh: 1, maxIntervals: 4);

        run.ShouldBe(new PlanRun(OrderSide.Buy, Noon, Noon + 3600, 406));
    }

    [Fact]
    public void BestRun_NothingAboveTheMinimum_Null()
    {
        OrderPlanner.BestRun(OrderSide.Sell, [Interval(Noon, 0)], new HashSet<long>(), 900, minimumWh: 0).ShouldBeNull();
    }

    [Fact]
    public void ForecastHours_FourQuarterHours_OneHourWithSums()
    {
        var forecast = Enumerable.Range(0, 5).Select(k => Forecast(Noon + (k * 900), export: 100, low: 50, high: 150, days: k == 4 ? 0 : 7)).ToList();

        var hours = ForecastHours.Of(forecast, Berlin);

        hours.Count.ShouldBe(2);
        hours[0].ShouldBe(new ForecastHour(Noon, 400, 200, 600, 0, 0, 0, 7));
        hours[1].Days.ShouldBe(0);
    }

    private static PlanInterval Interval(long start, long proposedWh) => new(start, proposedWh, proposedWh, proposedWh, proposedWh, 7);

    private static IntervalForecast Forecast(long start, long export = 0, long low = 0, long high = 0, long import = 0, long importLow = 0, long importHigh = 0, int days = 7) =>
        new(start, export, low, high, import, importLow, importHigh, days);
}
