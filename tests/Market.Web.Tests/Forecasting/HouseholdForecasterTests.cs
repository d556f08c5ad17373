namespace Market.Web.Tests.Forecasting;

[Trait("Database", "Independent")]
public sealed class HouseholdForecasterTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static readonly ForecastSite Site = new(PvPeakW: 8_000, MaxImportW: 12_000);

    /// <summary>The default's weights without moving towards the last day's level.</summary>
    private static readonly ForecastMethod WeightsOnly = ForecastMethod.Default with { LastDayLevelPermille = 0 };

    [Fact]
    public void Forecast_TwoPastDays_WeighsYesterdayMore()
    {
        var target = At(2026, 6, 15, 12, 0);
        IntervalReading[] history = [new(At(2026, 6, 14, 12, 0), 0, 400), new(At(2026, 6, 13, 12, 0), 50, 200)];

        var forecast = HouseholdForecaster.Forecast(history, Site, 900, Berlin, [target], WeightsOnly).Single();

        // (1000 × 400 + 800 × 200) / 1800 = 311.1; (1000 × 0 + 800 × 50) / 1800 = 22.2.
        forecast.ShouldBe(new IntervalForecast(target, 311, 200, 400, 22, 0, 50, 2));
    }

    [Fact]
    public void Forecast_LastDaySunnierThanTheDaysBefore_ExportMovesHalfwayToItsLevel()
    {
        var target = At(2026, 6, 15, 12, 0);
        IntervalReading[] history = [new(At(2026, 6, 14, 12, 0), 0, 400), new(At(2026, 6, 13, 12, 0), 50, 200)];

        var forecast = HouseholdForecaster.Forecast(history, Site, 900, Berlin, [target]).Single();

        // Weighted days' daily export 560,000 / 1800 = 311.1 Wh, yesterday's 400: factor 1 + ½ × (400 / 311.1 − 1) = 8/7; 311 × 8/7 = 355.4.
        forecast.ExportWh.ShouldBe(355);
        forecast.ExportHighWh.ShouldBe(400);
        forecast.ImportWh.ShouldBe(22);
    }

    [Fact]
    public void Forecast_ReadingsAboveWhatTheSiteCarries_CappedAtPeakTimesLength()
    {
        var target = At(2026, 6, 15, 12, 0);
        IntervalReading[] history = [new(At(2026, 6, 14, 12, 0), 0, 2_500), new(At(2026, 6, 14, 20, 0), 4_000, 0)];

        var forecast = HouseholdForecaster.Forecast(history, Site, 900, Berlin, [target, At(2026, 6, 15, 20, 0)]);

        forecast[0].ExportHighWh.ShouldBe(2_000);
        forecast[0].ExportWh.ShouldBe(2_000);
        forecast[1].ImportWh.ShouldBe(3_000);
    }

    [Fact]
    public void Forecast_NoReadingAtThatTimeOfDay_ZeroFromNoDays()
    {
        var target = At(2026, 6, 15, 12, 0);
        IntervalReading[] history = [new(At(2026, 6, 14, 12, 15), 0, 400)];

        var forecast = HouseholdForecaster.Forecast(history, Site, 900, Berlin, [target]).Single();

        forecast.ShouldBe(new IntervalForecast(target, 0, 0, 0, 0, 0, 0, 0));
    }

    [Fact]
    public void Forecast_ReadingsOfTheTargetDayOrLater_NotUsed()
    {
        var target = At(2026, 6, 15, 12, 0);
        IntervalReading[] history = [new(At(2026, 6, 14, 12, 0), 0, 400), new(target, 0, 9_999), new(At(2026, 6, 16, 12, 0), 0, 9_999)];

        var forecast = HouseholdForecaster.Forecast(history, Site, 900, Berlin, [target]).Single();

        forecast.ExportWh.ShouldBe(400);
        forecast.Days.ShouldBe(1);
    }

    [Fact]
    public void Forecast_DayAfterDaylightSavingStarts_SameLocalTimeOfDay()
    {
        // 28 March 12:00 is 11:00 UTC, 29 March 12:00 is 10:00 UTC: the same time of day for the household.
        var target = At(2026, 3, 29, 12, 0);
        IntervalReading[] history = [new(At(2026, 3, 28, 12, 0), 0, 700)];

        var forecast = HouseholdForecaster.Forecast(history, Site, 900, Berlin, [target]).Single();

        (target - history[0].IntervalStart).ShouldBe(23 * 3600);
        forecast.ExportWh.ShouldBe(700);
    }

    [Fact]
    public void Forecast_SevenDifferentDays_BandFromTheTenthToTheNinetiethPercentileAroundTheExpected()
    {
        var target = At(2026, 6, 15, 12, 0);
        var history = Enumerable.Range(1, 7).Select(k => new IntervalReading(At(2026, 6, 15 - k, 12, 0), 0, k * 100L)).ToList();

        var forecast = HouseholdForecaster.Forecast(history, Site, 900, Berlin, [target], new ForecastMethod(14, 1000, 1000, 0)).Single();

        forecast.ExportWh.ShouldBe(400);
        forecast.ExportLowWh.ShouldBe(100);
        forecast.ExportHighWh.ShouldBe(700);
        forecast.ExportLowWh.ShouldBeLessThanOrEqualTo(forecast.ExportWh);
    }

    [Fact]
    public void Forecast_OtherDayTypeWeighedLess_WeekendTargetLeansOnLastWeekend()
    {
        // Sunday 14 June: Saturday counts fully, Friday at half its weight.
        var target = At(2026, 6, 14, 12, 0);
        IntervalReading[] history = [new(At(2026, 6, 13, 12, 0), 900, 0), new(At(2026, 6, 12, 12, 0), 300, 0)];

        var forecast = HouseholdForecaster.Forecast(history, Site, 900, Berlin, [target], new ForecastMethod(14, 1000, 500, 0)).Single();

        // (1000 × 900 + 500 × 300) / 1500 = 700.
        forecast.ImportWh.ShouldBe(700);
    }

    [Fact]
    public void Forecast_SameInputsTwice_SameForecast()
    {
        var history = Enumerable.Range(0, 7 * 96).Select(i => new IntervalReading(At(2026, 6, 8, 0, 0) + (i * 900L), i % 97, i % 89)).ToList();
        var targets = HouseholdForecaster.IntervalsOfDays(new DateOnly(2026, 6, 15), 2, 900, Berlin);

        var first = HouseholdForecaster.Forecast(history, Site, 900, Berlin, targets);
        var second = HouseholdForecaster.Forecast(history.AsEnumerable().Reverse(), Site, 900, Berlin, targets);

        second.ShouldBe(first);
    }

    [Theory]
    [InlineData(2026, 6, 15, 96)]
    [InlineData(2026, 3, 29, 92)]
    [InlineData(2026, 10, 25, 100)]
    public void IntervalsOfDays_OneLocalDay_EveryIntervalFromMidnightToMidnight(int year, int month, int day, int expected)
    {
        var date = new DateOnly(year, month, day);

        var starts = HouseholdForecaster.IntervalsOfDays(date, 1, 900, Berlin);

        starts.Count.ShouldBe(expected);
        starts[0].ShouldBe(At(year, month, day, 0, 0));
        starts.ShouldAllBe(s => HouseholdForecaster.LocalDate(s, Berlin) == date);
    }

    /// <summary>Unix seconds of a Berlin local time.</summary>
    private static long At(int year, int month, int day, int hour, int minute) =>
        new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified), Berlin)).ToUnixTimeSeconds();
}
