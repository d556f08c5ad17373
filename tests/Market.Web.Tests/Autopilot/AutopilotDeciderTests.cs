using System.Globalization;
using CsCheck;
using Market.Web.Autopilot;

namespace Market.Web.Tests.Autopilot;

[Trait("Database", "Independent")]
public sealed class AutopilotDeciderTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>Random limits, forecasts, clearing prices, bands and clocks (any interval of 2026–2027, Berlin time).</summary>
    private static readonly Gen<(AutopilotLimits Limits, IntervalFacts Facts)> Cases =
        from sell in Gen.Bool
        from buy in Gen.Bool
        from floor in Gen.Long[0, 5_000]
        from span in Gen.Long[0, 5_000]
        from minSell in Gen.Long[-100, 11_000]
        from maxBuy in Gen.Long[-100, 11_000]
        from maxEnergy in Gen.Long[-10, 5_000]
        from fromHour in Gen.Int[0, 24]
        from toHour in Gen.Int[0, 25]
        from quarter in Gen.Long[0, 2 * 365 * 96]
        from untilOffset in Gen.Long[-200_000, 200_000].Nullable()
        from exportLow in Gen.Long[0, 3_000]
        from exportSpread in Gen.Long[0, 3_000]
        from importLow in Gen.Long[0, 3_000]
        from importSpread in Gen.Long[0, 3_000]
        from days in Gen.Int[0, 14]
        from median in Gen.Long[0, 12_000].Nullable()
        from sellCap in Gen.Long[0, 3_000]
        from buyCap in Gen.Long[0, 3_000]
        let start = 1_767_225_600 + (quarter * 900)
        let forecast = new IntervalForecast(start, exportLow + (exportSpread / 2), exportLow, exportLow + exportSpread, importLow + (importSpread / 2), importLow, importLow + importSpread, days)
        let limits = new AutopilotLimits(sell, buy, minSell, maxBuy, maxEnergy, fromHour, toHour, untilOffset is long u ? start + u : null)
        select (limits, new IntervalFacts(start, AutopilotEngine.LocalHour(start, Berlin), forecast, median, median is null ? 0 : 5, floor, floor + span, sellCap, buyCap));

    [Fact]
    public void Decide_RandomLimitsForecastsPricesAndClock_NeverLeavesTheLimits()
    {
        Cases.Sample(c =>
        {
            var (limits, facts) = c;

            var d = AutopilotDecider.Decide(limits, facts);

            if (!d.Posts)
            {
                return;
            }

            (d.Side == OrderSide.Sell ? limits.Sell : limits.Buy).ShouldBeTrue("only an enabled side trades");
            d.EnergyWh.ShouldBeGreaterThanOrEqualTo(AutopilotDecider.MinOrderWh);
            d.EnergyWh.ShouldBeLessThanOrEqualTo(limits.MaxEnergyWh);
            d.EnergyWh.ShouldBeLessThanOrEqualTo(d.Side == OrderSide.Sell ? facts.SellCapWh : facts.BuyCapWh);
            d.EnergyWh.ShouldBeLessThanOrEqualTo(d.Side == OrderSide.Sell ? facts.Forecast.ExportLowWh : facts.Forecast.ImportLowWh);
            d.Price.ShouldBeInRange(facts.PriceFloor, facts.PriceCeiling);
            if (d.Side == OrderSide.Sell)
            {
                d.Price.ShouldBeGreaterThanOrEqualTo(limits.MinSellPrice);
            }
            else
            {
                d.Price.ShouldBeLessThanOrEqualTo(limits.MaxBuyPrice);
            }

            facts.LocalHour.ShouldBeGreaterThanOrEqualTo(limits.FromHour);
            facts.LocalHour.ShouldBeLessThan(limits.ToHour);
            (limits.Until is null || facts.IntervalStart < limits.Until).ShouldBeTrue("never at or after the end");
            facts.Forecast.Days.ShouldBeGreaterThan(0);
        }, iter: 20_000);
    }

    [Fact]
    public void Decide_SurplusBandAndMedianAboveTheFloor_OffersTheCautiousEndAtTheMedian()
    {
        var facts = Facts(new IntervalForecast(Start, 420, 300, 500, 0, 0, 0, 7), median: 910);

        var d = AutopilotDecider.Decide(Limits with { MinSellPrice = 800 }, facts);

        (d.Posts, d.Side, d.EnergyWh, d.Price, d.PriceReason, d.EnergyReason).ShouldBe((true, OrderSide.Sell, 300L, 910L, AutopilotPriceReason.Median, AutopilotEnergyReason.CautiousEnd));
    }

    [Fact]
    public void Decide_MedianBelowTheFloor_OffersAtTheFloor()
    {
        var d = AutopilotDecider.Decide(Limits with { MinSellPrice = 1000 }, Facts(new IntervalForecast(Start, 420, 300, 500, 0, 0, 0, 7), median: 910));

        (d.Price, d.PriceReason).ShouldBe((1000L, AutopilotPriceReason.AtLimit));
    }

    [Fact]
    public void Decide_NeedAboveTheHouseholdsLimit_BidsTheLimitAtMostTheCeiling()
    {
        var d = AutopilotDecider.Decide(Limits with { MaxEnergyWh = 500, MaxBuyPrice = 2500 }, Facts(new IntervalForecast(Start, 0, 0, 0, 900, 700, 1200, 7), median: 3100));

        (d.Side, d.EnergyWh, d.EnergyReason, d.Price, d.PriceReason).ShouldBe((OrderSide.Buy, 500L, AutopilotEnergyReason.HouseholdLimit, 2500L, AutopilotPriceReason.AtLimit));
    }

    [Fact]
    public void Decide_NoMeterHistory_PostsNothing()
    {
        var d = AutopilotDecider.Decide(Limits, Facts(new IntervalForecast(Start, 0, 0, 0, 0, 0, 0, 0), median: 910));

        d.Skip.ShouldBe(AutopilotSkip.NoHistory);
    }

    [Fact]
    public void Decide_OutsideTheHours_PostsNothing()
    {
        var d = AutopilotDecider.Decide(Limits with { FromHour = 13, ToHour = 15 }, Facts(new IntervalForecast(Start, 420, 300, 500, 0, 0, 0, 7), median: 910));

        d.Skip.ShouldBe(AutopilotSkip.OutsideHours);
    }

    [Theory]
    [InlineData("en", "Forecast 0.420 kWh surplus (band 0.300 kWh–0.500 kWh, from 7 days of your meter). Offered 0.300 kWh, the cautious end of the band. 9.10 ct/kWh = last week's median at this hour (5 intervals), at or above your lowest sell price 8.00 ct/kWh.")]
    [InlineData("de-DE", "Forecast 0,420 kWh surplus (band 0,300 kWh–0,500 kWh, from 7 days of your meter). Offered 0,300 kWh, the cautious end of the band. 9,10 ct/kWh = last week's median at this hour (5 intervals), at or above your lowest sell price 8,00 ct/kWh.")]
    public void Explain_OfferAtTheMedian_SentenceInTheReadersCulture(string culture, string expected)
    {
        var d = AutopilotDecider.Decide(Limits with { MinSellPrice = 800 }, Facts(new IntervalForecast(Start, 420, 300, 500, 0, 0, 0, 7), median: 910));

        var text = AutopilotExplainer.Explain(d.ToEntity(1, 1, 0), CultureInfo.GetCultureInfo(culture));

        text.ShouldBe(expected);
    }

    [Fact]
    public void Median_EvenCount_MeanOfTheMiddleTwo()
    {
        AutopilotDecider.Median([950, 900, 910, 1200]).ShouldBe(930);
        AutopilotDecider.Median([]).ShouldBeNull();
    }

    // Monday 15 June 2026, 11:00 in Berlin.
    private const long Start = 1_781_514_000;

    private static readonly AutopilotLimits Limits = new(Sell: true, Buy: true, MinSellPrice: 800, MaxBuyPrice: 3000, MaxEnergyWh: 2000, FromHour: 0, ToHour: 24, Until: null);

    private static IntervalFacts Facts(IntervalForecast forecast, long? median) =>
        new(Start, AutopilotEngine.LocalHour(Start, Berlin), forecast with { IntervalStart = Start }, median, median is null ? 0 : 5, 786, 3970, 2000, 3000);
}
