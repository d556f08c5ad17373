using System.Net;
using System.Text;
using System.Text.Json;
using Market.Web.Tests.Support;
using Market.Web.Grid;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Grid;

/// <summary>One app for the grid API tests: each test works on its own hours and compares counts before and after.</summary>
public sealed class GridApp : IAsyncLifetime
{
    public const string NetworkOperator = "dso@grid.example";

    public MarketFactory App { get; } = new();

    public string AnnaMeter { get; private set; } = "";

    public string BenMeter { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _ = App.Server;
        await App.CreateNetworkOperatorAsync(NetworkOperator);
        AnnaMeter = (await App.HouseholdAsync("anna@demo.energy")).MeterId!;
        BenMeter = (await App.HouseholdAsync("ben@demo.energy")).MeterId!;
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>The network import and the network operator's envelopes through the API: stored all or nothing.</summary>
public sealed class GridApiTests(GridApp fixture) : IClassFixture<GridApp>
{
    private const string NetworkOperator = GridApp.NetworkOperator;
    private readonly MarketFactory _app = fixture.App;
    private readonly string _annaMeter = fixture.AnnaMeter;
    private readonly string _benMeter = fixture.BenMeter;

    private string Network() =>
        "node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id\n" +
        "ROOT,,community,,,\n" +
        "T1,ROOT,transformer,250000,250000,\n" +
        "F1,T1,feeder,40000,60000,\n" +
        "F2,T1,feeder,40000,60000,\n" +
        $"C-ANNA,F1,connection,5000,11000,{_annaMeter}\n" +
        $"C-BEN,F2,connection,5000,11000,{_benMeter}\n";

    private async Task<HttpResponseMessage> SendAsync(string email, HttpMethod method, string path, string body, string mediaType)
    {
        using var client = await ApiClient.ForAsync(_app, email);
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        return await client.SendAsync(request);
    }

    private async Task<(int Versions, int NetworkBlocks)> CountsAsync()
    {
        await using var db = _app.CreateDb();
        return (await db.NetworkVersions.CountAsync(), await db.Blocks.CountAsync(b => b.Kind == (byte)Market.Ledger.BlockKind.Network));
    }

    private async Task<(int Uploads, int Windows)> EnvelopeCountsAsync()
    {
        await using var db = _app.CreateDb();
        return (await db.EnvelopeUploads.CountAsync(), await db.Envelopes.CountAsync());
    }

    private Task<HttpResponseMessage> ImportNetworkAsync(string csv) => SendAsync("operator@demo.energy", HttpMethod.Put, "/api/grid/network", csv, "text/csv");

    private Task<HttpResponseMessage> EnvelopesAsync(string json) => SendAsync(NetworkOperator, HttpMethod.Post, "/api/grid/envelopes", json, "application/json");

    private long FirstOpen() => _app.Get<MarketClock>().FirstOpenInterval();

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string Envelope(string node, long start, long end, long? import, long? export, string? evt = null) =>
        JsonSerializer.Serialize(new { node, start = Iso(start), end = Iso(end), importLimitW = import, exportLimitW = export, @event = evt });

    [Fact]
    public async Task Network_ImportedByAnOperator_IsTheVersionInForce()
    {
        var before = (await _app.Get<GridStore>().CurrentAsync(default))?.Version ?? 0;

        using var response = await ImportNetworkAsync(Network());

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("version").GetInt64().ShouldBe(before + 1);
        json.RootElement.GetProperty("connections").GetInt32().ShouldBe(2);
        var current = await _app.Get<GridStore>().CurrentAsync(default);
        current.ShouldNotBeNull();
        current.Definition.Nodes.Select(n => n.Id).ShouldBe(["ROOT", "T1", "F1", "F2", "C-ANNA", "C-BEN"]);
    }

    [Fact]
    public async Task Network_Imported_IsSealedInTheLedgerWithEachConnectionsHousehold()
    {
        using var response = await ImportNetworkAsync(Network());

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var height = json.RootElement.GetProperty("blockHeight").GetInt64();
        await using var db = _app.CreateDb();
        var block = await db.Blocks.SingleAsync(b => b.Height == height);
        block.Kind.ShouldBe((byte)Market.Ledger.BlockKind.Network);
        var leaves = await db.BlockLeaves.Where(l => l.BlockHeight == block.Height).OrderBy(l => l.Index).Select(l => l.Data).ToListAsync();
        var nodes = leaves.Select(l => Market.Ledger.NetworkNodeLeaf.TryDecode(l, out var leaf, out var error) ? leaf : throw new InvalidDataException(error)).ToList();
        nodes.Select(n => n.NodeId).ShouldBe(["ROOT", "T1", "F1", "F2", "C-ANNA", "C-BEN"]);
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        nodes[4].Household.ShouldBe(Market.Ledger.PartyId.FromBytes(anna.Pseudonym));
        (nodes[2].ExportCapacityW, nodes[0].ExportCapacityW).ShouldBe((40_000L, Market.Ledger.NetworkNodeLeaf.Unlimited));
        var report = await _app.Get<ChainVerification>().VerifyAsync(db, default);
        report.IsValid.ShouldBeTrue(report.Message);
    }

    [Theory]
    [InlineData("F9", "is not a node of the network")]
    [InlineData("C-BEN", "cycle")]
    public async Task Network_WithAnOrphanOrACycle_IsRefusedAndNothingIsStored(string parentOfF2, string expected)
    {
        var csv = Network().Replace("F2,T1,feeder", $"F2,{parentOfF2},feeder", StringComparison.Ordinal);
        var (versions, blocks) = await CountsAsync();

        using var response = await ImportNetworkAsync(csv);

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, text);
        text.ShouldContain(expected);
        (await CountsAsync()).ShouldBe((versions, blocks));
    }

    [Fact]
    public async Task Envelopes_FromTheNetworkOperator_AreTheLimitsInForce()
    {
        (await ImportNetworkAsync(Network())).StatusCode.ShouldBe(HttpStatusCode.OK);
        var start = FirstOpen() + (2 * 3600);
        var body = $"{{\"envelopes\":[{Envelope("C-ANNA", start, start + 900, 11000, 2400, "DOE-1")},{Envelope("F1", start, start + 1800, null, 20000)}]}}";

        using var response = await EnvelopesAsync(body);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var limits = await _app.Get<GridStore>().LimitsAtAsync(start, default);
        limits.Select(l => (l.NodeId, l.ImportLimitW, l.ExportLimitW, l.EventId)).ShouldBe([("C-ANNA", 11000L, 2400L, "DOE-1"), ("F1", null, 20000L, null)]);
        (await _app.Get<GridStore>().LimitsAtAsync(start + 900, default)).Single().NodeId.ShouldBe("F1");

        // A newer upload for the same node and interval replaces the older one.
        (await EnvelopesAsync($"{{\"envelopes\":[{Envelope("C-ANNA", start, start + 900, 11000, 1200, "DOE-2")}]}}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _app.Get<GridStore>().LimitsAtAsync(start, default))[0].ExportLimitW.ShouldBe(1200);
    }

    public static TheoryData<string, string> BadEnvelopes => new()
    {
        { "C-NOBODY", "not a node of the network" },
        { "negative", "negative" },
        { "overlap", "overlap" },
        { "closed", "gate has closed" },
    };

    [Theory]
    [MemberData(nameof(BadEnvelopes))]
    public async Task Envelopes_Bad_AreRefusedAndNothingIsStored(string problem, string expected)
    {
        (await ImportNetworkAsync(Network())).StatusCode.ShouldBe(HttpStatusCode.OK);
        var start = FirstOpen() + (3 * 3600);
        var good = Envelope("C-ANNA", start, start + 900, 11000, 2400);
        var counts = await EnvelopeCountsAsync();
        var bad = problem switch
        {
            "negative" => Envelope("C-BEN", start, start + 900, -1, 2400),
            "overlap" => Envelope("C-ANNA", start, start + 1800, 11000, 1000),
            "closed" => Envelope("C-BEN", FirstOpen() - 900, FirstOpen(), 11000, 1000),
            _ => Envelope(problem, start, start + 900, 11000, 2400),
        };

        using var response = await EnvelopesAsync($"{{\"envelopes\":[{good},{bad}]}}");

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, text);
        text.ShouldContain(expected);
        (await EnvelopeCountsAsync()).ShouldBe(counts);
    }

    [Fact]
    public async Task Envelopes_AsCsipAusDerControl_AreReadWithTheirMultiplier()
    {
        (await ImportNetworkAsync(Network())).StatusCode.ShouldBe(HttpStatusCode.OK);
        var start = FirstOpen() + (4 * 3600);
        var xml = $"""
            <DERControlList xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns" all="1" results="1">
              <DERControl>
                <mRID>0A1B2C3D4E5F60718293A4B5C6D7E8F9</mRID>
                <description>Midday export limit</description>
                <interval><duration>900</duration><start>{start}</start></interval>
                <DERControlBase>
                  <csipaus:opModImpLimW><multiplier>1</multiplier><value>1100</value></csipaus:opModImpLimW>
                  <csipaus:opModExpLimW><multiplier>2</multiplier><value>24</value></csipaus:opModExpLimW>
                </DERControlBase>
              </DERControl>
            </DERControlList>
            """;

        using var response = await SendAsync(NetworkOperator, HttpMethod.Post, "/api/grid/envelopes/C-ANNA", xml, "application/sep+xml");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var limit = (await _app.Get<GridStore>().LimitsAtAsync(start, default)).Single();
        (limit.NodeId, limit.ImportLimitW, limit.ExportLimitW).ShouldBe(("C-ANNA", 11000L, 2400L));
        limit.EventId.ShouldNotBeNull().ShouldContain("0A1B2C3D");
    }

    private static string Control(string mRid, long start, long seconds, long exportW, int status) => $"""
        <DERControl>
          <mRID>{mRid}</mRID>
          <interval><duration>{seconds}</duration><start>{start}</start></interval>
          <EventStatus><currentStatus>{status}</currentStatus><dateTime>{start - 86_400}</dateTime><potentiallySuperseded>false</potentiallySuperseded></EventStatus>
          <DERControlBase><csipaus:opModExpLimW><multiplier>0</multiplier><value>{exportW}</value></csipaus:opModExpLimW></DERControlBase>
        </DERControl>
        """;

    private Task<HttpResponseMessage> ControlsAsync(string node, params string[] controls) =>
        SendAsync(NetworkOperator, HttpMethod.Post, $"/api/grid/envelopes/{node}",
            $"""<DERControlList xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns">{string.Concat(controls)}</DERControlList>""", "application/sep+xml");

    [Fact]
    public async Task Envelopes_CsipAusCancellation_TakesTheEventOutOfForceAndAnOlderEventComesBack()
    {
        (await ImportNetworkAsync(Network())).StatusCode.ShouldBe(HttpStatusCode.OK);
        var start = FirstOpen() + (6 * 3600);
        var store = _app.Get<GridStore>();
        (await EnvelopesAsync($"{{\"envelopes\":[{Envelope("C-ANNA", start, start + 1800, 11000, 3000, "DOE-OLD")}]}}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var active = await ControlsAsync("C-ANNA", Control("AB12", start, 900, 2400, 1)))
        {
            active.StatusCode.ShouldBe(HttpStatusCode.OK, await active.Content.ReadAsStringAsync());
        }

        (await store.LimitsAtAsync(start, default)).Single(l => l.NodeId == "C-ANNA").ExportLimitW.ShouldBe(2400);

        using var cancel = await ControlsAsync("C-ANNA", Control("AB12", start, 900, 2400, 2));

        var text = await cancel.Content.ReadAsStringAsync();
        cancel.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        JsonDocument.Parse(text).RootElement.GetProperty("cancellations").GetInt32().ShouldBe(1);
        var inForce = (await store.LimitsAtAsync(start, default)).Single(l => l.NodeId == "C-ANNA");
        (inForce.ExportLimitW, inForce.EventId).ShouldBe((3000L, "DOE-OLD"));
        (await store.LimitsAtAsync(start + 900, default)).Single(l => l.NodeId == "C-ANNA").EventId.ShouldBe("DOE-OLD");

        // A cancellation matches its event whatever the case of its hex mRID; sent again, the event is in force again.
        using (var lower = await ControlsAsync("C-ANNA", Control("ab12", start, 900, 2400, 1)))
        {
            lower.StatusCode.ShouldBe(HttpStatusCode.OK, await lower.Content.ReadAsStringAsync());
        }

        using (var cancelAgain = await ControlsAsync("C-ANNA", Control("AB12", start, 900, 2400, 2)))
        {
            cancelAgain.StatusCode.ShouldBe(HttpStatusCode.OK, await cancelAgain.Content.ReadAsStringAsync());
        }

        (await store.LimitsAtAsync(start, default)).Single(l => l.NodeId == "C-ANNA").EventId.ShouldBe("DOE-OLD");
        using (var again = await ControlsAsync("C-ANNA", Control("AB12", start, 900, 1800, 1)))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        }

        (await store.LimitsAtAsync(start, default)).Single(l => l.NodeId == "C-ANNA").ExportLimitW.ShouldBe(1800);
    }

    [Fact]
    public async Task Envelopes_CsipAusCancellationOfAClosedWindow_CountedNotStored()
    {
        (await ImportNetworkAsync(Network())).StatusCode.ShouldBe(HttpStatusCode.OK);
        var counts = await EnvelopeCountsAsync();

        using var response = await ControlsAsync("C-BEN", Control("CD34", FirstOpen() - 1800, 1800, 2400, 2));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var root = JsonDocument.Parse(text).RootElement;
        (root.GetProperty("cancellations").GetInt32(), root.GetProperty("cancellationsTooLate").GetInt32(), root.GetProperty("upload").GetInt64()).ShouldBe((0, 1, 0L));
        (await EnvelopeCountsAsync()).ShouldBe(counts);
    }

    [Fact]
    public async Task Envelopes_CsipAusCancellationForTheRoot_RefusedNothingStored()
    {
        (await ImportNetworkAsync(Network())).StatusCode.ShouldBe(HttpStatusCode.OK);
        var counts = await EnvelopeCountsAsync();

        using var response = await ControlsAsync("ROOT", Control("EF56", FirstOpen() + (7 * 3600), 900, 2400, 2));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, text);
        text.ShouldContain("not a line of the network");
        (await EnvelopeCountsAsync()).ShouldBe(counts);
    }

    [Fact]
    public async Task EnvelopeListing_AsCsv_HasEveryWindow()
    {
        (await ImportNetworkAsync(Network())).StatusCode.ShouldBe(HttpStatusCode.OK);
        var start = FirstOpen() + (5 * 3600);
        using var stored = await EnvelopesAsync($"{{\"envelopes\":[{Envelope("C-ANNA", start, start + 900, 11000, 2400, "DOE-1")}]}}");
        stored.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var receipt = JsonDocument.Parse(await stored.Content.ReadAsStringAsync());
        var upload = receipt.RootElement.GetProperty("upload").GetInt64();
        using var client = await ApiClient.ForAsync(_app, NetworkOperator);

        var csv = await client.GetStringAsync(new Uri($"/api/grid/envelopes?from={Iso(start)}&to={Iso(start + 900)}&format=csv", UriKind.Relative));

        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["node,start,end,import_limit_w,export_limit_w,event,upload,cancels", $"C-ANNA,{Iso(start)},{Iso(start + 900)},11000,2400,DOE-1,{upload},false"]);
    }
}

/// <summary>Envelopes sent before any network was imported.</summary>
public sealed class GridApiWithoutNetworkTests
{
    [Fact]
    public async Task Envelopes_BeforeAnyNetwork_AreRefusedWithConflict()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await app.CreateNetworkOperatorAsync(GridApp.NetworkOperator);
        var start = app.Get<MarketClock>().FirstOpenInterval() + 3600;
        var iso = (long s) => DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        using var client = await ApiClient.ForAsync(app, GridApp.NetworkOperator);
        var body = $"{{\"envelopes\":[{{\"node\":\"C-ANNA\",\"start\":\"{iso(start)}\",\"end\":\"{iso(start + 900)}\",\"importLimitW\":11000,\"exportLimitW\":2400}}]}}";

        using var response = await client.PostAsync(new Uri("/api/grid/envelopes", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync());
    }
}
