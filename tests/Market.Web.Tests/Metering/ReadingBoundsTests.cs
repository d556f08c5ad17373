using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Scenario = Market.Web.Tests.Metering.DeliveredTrade;

namespace Market.Web.Tests.Metering;

/// <summary>Readings are bounded by what the connection can carry, and a gateway sends only for its own meters.</summary>
[Trait("Database", "Independent")]
public sealed class ReadingBoundsTests
{
    private static string Iso(long start) => DateTimeOffset.FromUnixTimeSeconds(start).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<(int Line, string Message)>> ErrorsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, body);
        using var problem = JsonDocument.Parse(body);
        return [.. problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("message").GetString()!))];
    }

    [Fact]
    public async Task Upload_100GWhImportForA12kWConnection_RefusedNamingTheLimitAndNothingStored()
    {
        await using var s = await Scenario.StartAsync();
        await using (var seeded = s.App.CreateDb())
        {
            (await seeded.Households.SingleAsync(h => h.MeterId == s.AnnaMeter)).MaxImportW.ShouldBe(12_000);
        }

        using var client = await ApiClient.ForAsync(s.App, "operator@demo.energy");
        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), JsonContent.Create(new
        {
            readings = new object[]
            {
                new { meterId = s.AnnaMeter, intervalStart = Iso(s.Interval), importWh = 100_000_000_000L, exportWh = 0 },
                new { meterId = s.BenMeter, intervalStart = Iso(s.Interval), importWh = 1000, exportWh = 0 },
            },
        }));

        var errors = await ErrorsAsync(response);
        var (line, message) = errors.ShouldHaveSingleItem();
        line.ShouldBe(1);
        message.ShouldContain("import_wh 100000000000 Wh is more than the connection can carry");
        message.ShouldContain("maximum import of 12000 W for 15 minutes is 3000 Wh, 3300 Wh with the 10% tolerance");
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(0);
        (await db.Reconciliations.CountAsync()).ShouldBe(0);
    }

    // Anna: 12 kW import and 8 kW of PV; 15-minute intervals; 10 % tolerance by default.
    [Theory]
    [InlineData(3300, 0, true)]
    [InlineData(3301, 0, false)]
    [InlineData(0, 2200, true)]
    [InlineData(0, 2201, false)]
    public async Task Upload_EnergyAtTheToleranceEdge_AcceptedJustInsideRefusedJustOutside(long importWh, long exportWh, bool accepted)
    {
        await using var s = await Scenario.StartAsync();

        using var response = await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, importWh, exportWh), (s.BenMeter, s.Interval, 1000, 0)));

        await using var db = s.App.CreateDb();
        if (accepted)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            (await db.MeterReadings.CountAsync()).ShouldBe(2);
        }
        else
        {
            var (line, message) = (await ErrorsAsync(response)).ShouldHaveSingleItem();
            line.ShouldBe(2);
            message.ShouldContain(importWh > 0 ? "maximum import of 12000 W" : "PV peak of 8000 W");
            (await db.MeterReadings.CountAsync()).ShouldBe(0);
        }
    }

    [Fact]
    public async Task Upload_ToleranceSetToZero_ExactLimitAcceptedOneWhMoreRefused()
    {
        await using var s = await Scenario.StartAsync(new() { ["Metering:ReadingTolerancePercent"] = "0" });

        using var over = await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, 3001, 0), (s.BenMeter, s.Interval, 1000, 0)));
        using var exact = await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, 3000, 0), (s.BenMeter, s.Interval, 1000, 0)));

        var (line, message) = (await ErrorsAsync(over)).ShouldHaveSingleItem();
        (line, message.Contains("3000 Wh with the 0% tolerance", StringComparison.Ordinal)).ShouldBe((2, true), message);
        exact.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BeyondConnection_LargestRatingsAndIntervals_NoOverflow()
    {
        var message = ReadingImportService.BeyondConnection(long.MaxValue, long.MaxValue, 3600, 1000, "import_wh", "maximum import");

        message.ShouldBeNull();
        ReadingImportService.BeyondConnection(1, 0, 900, 10, "export_wh", "PV peak").ShouldNotBeNull();
    }

    private static async Task<HttpClient> GatewayAsync(Scenario s, string name, params string[] meters)
    {
        await s.App.CreateGatewayAsync(name);
        using var operatorClient = await ApiClient.ForAsync(s.App, "operator@demo.energy");
        using var assigned = await operatorClient.PutAsJsonAsync(new Uri($"/api/meter-gateways/{name}/meters", UriKind.Relative), new { meterIds = meters });
        assigned.StatusCode.ShouldBe(HttpStatusCode.OK, await assigned.Content.ReadAsStringAsync());
        return await ApiClient.ForAsync(s.App, name);
    }

    [Fact]
    public async Task Upload_GatewayForAMeterNotAssignedToIt_RefusedNotAssignedAndNothingStored()
    {
        await using var s = await Scenario.StartAsync();
        using var gateway = await GatewayAsync(s, "gw-anna@grid.example", s.AnnaMeter);
        using var content = new StringContent(s.ValidCsv(), Encoding.UTF8, "text/csv");

        using var response = await gateway.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);

        var (line, message) = (await ErrorsAsync(response)).ShouldHaveSingleItem();
        (line, message).ShouldBe((3, $"meter \"{s.BenMeter}\" is not assigned to this gateway"));
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Upload_GatewayForAnUnknownMeter_SaysNotAssignedSoItLearnsNothingAboutOtherMeters()
    {
        await using var s = await Scenario.StartAsync();
        using var gateway = await GatewayAsync(s, "gw@grid.example", s.AnnaMeter);
        using var content = new StringContent(Scenario.Csv(("MTR-NOBODY", s.Interval, 0, 0)), Encoding.UTF8, "text/csv");

        using var response = await gateway.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);

        (await ErrorsAsync(response)).ShouldHaveSingleItem().Message.ShouldBe("meter \"MTR-NOBODY\" is not assigned to this gateway");
    }

    [Fact]
    public async Task Upload_MeterMovedToAnotherGateway_FirstGatewayRefusedSecondAccepted()
    {
        await using var s = await Scenario.StartAsync();
        using var first = await GatewayAsync(s, "gw-1@grid.example", s.AnnaMeter, s.BenMeter);
        using var second = await GatewayAsync(s, "gw-2@grid.example", s.BenMeter);

        using var refused = await first.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), new StringContent(s.ValidCsv(), Encoding.UTF8, "text/csv"));
        using var annaByFirst = await first.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), new StringContent(Scenario.Csv((s.AnnaMeter, s.Interval, 0, 800)), Encoding.UTF8, "text/csv"));
        using var benBySecond = await second.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), new StringContent(Scenario.Csv((s.BenMeter, s.Interval, 1000, 0)), Encoding.UTF8, "text/csv"));

        (await ErrorsAsync(refused)).ShouldHaveSingleItem().Message.ShouldContain("not assigned to this gateway");
        annaByFirst.StatusCode.ShouldBe(HttpStatusCode.OK);
        benBySecond.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = s.App.CreateDb();
        (await db.Reconciliations.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task PutGatewayMeters_AnUnknownMeter_422AndNothingChanged()
    {
        await using var s = await Scenario.StartAsync();
        using var gateway = await GatewayAsync(s, "gw@grid.example", s.AnnaMeter);
        using var operatorClient = await ApiClient.ForAsync(s.App, "operator@demo.energy");

        using var response = await operatorClient.PutAsJsonAsync(new Uri("/api/meter-gateways/gw@grid.example/meters", UriKind.Relative), new { meterIds = new[] { s.BenMeter, "MTR-NOBODY" } });

        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, body);
        body.ShouldContain("MTR-NOBODY");
        var list = await operatorClient.GetFromJsonAsync<List<Market.Web.Api.GatewayDto>>(new Uri("/api/meter-gateways", UriKind.Relative));
        list.ShouldNotBeNull().ShouldHaveSingleItem().MeterIds.ShouldBe([s.AnnaMeter]);
    }

    [Fact]
    public async Task PutGatewayMeters_UserWithoutTheGatewayRole_404()
    {
        await using var s = await Scenario.StartAsync();
        using var operatorClient = await ApiClient.ForAsync(s.App, "operator@demo.energy");

        using var response = await operatorClient.PutAsJsonAsync(new Uri("/api/meter-gateways/anna@demo.energy/meters", UriKind.Relative), new { meterIds = new[] { s.AnnaMeter } });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using var db = s.App.CreateDb();
        (await db.MeterGatewayMeters.CountAsync()).ShouldBe(0);
    }
}
