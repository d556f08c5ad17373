using System.Net;
using System.Text;
using System.Text.Json;
using Market.Ledger;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Metering;

/// <summary>Meter readings: upload, validation, corrections, reconciliation blocks and their verification.</summary>
public sealed class MeterReadingTests
{
    [Fact]
    public async Task Upload_ValidCsv_StoresReadingsAndSealsReconciliationVersion1()
    {
        await using var s = await DeliveredTrade.StartAsync();

        using var response = await s.UploadAsync(s.ValidCsv());

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(2);
        var reconciliation = await db.Reconciliations.SingleAsync();
        (reconciliation.IntervalStart, reconciliation.Version, reconciliation.HouseholdCount).ShouldBe((s.Interval, 1, 2));
        (await db.Blocks.SingleAsync(b => b.Height == reconciliation.BlockHeight)).Kind.ShouldBe((byte)BlockKind.Reconciliation);
        // Anna delivered 200 Wh less than she sold and nobody is long: she buys them from the utility at retail.
        var anna = await s.App.HouseholdAsync("anna@demo.energy");
        var annaRows = await db.ImbalancePostings.Where(p => p.HouseholdId == anna.Id).ToListAsync();
        annaRows.ShouldHaveSingleItem().EnergyWh.ShouldBe(200);
    }

    [Fact]
    public async Task Upload_ValidCsv_PostingsAndImbalancePostingsSumToZero()
    {
        await using var s = await DeliveredTrade.StartAsync();

        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using var db = s.App.CreateDb();
        (await db.Postings.SumAsync(p => p.Amount)).ShouldBe(0);
        (await db.ImbalancePostings.CountAsync()).ShouldBeGreaterThan(0);
        (await db.ImbalancePostings.SumAsync(p => p.Amount)).ShouldBe(0);
        (await db.ImbalancePostings.SumAsync(p => p.EnergyWh)).ShouldBe(0);
    }

    [Fact]
    public async Task Upload_Correction_StoresVersion2AndSealsReconciliationVersion2()
    {
        await using var s = await DeliveredTrade.StartAsync();
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var response = await s.UploadAsync(DeliveredTrade.Csv((s.AnnaMeter, s.Interval, 0, 1000)));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await using var db = s.App.CreateDb();
        var anna = await s.App.HouseholdAsync("anna@demo.energy");
        (await db.MeterReadings.Where(r => r.HouseholdId == anna.Id).Select(r => r.Version).OrderBy(v => v).ToListAsync()).ShouldBe([1, 2]);
        var versions = await db.Reconciliations.OrderBy(r => r.Version).ToListAsync();
        versions.Select(r => r.Version).ShouldBe([1, 2]);
        versions[1].BlockHeight.ShouldBeGreaterThan(versions[0].BlockHeight);
        // Anna delivered all she sold in version 2: her version-1 purchase is reversed and nothing replaces it.
        (await db.ImbalancePostings.Where(p => p.HouseholdId == anna.Id).SumAsync(p => p.Amount)).ShouldBe(0);
        (await db.ImbalancePostings.SumAsync(p => p.Amount)).ShouldBe(0);
    }

    [Fact]
    public async Task Upload_SameFileTwice_SecondChangesNothing()
    {
        await using var s = await DeliveredTrade.StartAsync();
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var response = await s.UploadAsync(s.ValidCsv());

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(2);
        (await db.Reconciliations.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Upload_ReadingOfOneTraderOnly_WaitsForTheOther()
    {
        await using var s = await DeliveredTrade.StartAsync();

        using var response = await s.UploadAsync(DeliveredTrade.Csv((s.AnnaMeter, s.Interval, 0, 800)));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(1);
        (await db.Reconciliations.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Upload_Json_StoresReadings()
    {
        await using var s = await DeliveredTrade.StartAsync();
        using var client = await ApiClient.ForAsync(s.App, "operator@demo.energy");
        var body = new
        {
            readings = new[]
            {
                new { meterId = s.AnnaMeter, intervalStart = DeliveredTrade.Iso(s.Interval), importWh = 0L, exportWh = 800L },
                new { meterId = s.BenMeter, intervalStart = DeliveredTrade.Iso(s.Interval), importWh = 1000L, exportWh = 0L },
            },
        };

        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(body));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await using var db = s.App.CreateDb();
        (await db.Reconciliations.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Export_AfterACorrection_VerifiesInFullWithReplayTheOpeningsAndTheStoredReadings()
    {
        await using var s = await DeliveredTrade.StartAsync();
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await s.UploadAsync(DeliveredTrade.Csv((s.AnnaMeter, s.Interval, 0, 1000)))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var result = await s.VerifyExportAsync(await s.ReadingsAsync());

        result.Failure.ShouldBeNull();
        result.ReconciliationCount.ShouldBe(2);
        result.ReconciliationsFullyChecked.ShouldBe(2);
        result.ReadingsChecked.ShouldBe(4);
    }

    [Fact]
    public async Task Verify_ReadingChangedInTheDatabaseAfterSealing_ReadingMismatch()
    {
        await using var s = await DeliveredTrade.StartAsync();
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using (var db = s.App.CreateDb())
        {
            // Whoever owns the database can drop the trigger; the sealed reading hash still gives it away.
            var drop = s.App.Database == MarketDatabase.PostgreSql
                ? "DROP TRIGGER \"MeterReadings_append_only\" ON \"MeterReadings\""
                : "DROP TRIGGER \"MeterReadings_no_update\"";
            await db.Database.ExecuteSqlRawAsync(drop);
            await db.Database.ExecuteSqlRawAsync("UPDATE \"MeterReadings\" SET \"ExportWh\" = \"ExportWh\" + 100 WHERE \"ExportWh\" > 0");
        }

        var failure = (await s.VerifyExportAsync(await s.ReadingsAsync())).Failure;

        failure.ShouldNotBeNull();
        failure.Reason.ShouldBe(VerificationFailureReason.ReadingMismatch);
    }

    [Fact]
    public async Task Upload_MeterGatewayTokenForItsMeters_Accepted()
    {
        await using var s = await DeliveredTrade.StartAsync();
        await s.App.CreateGatewayAsync("gateway@grid.example");
        (await s.App.Get<GatewayMeters>().ReplaceAsync("gateway@grid.example", [s.AnnaMeter, s.BenMeter], "operator@demo.energy")).Succeeded.ShouldBeTrue();
        using var client = await ApiClient.ForAsync(s.App, "gateway@grid.example");
        using var content = new StringContent(s.ValidCsv(), Encoding.UTF8, "text/csv");

        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task LedgerApi_ReconciliationBlock_ListedAsReconciliationAndChainValid()
    {
        await using var s = await DeliveredTrade.StartAsync();
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);
        long height;
        await using (var db = s.App.CreateDb())
        {
            height = (await db.Reconciliations.SingleAsync()).BlockHeight;
        }

        using var client = s.App.CreateClient();
        var block = await client.GetStringAsync(new Uri($"/api/ledger/blocks/{height}", UriKind.Relative));

        block.ShouldContain("\"kind\":\"reconciliation\"");
        var report = await s.App.Get<LedgerReader>().VerifyAsync();
        report.IsValid.ShouldBeTrue(report.Message);
    }

    [Fact]
    public async Task Waiting_TradersWithoutAReading_ListedUntilTheirReadingsArriveThenNone()
    {
        await using var s = await DeliveredTrade.StartAsync();
        var settlement = s.App.Get<SettlementQueries>();
        var now = s.App.Get<MarketClock>().NowSeconds;
        var month = now - (31 * 86_400L);

        var before = await settlement.WaitingForReadingsAsync(month, now, 50);
        // Delivery not over yet (the clock in the middle of the interval), or the interval outside the window: none.
        var during = await settlement.WaitingForReadingsAsync(month, s.Interval + 60, 50);
        var outside = await settlement.WaitingForReadingsAsync(s.Interval + 1, now, 50);
        var firstOnly = await settlement.WaitingForReadingsAsync(month, now, 1);
        (await s.UploadAsync(DeliveredTrade.Csv((s.AnnaMeter, s.Interval, 0, 800)))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var afterAnna = await settlement.WaitingForReadingsAsync(month, now, 50);
        (await s.UploadAsync(DeliveredTrade.Csv((s.BenMeter, s.Interval, 1000, 0)))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var afterBoth = await settlement.WaitingForReadingsAsync(month, now, 50);

        (before.Total, before.Intervals, before.Capped).ShouldBe((2, 1, false));
        before.Missing.Select(m => (m.IntervalStart, m.MeterId)).Order().ShouldBe(new[] { (s.Interval, s.AnnaMeter), (s.Interval, s.BenMeter) }.Order());
        before.Missing.Select(m => m.Household).Order().ShouldBe(["Anna's house", "Ben's flat"]);
        during.Total.ShouldBe(0);
        outside.Total.ShouldBe(0);
        (firstOnly.Total, firstOnly.Missing.Count).ShouldBe((2, 1));
        afterAnna.Missing.ShouldHaveSingleItem().MeterId.ShouldBe(s.BenMeter);
        (afterBoth.Total, afterBoth.Missing.Count).ShouldBe((0, 0));
    }

    [Fact]
    public async Task MissingTemplate_Downloaded_EmptyOneIsRejectedFilledOneReconciles()
    {
        await using var s = await DeliveredTrade.StartAsync();
        using var browser = s.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignIn.SignInAsync(browser, "operator@demo.energy");

        using var download = await browser.GetAsync(new Uri("/operator/readings/missing.csv", UriKind.Relative));
        var template = await download.Content.ReadAsStringAsync();
        using var empty = await s.UploadAsync(template);
        var emptyText = await empty.Content.ReadAsStringAsync();
        var lines = template.TrimEnd('\n').Split('\n');
        var filled = string.Join("\n", lines.Select((l, i) => i == 0 ? l : l.StartsWith(s.AnnaMeter, StringComparison.Ordinal) ? l[..^1] + "0,800" : l[..^1] + "1000,0"));
        using var upload = await s.UploadAsync(filled);

        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        lines[0].ShouldBe(ReadingParser.Header);
        lines.Skip(1).ShouldBe([$"{s.AnnaMeter},{DeliveredTrade.Iso(s.Interval)},,", $"{s.BenMeter},{DeliveredTrade.Iso(s.Interval)},,"], ignoreOrder: true);
        empty.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, emptyText);
        emptyText.ShouldContain("import_wh");
        upload.StatusCode.ShouldBe(HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(2);
        (await db.Reconciliations.SingleAsync()).IntervalStart.ShouldBe(s.Interval);
    }

    [Fact]
    public async Task MissingTemplate_TradesInTwoIntervalsApart_CoversTheIntervalBetweenSoTheFilledFileHasNoGap()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var clock = app.Get<MarketClock>();
        var first = clock.FirstOpenInterval();
        var third = clock.Next(clock.Next(first));
        await app.AnnaSellsToBenAsync(first);
        await app.AnnaSellsToBenAsync(third);

        await app.CloseGateAndClearAsync(third);
        app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(clock.Next(third) + 60));
        await app.Get<ClearingJob>().RunAsync(CancellationToken.None);
        using var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignIn.SignInAsync(browser, "operator@demo.energy");

        var template = await browser.GetStringAsync(new Uri("/operator/readings/missing.csv", UriKind.Relative));
        var lines = template.TrimEnd('\n').Split('\n');
        var filled = string.Join("\n", lines.Select((l, i) => i == 0 ? l : l[..^1] + (l.StartsWith(anna.MeterId!, StringComparison.Ordinal) ? "0,1000" : "1000,0")));
        using var client = await ApiClient.ForAsync(app, "operator@demo.energy");
        using var content = new StringContent(filled, Encoding.UTF8, "text/csv");
        using var upload = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);

        // Both meters, the three intervals: the one between was cleared (empty) and has no reading either.
        lines.Length.ShouldBe(1 + (2 * 3));
        lines.Skip(1).ShouldContain($"{anna.MeterId},{DeliveredTrade.Iso(clock.Next(first))},,");
        upload.StatusCode.ShouldBe(HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());
        await using var db = app.CreateDb();
        // The interval between has readings now, so it is settled too (all with the utility: nobody traded).
        (await db.Reconciliations.Select(r => r.IntervalStart).ToListAsync()).Order().ShouldBe([first, clock.Next(first), third]);
    }

    [Fact]
    public async Task Upload_TwoReadingsOfAMeterWithAStoredOneBetween_NoGap()
    {
        await using var s = await DeliveredTrade.StartAsync();
        var second = s.Next;
        var third = s.App.Get<MarketClock>().Next(second);
        (await s.UploadAsync(DeliveredTrade.Csv((s.AnnaMeter, second, 0, 0)))).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var response = await s.UploadAsync(DeliveredTrade.Csv((s.AnnaMeter, s.Interval, 0, 800), (s.AnnaMeter, third, 0, 0), (s.BenMeter, s.Interval, 1000, 0)));
        using var gap = await s.UploadAsync(DeliveredTrade.Csv((s.BenMeter, s.Interval, 1000, 0), (s.BenMeter, third, 0, 0)));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        gap.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await gap.Content.ReadAsStringAsync()).ShouldContain("gap");
    }
}

/// <summary>
/// Uploads the market must refuse: each changes nothing, so they share one delivered trade and each still finds no
/// reading stored.
/// </summary>
public sealed class MeterReadingRefusalTests(DeliveredTrade delivered) : IClassFixture<DeliveredTrade>
{
    public static TheoryData<string> BadFiles() =>
    [
        "unknown meter", "duplicate", "gap", "negative", "unaligned", "future", "not cleared", "malformed", "no header", "empty",
    ];

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Upload_BadFile_Returns422WithLineNumbersAndStoresNothing(string kind)
    {
        var s = delivered;
        var (a, b, i, n) = (s.AnnaMeter, s.BenMeter, s.Interval, s.Next);
        var length = n - i;
        var (csv, line) = kind switch
        {
            "unknown meter" => (DeliveredTrade.Csv((a, i, 0, 800), ("MTR-NOBODY", i, 1000, 0)), 3),
            "duplicate" => (DeliveredTrade.Csv((a, i, 0, 800), (b, i, 1000, 0), (a, i, 0, 900)), 4),
            "gap" => (DeliveredTrade.Csv((a, i, 0, 800), (a, n + length, 0, 0), (b, i, 1000, 0)), 3),
            "negative" => (DeliveredTrade.Csv((a, i, 0, 800), (b, i, -1000, 0)), 3),
            "unaligned" => (DeliveredTrade.Csv((a, i + 60, 0, 800), (b, i, 1000, 0)), 2),
            "future" => (DeliveredTrade.Csv((a, i, 0, 800), (b, n + (10 * length), 1000, 0)), 3),
            "not cleared" => (DeliveredTrade.Csv((a, i, 0, 800), (b, i - (1000 * length), 1000, 0)), 3),
            "malformed" => (ReadingParser.Header + "\n" + $"{a},{DeliveredTrade.Iso(i)},0,800\n{b};{DeliveredTrade.Iso(i)};1000;0", 3),
            "no header" => ($"{a},{DeliveredTrade.Iso(i)},0,800", 1),
            "empty" => ("", 1),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var response = await s.UploadAsync(csv);

        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, body);
        using var problem = JsonDocument.Parse(body);
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray().ToList();
        errors.ShouldNotBeEmpty();
        errors.Select(e => e.GetProperty("line").GetInt32()).ShouldContain(line, body);
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(0);
        (await db.Reconciliations.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Upload_JsonWithAKeyGivenTwice_400NamingTheKeyAndStoresNothing()
    {
        var s = delivered;
        using var client = await ApiClient.ForAsync(s.App, "operator@demo.energy");
        var json = $$"""{"readings":[{"meterId":"{{s.AnnaMeter}}","intervalStart":"{{DeliveredTrade.Iso(s.Interval)}}","importWh":0,"exportWh":800,"ImportWH":100000000000}]}""";

        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        text.ShouldContain("ImportWH", Case.Sensitive);
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(0);
        (await db.Reconciliations.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Upload_HouseholdToken_Forbidden()
    {
        var s = delivered;
        using var client = await ApiClient.ForAsync(s.App, "anna@demo.energy");
        using var content = new StringContent(s.ValidCsv(), Encoding.UTF8, "text/csv");

        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Upload_PlainText_Returns415()
    {
        var s = delivered;
        using var client = await ApiClient.ForAsync(s.App, "operator@demo.energy");
        using var content = new StringContent(s.ValidCsv(), Encoding.UTF8, "text/plain");

        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Upload_JsonWithANegativeValue_Returns422NamingTheItem()
    {
        var s = delivered;
        using var client = await ApiClient.ForAsync(s.App, "operator@demo.energy");
        var body = new { readings = new[] { new { meterId = s.AnnaMeter, intervalStart = DeliveredTrade.Iso(s.Interval), importWh = 0L, exportWh = -5L } } };

        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(body));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, text);
        text.ShouldContain("negative");
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(0);
    }
}
