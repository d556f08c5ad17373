using Market.Web.Tests.Support;

namespace Market.Web.Tests.Forecasting;

public sealed class ForecastServiceTests(SharedMarket market) : IClassFixture<SharedMarket>
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public async Task TodayAndTomorrow_StoredReadingsWithACorrection_ForecastFromTheLatestVersions()
    {
        // The app's clock: Monday 15 June 2026, 12:02 in Berlin.
        var anna = await market.App.HouseholdAsync(DemoRoster.AnnaEmail);
        await using (var db = market.App.CreateDb())
        {
            db.MeterReadings.AddRange(
                Reading(anna, At(2026, 6, 14, 12, 0), 1, 400),
                Reading(anna, At(2026, 6, 13, 12, 0), 1, 100),
                Reading(anna, At(2026, 6, 13, 12, 0), 2, 200));
            await db.SaveChangesAsync();
        }

        var forecast = await market.App.Get<ForecastService>().TodayAndTomorrowAsync(anna.Id);

        forecast.ShouldNotBeNull();
        forecast.Today.ShouldBe(new DateOnly(2026, 6, 15));
        forecast.ReadingsUsed.ShouldBe(2);
        forecast.TodayIntervals.Count.ShouldBe(96);
        forecast.TomorrowIntervals.Count.ShouldBe(96);
        // Today: (1000 × 400 + 800 × 200) / 1800 = 311, moved halfway to yesterday's level (× 8/7); tomorrow the same
        // days are one further back, (800 × 400 + 640 × 200) / 1440 = 311, and the last day read is still 400 (× 8/7).
        forecast.TodayIntervals.Single(f => f.IntervalStart == At(2026, 6, 15, 12, 0)).ExportWh.ShouldBe(355);
        forecast.TomorrowIntervals.Single(f => f.IntervalStart == At(2026, 6, 16, 12, 0)).ExportWh.ShouldBe(355);
        forecast.TodayIntervals.Single(f => f.IntervalStart == At(2026, 6, 15, 12, 15)).Days.ShouldBe(0);
    }

    [Fact]
    public async Task TodayAndTomorrow_UnknownHousehold_Null()
    {
        var forecast = await market.App.Get<ForecastService>().TodayAndTomorrowAsync(long.MaxValue);

        forecast.ShouldBeNull();
    }

    private static MeterReadingEntity Reading(Household household, long start, int version, long exportWh) => new()
    {
        HouseholdId = household.Id,
        MeterId = household.MeterId ?? "MTR-FORECAST",
        IntervalStart = start,
        Version = version,
        ImportWh = 0,
        ExportWh = exportWh,
        ReceivedAtMs = 1_781_000_000_000,
        Source = "test",
    };

    private static long At(int year, int month, int day, int hour, int minute) =>
        new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified), Berlin)).ToUnixTimeSeconds();
}
