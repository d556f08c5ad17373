using System.Globalization;
using Bunit;
using Market.Web.Components.Charts;
using Market.Web.Components.Shared;
using Market.Web.Dashboard;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Components;

/// <summary>The managers' trends and the dashboard's charts as a phone shows them.</summary>
[Trait("Database", "Independent")]
public sealed class TrendsAndChartsTests
{
    private static List<TrendDay> Days()
    {
        var first = new DateOnly(2026, 5, 17);
        var days = Enumerable.Range(0, TrendsService.Days).Select(i => new TrendDay(first.AddDays(i), 0, 0, 0, 0, 0, 0)).ToList();
        days[^1] = new TrendDay(first.AddDays(TrendsService.Days - 1), 1, 1300, 1100, 2200, 794, 4296);
        days[^2] = new TrendDay(first.AddDays(TrendsService.Days - 2), 2, 700, 700, 1000, -500, 1000);
        return days;
    }

    [Fact]
    public async Task Trends_InGerman_TotalsInTheCulturesMarksWithTheirDefinitionsAndOneBarPerDayWithData()
    {
        using var german = CultureScope.In("de-DE");
        await using var test = new ComponentTestContext();

        var cut = test.Context.Render<CommunityTrends>(p => p.Add(c => c.Days, Days()).Add(c => c.Currency, "EUR"));

        cut.Find("[data-testid=trend-self]").TextContent.ShouldBe((1800m / 2000m).ToString("P1", CultureInfo.GetCultureInfo("de-DE")));   // 90,0 %
        cut.Find("[data-testid=trend-kept]").TextContent.ShouldBe("0,50\u00a0€");   // (4296 − 794) + (1000 + 500) = 5002
        cut.Markup.ShouldContain("instead of the utility");
        cut.Markup.ShouldContain("with the grid alone");
        cut.FindAll("[data-testid=trend-self-chart] rect").Count.ShouldBe(2);
        cut.FindAll("[data-testid=trend-kept-chart] rect").Count.ShouldBe(2);
        cut.FindAll("[data-testid=trends-table] tbody tr").Count.ShouldBe(2);
    }

    [Fact]
    public async Task TrendsChart_ThirtyDays_FourDayLabelsSoTheyNeverOverlap()
    {
        await using var test = new ComponentTestContext();

        var cut = test.Context.Render<CommunityTrends>(p => p.Add(c => c.Days, Days()).Add(c => c.Currency, "EUR"));

        // The day labels are the ticks along the bottom: the lowest row of text.
        var ticks = cut.FindAll("[data-testid=trend-self-chart] text.tick").ToList();
        var bottom = ticks.Max(t => Y(t.GetAttribute("y")));
        var labels = ticks.Where(t => Y(t.GetAttribute("y")) == bottom).ToList();
        labels.Count.ShouldBe(4);
    }

    private static List<IntervalPoint> Points(long from)
    {
        // A busy day: 96 intervals with trades, one with a large volume.
        return [.. Enumerable.Range(0, 96).Select(i => new IntervalPoint(from + (i * 900L), 2000 + (i * 10), i == 50 ? 90_000 : 5_000, 10_000, 10_000, 3, 4))];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PriceChart_TallestVolumeBar_StaysBelowThePriceBand(bool compact)
    {
        await using var test = new ComponentTestContext();
        var from = 1_781_481_600L;

        var cut = test.Context.Render<PriceChart>(p => p
            .Add(c => c.Points, Points(from)).Add(c => c.From, from).Add(c => c.To, from + 86_400)
            .Add(c => c.Floor, 7.86m).Add(c => c.Ceiling, 39.7m).Add(c => c.Compact, compact));

        var band = cut.Find("[data-testid=price-band]");
        var bandBottom = Y(band.GetAttribute("y")) + Y(band.GetAttribute("height"));
        var highestBar = cut.FindAll("[data-testid=volume-bar]").Min(b => Y(b.GetAttribute("y")));
        highestBar.ShouldBeGreaterThan(bandBottom + 10);
    }

    [Fact]
    public async Task PriceChart_Compact_FewerTicksOnANarrowerCanvasSoTextStaysReadable()
    {
        await using var test = new ComponentTestContext();
        var from = 1_781_481_600L;
        IRenderedComponent<PriceChart> Render(bool compact) => test.Context.Render<PriceChart>(p => p
            .Add(c => c.Points, Points(from)).Add(c => c.From, from).Add(c => c.To, from + 86_400)
            .Add(c => c.Floor, 7.86m).Add(c => c.Ceiling, 39.7m).Add(c => c.Compact, compact));

        var wide = Render(false);
        var narrow = Render(true);

        narrow.Find("svg").GetAttribute("viewBox").ShouldBe("0 0 360 330");
        narrow.FindAll("text.tick").Count.ShouldBeLessThan(wide.FindAll("text.tick").Count);
        narrow.Find("figure").GetAttribute("data-testid").ShouldBe("price-chart-compact");
        // No time label centred so near an edge that half of it is cut off.
        narrow.FindAll("text.tick[text-anchor=middle]").ShouldAllBe(t => Y(t.GetAttribute("x")) >= 40 + 18 && Y(t.GetAttribute("x")) <= 360 - 10 - 18);
    }

    private static double Y(string? value) => double.Parse(value!, CultureInfo.InvariantCulture);
}
