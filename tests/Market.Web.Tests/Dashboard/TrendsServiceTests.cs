using System.Globalization;
using System.Net;
using System.Text;
using Market.Web.Dashboard;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Dashboard;

/// <summary>
/// The managers' 30-day trends on the worked example of the settlement tests: Anna sells 1,000 Wh to Ben at 20 ct
/// (retail 39.70 ct, feed-in 7.86 ct); Anna exports 1,100 Wh, Ben imports 1,300 Wh: 100 Wh netted at 20 ct, 200 Wh
/// bought from the utility (0.0794).
/// </summary>
public sealed class TrendsServiceTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();
    private long _interval;

    public async Task InitializeAsync()
    {
        _ = _app.Server;
        _interval = await _app.TradeAndClearAsync();   // 15 ct against 25 ct: 20 ct
        await _app.DeliverAsync(_interval, intervalsAfter: 3);
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    private async Task UploadAsync(long annaExportWh, long benImportWh)
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var ben = await _app.HouseholdAsync("ben@demo.energy");
        using var client = await ApiClient.ForAsync(_app, "operator@demo.energy");
        var start = DateTimeOffset.FromUnixTimeSeconds(_interval).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var csv = string.Create(CultureInfo.InvariantCulture, $"{ReadingParser.Header}\n{anna.MeterId},{start},0,{annaExportWh}\n{ben.MeterId},{start},{benImportWh},0");
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Days_DeliveredAndReconciled_SelfSufficiencyAndMoneyKeptFromTheMeters()
    {
        await UploadAsync(annaExportWh: 1100, benImportWh: 1300);

        var days = await _app.Get<TrendsService>().DaysAsync();

        days.Count.ShouldBe(TrendsService.Days);
        var today = days[^1];
        today.Intervals.ShouldBe(1);
        (today.ImportWh, today.LocalWh).ShouldBe((1300L, 1100L));   // Ben's 200 Wh from the utility are not local
        today.SelfSufficiencyPermille.ShouldBe(846);
        today.PaidToNeighbours.ShouldBe(2000 + 200);                  // the trade and 100 Wh of cover at 20 ct
        today.PaidToUtility.ShouldBe(794);                            // 200 Wh at 39.70 ct
        today.GridOnlyPaidToUtility.ShouldBe(5161 - 865);             // 1,300 Wh at retail less 1,100 Wh at feed-in
        today.Kept.ShouldBe(4296 - 794);                              // = Ben's saving 2,167 + Anna's 1,335
        days.Take(TrendsService.Days - 1).ShouldAllBe(d => d.Intervals == 0 && d.ImportWh == 0 && d.Kept == 0);
    }

    [Fact]
    public async Task Days_TradedButNoReadings_NothingCountedYet()
    {
        var days = await _app.Get<TrendsService>().DaysAsync();

        days.ShouldAllBe(d => d.Intervals == 0 && d.PaidToNeighbours == 0 && d.SelfSufficiencyPermille == null);
    }
}
