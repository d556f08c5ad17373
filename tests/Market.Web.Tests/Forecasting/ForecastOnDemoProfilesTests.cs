using System.Globalization;
using Market.Web.Tests.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Market.Web.Tests.Forecasting;

/// <summary>
/// The forecast against "same as yesterday" on the demo community's real profiles: the readings are exactly what the
/// demo meters send in a backfill (<see cref="DemoCommunity.Reading"/>), each forecast sees a backfilled week of them,
/// and both are scored by the mean absolute error per interval. The figures are in docs/forecast.md; run with
/// <c>--logger "console;verbosity=detailed"</c> to print them.
/// </summary>
[Trait("Database", "Independent")]
public sealed class ForecastOnDemoProfilesTests(ITestOutputHelper output)
{
    /// <summary>Days of history each forecast sees: what the demo's backfill creates (<c>Demo:BackfillDays</c>).</summary>
    private const int BackfillDays = 7;

    private const long IntervalSeconds = 900;

    private static readonly Lazy<DemoCommunity> Community = new(() => new DemoCommunity(
        Options.Create(new DemoOptions { Enabled = true, DataDirectory = DemoData.DataDirectory }),
        Options.Create(new CommunityOptions()),
        new DataFolderEnvironment()));

    private static TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(new CommunityOptions().TimeZone);

    [Theory]
    [InlineData("2026-01-12", 1)]
    [InlineData("2026-01-12", 2)]
    [InlineData("2026-04-13", 1)]
    [InlineData("2026-04-13", 2)]
    [InlineData("2026-07-13", 1)]
    [InlineData("2026-07-13", 2)]
    [InlineData("2026-10-12", 1)]
    [InlineData("2026-10-12", 2)]
    public void Forecast_BackfilledWeekOfDemoMeters_LowerMeanAbsoluteErrorThanSameAsYesterday(string week, int daysAhead)
    {
        var score = Score(DateOnly.ParseExact(week, "yyyy-MM-dd", CultureInfo.InvariantCulture), daysAhead);

        output.WriteLine(score.ToString());
        score.Forecast.ExportMae.ShouldBeLessThan(score.Persistence.ExportMae);
        score.Forecast.ImportMae.ShouldBeLessThan(score.Persistence.ImportMae);
    }

    [Fact]
    public void Forecast_BackfilledWeekOfDemoMeters_BandHoldsMostReadings()
    {
        var score = Score(new DateOnly(2026, 7, 13), 1);

        score.InBandPermille.ShouldBeGreaterThan(600);
    }

    /// <summary>
    /// For each of the 7 days from <paramref name="firstDay"/>, every metered demo household (the agents, Ben and
    /// Anna, as in the demo): the forecast made <paramref name="daysAhead"/> days before (1: for today, from
    /// readings up to yesterday; 2: for tomorrow, from readings up to yesterday) from the <see cref="BackfillDays"/>
    /// days of readings before that, against the last day read.
    /// </summary>
    private static Measurement Score(DateOnly firstDay, int daysAhead, ForecastMethod? method = null)
    {
        var community = Community.Value;
        var zone = Zone;
        var forecast = new Errors();
        var persistence = new Errors();
        long inBand = 0;
        long values = 0;
        foreach (var agent in community.Meters)
        {
            var site = new ForecastSite(agent.PvPeakW, agent.MaxImportW);
            var first = firstDay.AddDays(-(BackfillDays + daysAhead - 1));
            var all = HouseholdForecaster.IntervalsOfDays(first, BackfillDays + daysAhead - 1 + 7, IntervalSeconds, zone)
                .Select(start => (Start: start, Reading: community.Reading(agent, start, IntervalSeconds)))
                .ToDictionary(r => r.Start, r => new IntervalReading(r.Start, r.Reading.ImportWh, r.Reading.ExportWh));
            for (var d = 0; d < 7; d++)
            {
                var day = firstDay.AddDays(d);
                var lastRead = day.AddDays(-daysAhead);
                var known = HouseholdForecaster.IntervalsOfDays(lastRead.AddDays(-(BackfillDays - 1)), BackfillDays, IntervalSeconds, zone)
                    .Select(s => all[s])
                    .ToList();
                var sameAsLastDay = known.Where(r => HouseholdForecaster.LocalDate(r.IntervalStart, zone) == lastRead)
                    .ToDictionary(r => TimeOfDay(r.IntervalStart, zone));
                var targets = HouseholdForecaster.IntervalsOfDays(day, 1, IntervalSeconds, zone);
                foreach (var f in HouseholdForecaster.Forecast(known, site, IntervalSeconds, zone, targets, method))
                {
                    var actual = all[f.IntervalStart];
                    f.Days.ShouldBe(BackfillDays);
                    var baseline = sameAsLastDay[TimeOfDay(f.IntervalStart, zone)];
                    forecast.Add(f.ExportWh, f.ImportWh, actual);
                    persistence.Add(baseline.ExportWh, baseline.ImportWh, actual);
                    inBand += (actual.ExportWh >= f.ExportLowWh && actual.ExportWh <= f.ExportHighWh ? 1 : 0)
                        + (actual.ImportWh >= f.ImportLowWh && actual.ImportWh <= f.ImportHighWh ? 1 : 0);
                    values += 2;
                }
            }
        }

        return new Measurement(firstDay, daysAhead, community.Meters.Count, forecast, persistence, inBand * 1000 / values);
    }

    private static TimeSpan TimeOfDay(long unixSeconds, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), zone).TimeOfDay;

    private sealed class Errors
    {
        private long _export;
        private long _import;
        private long _count;

        public decimal ExportMae => (decimal)_export / _count;

        public decimal ImportMae => (decimal)_import / _count;

        public void Add(long exportWh, long importWh, IntervalReading actual)
        {
            _export += Math.Abs(exportWh - actual.ExportWh);
            _import += Math.Abs(importWh - actual.ImportWh);
            _count++;
        }
    }

    private sealed record Measurement(DateOnly Week, int DaysAhead, int Households, Errors Forecast, Errors Persistence, long InBandPermille)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"week of {Week:yyyy-MM-dd}, {DaysAhead} day(s) ahead, {Households} households: MAE export {Forecast.ExportMae:F1} Wh (same as yesterday {Persistence.ExportMae:F1}), import {Forecast.ImportMae:F1} Wh (same as yesterday {Persistence.ImportMae:F1}); in band {InBandPermille / 10m:F1} %");
    }

    /// <summary>The one thing <see cref="DemoCommunity"/> reads from the host: where the data folder is.</summary>
    private sealed class DataFolderEnvironment : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = "";

        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();

        public string ApplicationName { get; set; } = "Market.Web";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();

        public string ContentRootPath { get; set; } = DemoData.DataDirectory;

        public string EnvironmentName { get; set; } = "Testing";
    }
}
