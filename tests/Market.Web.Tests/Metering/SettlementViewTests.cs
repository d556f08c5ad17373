using System.Globalization;
using System.Net;
using System.Text;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Metering;

/// <summary>
/// Reconciled intervals in the household's statement and in the utility view. Worked example: Anna sells 1,000 Wh to
/// Ben at 20 ct (retail 39.70 ct, feed-in 7.86 ct); Anna exports 1,100 Wh (100 Wh long), Ben imports 1,300 Wh
/// (300 Wh short). 100 Wh are netted at 20 ct (Ben pays Anna 0.02), Ben buys 200 Wh from the utility (0.0794).
/// </summary>
public sealed class SettlementViewTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();
    private long _interval;
    private Household _anna = null!;
    private Household _ben = null!;

    public async Task InitializeAsync()
    {
        _ = _app.Server;
        _anna = await _app.HouseholdAsync("anna@demo.energy");
        _ben = await _app.HouseholdAsync("ben@demo.energy");
        _interval = await _app.TradeAndClearAsync();
        await _app.DeliverAsync(_interval, intervalsAfter: 3);
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    private async Task UploadAsync(long annaExportWh, long benImportWh)
    {
        using var client = await ApiClient.ForAsync(_app, "operator@demo.energy");
        var start = DateTimeOffset.FromUnixTimeSeconds(_interval).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var csv = string.Create(CultureInfo.InvariantCulture, $"{ReadingParser.Header}\n{_anna.MeterId},{start},0,{annaExportWh}\n{_ben.MeterId},{start},{benImportWh},0");
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private Task<Statement> MonthAsync(Household household)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(_interval), TimeZoneInfo.FindSystemTimeZoneById(household.TimeZone));
        return _app.Get<StatementService>().MonthAsync(household, local.Year, local.Month);
    }

    [Fact]
    public async Task Statement_ShortBuyer_ImportSplitIntoLocalAndGridWithMoneyAndSavings()
    {
        await UploadAsync(annaExportWh: 1100, benImportWh: 1300);

        var ben = (await MonthAsync(_ben)).Intervals.ShouldHaveSingleItem();

        (ben.ImportLocalWh, ben.ImportGridWh).ShouldBe((1100L, 200L));
        (ben.ImportLocalWh + ben.ImportGridWh).ShouldBe(1300);
        (ben.ExportLocalWh, ben.ExportGridWh).ShouldBe((0L, 0L));
        ben.LocalCost.ShouldBe(2000 + 200);    // the trade and 100 Wh of Anna's surplus at 20 ct
        ben.GridCost.ShouldBe(794);            // 200 Wh at 39.70 ct
        ben.NetAmount.ShouldBe(-2994);
        ben.GridOnlyNetAmount.ShouldBe(-5161); // 1,300 Wh at retail: 5,161
        ben.Savings.ShouldBe(-2994 - (-5161));
    }

    [Fact]
    public async Task Statement_LongSeller_ExportAllLocalAndEarningsFromTradeAndCover()
    {
        await UploadAsync(annaExportWh: 1100, benImportWh: 1300);

        var anna = (await MonthAsync(_anna)).Intervals.ShouldHaveSingleItem();

        (anna.ExportLocalWh, anna.ExportGridWh).ShouldBe((1100L, 0L));
        (anna.LocalEarnings, anna.GridEarnings, anna.LocalCost, anna.GridCost).ShouldBe((2200L, 0L, 0L, 0L));
        anna.GridOnlyNetAmount.ShouldBe(865);  // 1,100 Wh at 7.86 ct = 864.6, half up
        anna.Savings.ShouldBe(2200 - 865);
    }

    [Fact]
    public async Task Statement_BeforeReconciliation_TradesMarkedNotReconciledAndBenefitFromTrades()
    {
        var statement = await MonthAsync(_ben);

        statement.Intervals.ShouldBeEmpty();
        statement.Lines.ShouldHaveSingleItem().Reconciled.ShouldBeFalse();
        statement.TotalBenefit.ShouldBe(statement.SavedOnPurchases);
    }

    [Fact]
    public async Task Statement_AfterCorrection_LatestVersionWithTheAdjustmentAgainstTheVersionBefore()
    {
        await UploadAsync(annaExportWh: 1100, benImportWh: 1300);
        var first = await MonthAsync(_ben);
        await UploadAsync(annaExportWh: 1100, benImportWh: 1000);

        var statement = await MonthAsync(_ben);
        var annas = await MonthAsync(_anna);

        var ben = statement.Intervals.ShouldHaveSingleItem();
        ben.Version.ShouldBe(2);
        (ben.ImportLocalWh, ben.ImportGridWh, ben.GridCost, ben.LocalCost).ShouldBe((1000L, 0L, 0L, 2000L));
        statement.Lines.ShouldHaveSingleItem().Reconciled.ShouldBeTrue();
        statement.TotalBenefit.ShouldBe(ben.Savings);
        // Version 1: Ben paid 2,994 (trade, 100 Wh cover, 200 Wh at retail); version 2: the trade only, 2,000.
        first.Intervals.ShouldHaveSingleItem().Adjustment.ShouldBeNull();
        first.Corrected.ShouldBe(0);
        (ben.PreviousNetAmount, ben.Adjustment).ShouldBe((-2994L, 994L));
        (statement.Corrected, statement.Adjustments).ShouldBe((1, 994L));
        // Anna: 2,200 (trade and the cover she provided) before; now the trade and 100 Wh fed in at 7.86 ct (79).
        var anna = annas.Intervals.ShouldHaveSingleItem();
        (anna.PreviousNetAmount, anna.NetAmount, anna.Adjustment).ShouldBe((2200L, 2079L, -121L));
        var csv = StatementService.ToCsv(statement, TimeZoneInfo.FindSystemTimeZoneById(_ben.TimeZone)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        csv[2].ShouldContain(",metered,,,,,,,reconciled,2,");
        csv[2].ShouldEndWith(",0.0994");
        csv.ShouldAllBe(l => l.Split(',').Length == csv[0].Split(',').Length);
    }

    [Fact]
    public async Task StatementCsv_Reconciled_NewColumnsAndOneMeteredLine()
    {
        await UploadAsync(annaExportWh: 1100, benImportWh: 1300);

        var csv = StatementService.ToCsv(await MonthAsync(_ben), TimeZoneInfo.FindSystemTimeZoneById(_ben.TimeZone)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        csv[0].ShouldEndWith(",block,settlement,reconciliation_version,import_local_kwh,import_grid_kwh,export_local_kwh,export_grid_kwh,local_cost_EUR,grid_cost_EUR,local_earnings_EUR,grid_earnings_EUR,net_EUR,grid_only_net_EUR,savings_vs_grid_only_EUR,adjustment_vs_previous_version_EUR");
        csv.Length.ShouldBe(3);
        csv.ShouldAllBe(l => l.Split(',').Length == csv[0].Split(',').Length);
        csv[1].ShouldContain(",bought,1,20,0.2,");
        csv[1].ShouldContain(",reconciled,1,,,");
        csv[2].ShouldEndWith(",metered,,,,,,,reconciled,1,1.1,0.2,0,0,0.22,0.0794,0,0,-0.2994,-0.5161,0.2167,");
    }

    [Fact]
    public async Task CommunityIntervals_Reconciled_EqualSumsOfReadingsAndTradesAndPostings()
    {
        await UploadAsync(annaExportWh: 1100, benImportWh: 1300);

        var intervals = await _app.Get<SettlementQueries>().CommunityAsync(_interval, _app.Get<MarketClock>().Next(_interval));

        var i = intervals.ShouldHaveSingleItem();
        await using var db = _app.CreateDb();
        i.ImportWh.ShouldBe(await db.MeterReadings.SumAsync(r => r.ImportWh));
        i.ExportWh.ShouldBe(await db.MeterReadings.SumAsync(r => r.ExportWh));
        i.TradedWh.ShouldBe(await db.Trades.Where(t => t.IntervalStart == _interval).SumAsync(t => t.EnergyWh));
        (i.Version, i.Households, i.NettedWh, i.BoughtFromUtilityWh, i.BoughtFromUtilityAmount, i.SoldToUtilityWh).ShouldBe((1, 2, 100L, 200L, 794L, 0L));
        var households = await Task.WhenAll(MonthAsync(_anna), MonthAsync(_ben));
        i.ImportWh.ShouldBe(households.Sum(h => h.ImportLocalWh + h.ImportGridWh));
        i.BoughtFromUtilityAmount.ShouldBe(households.Sum(h => h.GridCost));
    }

    [Fact]
    public async Task CommunityIntervals_AfterCorrection_LatestVersionOnly()
    {
        await UploadAsync(annaExportWh: 1100, benImportWh: 1300);
        await UploadAsync(annaExportWh: 1100, benImportWh: 1000);

        var i = (await _app.Get<SettlementQueries>().CommunityAsync(_interval, _app.Get<MarketClock>().Next(_interval))).ShouldHaveSingleItem();

        (i.Version, i.ImportWh, i.NettedWh, i.BoughtFromUtilityWh, i.SoldToUtilityWh).ShouldBe((2, 1000L, 0L, 0L, 100L));
    }

    [Fact]
    public async Task UtilityCsv_Manager_OneLinePerClearedInterval()
    {
        await UploadAsync(annaExportWh: 1100, benImportWh: 1300);
        var clock = _app.Get<MarketClock>();
        var day = DateOnly.FromDateTime(clock.ToLocal(_interval).DateTime);
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignIn.SignInAsync(client, "manager@demo.energy");

        var csv = await client.GetStringAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"/utility/intervals.csv?from={day:yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}"), UriKind.Relative));

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("interval_start_utc,interval_end_utc,reconciliation_version,households,import_kwh,export_kwh,traded_locally_kwh,netted_between_neighbours_kwh,bought_from_utility_kwh");
        var start = DateTimeOffset.FromUnixTimeSeconds(_interval).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        lines.ShouldContain(l => l.StartsWith(start, StringComparison.Ordinal) && l.Contains(",1,2,1.3,1.1,1,0.1,0.2,0.0794,0,0,0.2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UtilityCsv_RangeLongerThanAMonth_BadRequest()
    {
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignIn.SignInAsync(client, "operator@demo.energy");

        using var response = await client.GetAsync(new Uri("/utility/intervals.csv?from=2026-01-01&to=2026-03-01", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        UtilityEndpoints.MaxDays.ShouldBe(31);
    }
}
