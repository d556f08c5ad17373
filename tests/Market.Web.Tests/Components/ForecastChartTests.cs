using Bunit;
using Market.Web.Components.Shared;
using Market.Web.MyHome;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Components;

[Trait("Database", "Independent")]
public sealed class ForecastChartTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    // Monday 15 June 2026, 00:00 in Berlin.
    private const long Midnight = 1_781_474_400;

    [Fact]
    public async Task Render_ADay_OneBarPairPerHourAndASummaryForScreenReaders()
    {
        await using var t = new ComponentTestContext();

        var chart = t.Context.Render<ForecastChart>(p => p.Add(c => c.Hours, Day()).Add(c => c.Zone, Berlin).Add(c => c.Name, "today").Add(c => c.NowSeconds, Midnight + (12 * 3600)));

        chart.FindAll("rect.bar-export").Count.ShouldBe(24);
        chart.FindAll("rect.bar-import").Count.ShouldBe(24);
        chart.Find("svg").GetAttribute("aria-label").ShouldBe("Forecast for today: 4.000 kWh surplus and 12.000 kWh need expected over the day, per hour.");
        chart.FindAll("g.past").Count.ShouldBe(12);
    }

    [Fact]
    public async Task Render_GermanCulture_TheHoursTableInGermanMarks()
    {
        await using var t = new ComponentTestContext();
        using var german = CultureScope.In("de-DE");

        var chart = t.Context.Render<ForecastChart>(p => p.Add(c => c.Hours, Day()).Add(c => c.Zone, Berlin).Add(c => c.Name, "tomorrow"));

        var noon = chart.FindAll("[data-testid=forecast-table-tomorrow] tbody tr")[12].TextContent;
        noon.ShouldContain("12:00");
        noon.ShouldContain("1,000 kWh");
        noon.ShouldContain("0,800–1,200 kWh");
    }

    [Fact]
    public async Task Render_NoHours_StillAnAxisAndNoBars()
    {
        await using var t = new ComponentTestContext();

        var chart = t.Context.Render<ForecastChart>(p => p.Add(c => c.Hours, []).Add(c => c.Zone, Berlin).Add(c => c.Name, "today"));

        chart.FindAll("rect").ShouldBeEmpty();
        chart.Find("line.axis");
    }

    // Surplus of 1 kWh (0.8–1.2) from 11:00 to 15:00; a need of 0.5 kWh (0.3–0.7) every hour.
    private static List<ForecastHour> Day() => Enumerable.Range(0, 24)
        .Select(h => h is >= 11 and < 15
            ? new ForecastHour(Midnight + (h * 3600L), 1000, 800, 1200, 500, 300, 700, 14)
            : new ForecastHour(Midnight + (h * 3600L), 0, 0, 0, 500, 300, 700, 14))
        .ToList();
}
