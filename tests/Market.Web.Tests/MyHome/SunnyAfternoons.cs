using Market.Web.Tests.Support;

namespace Market.Web.Tests.MyHome;

/// <summary>
/// Meter history for Anna: on each of the 14 days before the app's clock, she exported between 13:00 and 17:00 local
/// time (a little more each day back: 800 Wh per quarter hour yesterday, 820 the day before, …) and imported 150 Wh in
/// every other quarter hour. Her forecast then expects a surplus every afternoon and a need the rest of the day.
/// </summary>
public static class SunnyAfternoons
{
    public const int FirstHour = 13;

    public const int LastHour = 17;

    public static async Task SeedAsync(MarketFactory app)
    {
        var anna = await app.HouseholdAsync(DemoRoster.AnnaEmail);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(anna.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), zone).DateTime);
        await using var db = app.CreateDb();
        for (var k = 1; k <= 14; k++)
        {
            var day = today.AddDays(-k);
            for (var quarter = 0; quarter < 96; quarter++)
            {
                var local = day.ToDateTime(new TimeOnly(quarter / 4, quarter % 4 * 15));
                var start = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone)).ToUnixTimeSeconds();
                var sunny = local.Hour is >= FirstHour and < LastHour;
                db.MeterReadings.Add(new MeterReadingEntity
                {
                    HouseholdId = anna.Id,
                    MeterId = anna.MeterId ?? "MTR-ANNA",
                    IntervalStart = start,
                    Version = 1,
                    ImportWh = sunny ? 0 : 150,
                    ExportWh = sunny ? 780 + (20 * k) : 0,
                    ReceivedAtMs = (start + 3600) * 1000,
                    Source = "test",
                });
            }
        }

        await db.SaveChangesAsync();
    }

    /// <summary>Unix seconds of <paramref name="hour"/>:00 local time on Anna's today (+ <paramref name="days"/>).</summary>
    public static long At(MarketFactory app, int hour, int days = 0)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), zone).DateTime).AddDays(days);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(today.ToDateTime(new TimeOnly(hour, 0)), zone)).ToUnixTimeSeconds();
    }
}
