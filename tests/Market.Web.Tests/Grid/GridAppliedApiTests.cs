using System.Globalization;
using System.Net;
using System.Text.Json;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Grid;

/// <summary>
/// A grid-zonal market after one real clearing: feeder F1 carries 4 kW up (1,000 Wh a quarter hour), Anna's envelope
/// allows 2 kW (500 Wh) in the cleared interval, and an import envelope for Ben waits for a later interval.
/// </summary>
public sealed class AppliedGridApp : IAsyncLifetime
{
    public const string NetworkOperator = "dso@grid.example";

    public MarketFactory App { get; } = new();

    /// <summary>The cleared interval.</summary>
    public long Cleared { get; private set; }

    /// <summary>The interval with an envelope that is not cleared yet.</summary>
    public long Pending { get; private set; }

    /// <summary>The upload of Anna's envelope.</summary>
    public long AnnasUpload { get; private set; }

    /// <summary>The upload of Ben's envelope for the pending interval.</summary>
    public long BensUpload { get; private set; }

    /// <summary>The community's day of both intervals, yyyy-MM-dd.</summary>
    public string Day { get; private set; } = "";

    public async Task InitializeAsync()
    {
        App.Settings["Community:Mechanism"] = "grid-zonal";
        App.Settings["Community:SameFeederFee"] = "50";
        App.Settings["Community:SameTransformerFee"] = "100";
        App.Settings["Community:AcrossTransformersFee"] = "200";
        _ = App.Server;
        await App.CreateNetworkOperatorAsync(NetworkOperator);
        var (anna, ben, sol, nora) = await App.ImportTwoFeedersAsync();
        var clock = App.Get<MarketClock>();
        Cleared = clock.FirstOpenInterval();
        Day = DateOnly.FromDateTime(clock.ToLocal(Cleared).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        AnnasUpload = await App.SendEnvelopeAsync("C-ANNA", Cleared, exportW: 2000);
        (await App.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 2000, 1000, Cleared))).Succeeded.ShouldBeTrue();
        (await App.PlaceSignedAsync(sol, new PlaceOrder(OrderSide.Sell, 2000, 1100, Cleared))).Succeeded.ShouldBeTrue();
        (await App.PlaceSignedAsync(nora, new PlaceOrder(OrderSide.Buy, 500, 2000, Cleared))).Succeeded.ShouldBeTrue();
        (await App.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 2500, 3000, Cleared))).Succeeded.ShouldBeTrue();
        (await App.CloseGateAndClearAsync(Cleared)).ShouldBeGreaterThanOrEqualTo(1);
        Pending = clock.FirstOpenInterval() + 3600;
        BensUpload = await App.SendEnvelopeAsync("C-BEN", Pending, exportW: null, importW: 3000, "DOE-43");
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>The tests that read <see cref="AppliedGridApp"/>: one app and one clearing for them all.</summary>
[CollectionDefinition(Name)]
public sealed class AppliedGridGroup : ICollectionFixture<AppliedGridApp>
{
    public const string Name = "Applied grid";
}

/// <summary>GET /api/grid/applied and the page's download: the envelopes as applied and the headroom the market used.</summary>
[Collection(AppliedGridGroup.Name)]
public sealed class GridAppliedApiTests(AppliedGridApp fixture)
{
    private readonly MarketFactory _app = fixture.App;

    private static string Iso(long s) => DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<HttpResponseMessage> GetAsync(string query, string? language = null)
    {
        var client = await ApiClient.ForAsync(_app, AppliedGridApp.NetworkOperator);
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }

        return await client.GetAsync(new Uri("/api/grid/applied?" + query, UriKind.Relative));
    }

    [Fact]
    public async Task Applied_AfterAGridZonalClearing_ListsEachLimitedLineWithTheFlowAndTheShareUsed()
    {
        using var response = await GetAsync($"from={fixture.Day}&to={DateOnly.Parse(fixture.Day, CultureInfo.InvariantCulture).AddDays(1):yyyy-MM-dd}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var rows = json.RootElement.EnumerateArray().ToList();
        var cleared = rows.Where(r => r.GetProperty("start").GetDateTimeOffset() == DateTimeOffset.FromUnixTimeSeconds(fixture.Cleared))
            .ToDictionary(r => r.GetProperty("node").GetString()!);
        // Every transformer and feeder, and the connection with an envelope; not the root, not Ben's free connection.
        cleared.Keys.Order(StringComparer.Ordinal).ShouldBe(["C-ANNA", "F1", "F2", "T1"]);
        var anna = cleared["C-ANNA"];
        (anna.GetProperty("status").GetString(), anna.GetProperty("source").GetString(), anna.GetProperty("event").GetString()).ShouldBe(("cleared", "envelope", "DOE-42"));
        (anna.GetProperty("upload").GetInt64(), anna.GetProperty("envelopeExportW").GetInt64(), anna.GetProperty("exportLimitWh").GetInt64()).ShouldBe((fixture.AnnasUpload, 2000L, 500L));
        (anna.GetProperty("flowWh").GetInt64(), anna.GetProperty("usedPercent").GetDecimal(), anna.GetProperty("binding").GetString()).ShouldBe((500L, 100m, "export"));
        anna.GetProperty("parent").GetString().ShouldBe("F1");
        var f1 = cleared["F1"];
        (f1.GetProperty("source").GetString(), f1.GetProperty("exportLimitWh").GetInt64(), f1.GetProperty("flowWh").GetInt64(), f1.GetProperty("binding").GetString()).ShouldBe(("capacity", 1000L, 1000L, "export"));
        // Ben buys 1,000 Wh over feeder F2: down its line, a fifteenth of its 15,000 Wh import limit.
        var f2 = cleared["F2"];
        (f2.GetProperty("flowWh").GetInt64(), f2.GetProperty("importLimitWh").GetInt64(), f2.GetProperty("usedPercent").GetDecimal()).ShouldBe((-1000L, 15000L, 6.7m));
        f2.GetProperty("binding").ValueKind.ShouldBe(JsonValueKind.Null);
        await using var db = _app.CreateDb();
        var stored = await db.GridNodeResults.AsNoTracking().Where(n => n.IntervalStart == fixture.Cleared).ToDictionaryAsync(n => n.NodeId);
        foreach (var (node, row) in cleared)
        {
            row.GetProperty("flowWh").GetInt64().ShouldBe(stored[node].FlowWh, node);
        }
    }

    [Fact]
    public async Task Applied_EnvelopeForALaterInterval_IsListedAsPendingWithoutAFlow()
    {
        using var response = await GetAsync($"from={Iso(fixture.Pending)}&to={Iso(fixture.Pending + 900)}");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var ben = json.RootElement.EnumerateArray().Single();
        (ben.GetProperty("node").GetString(), ben.GetProperty("status").GetString(), ben.GetProperty("event").GetString()).ShouldBe(("C-BEN", "pending", "DOE-43"));
        (ben.GetProperty("upload").GetInt64(), ben.GetProperty("envelopeImportW").GetInt64(), ben.GetProperty("importLimitWh").GetInt64()).ShouldBe((fixture.BensUpload, 3000L, 750L));
        // The direction the envelope leaves open keeps the connection's static capacity (10 kW: 2,500 Wh).
        ben.GetProperty("exportLimitWh").GetInt64().ShouldBe(2500);
        ben.GetProperty("flowWh").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Applied_AsCsvInAGermanBrowser_HasTheHeaderAndCultureInvariantNumbers()
    {
        using var response = await GetAsync($"from={Iso(fixture.Cleared)}&to={Iso(fixture.Cleared + 900)}&format=csv", "de-DE");

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("interval_start_utc,interval_end_utc,status,node,parent,kind,source,event,upload,envelope_export_w,envelope_import_w,export_limit_wh,import_limit_wh,flow_wh,used_percent,binding");
        var times = $"{Iso(fixture.Cleared)},{Iso(fixture.Cleared + 900)}";
        lines.ShouldContain($"{times},cleared,C-ANNA,F1,connection,envelope,DOE-42,{fixture.AnnasUpload},2000,,500,3000,500,100.0,export");
        lines.ShouldContain($"{times},cleared,F2,T1,feeder,capacity,,,,,10000,15000,-1000,6.7,");
        lines.Length.ShouldBe(5);
    }

    [Fact]
    public async Task AppliedDownload_SignedInNetworkOperator_GetsTheSameCsv()
    {
        var range = $"from={Iso(fixture.Cleared)}&to={Iso(fixture.Cleared + 900)}";
        using var api = await GetAsync(range + "&format=csv");
        using var browser = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignIn.SignInAsync(browser, "operator@demo.energy");

        using var download = await browser.GetAsync(new Uri("/grid/envelopes/applied.csv?" + range, UriKind.Relative));

        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await download.Content.ReadAsStringAsync()).ShouldBe(await api.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string> BadQueries()
    {
        var data = new TheoryData<string, string>
        {
            { "from=2026-06-16&to=2026-06-15", "before" },
            { "from=2026-06-15T10:00:00Z&to=2026-06-15T10:00:00Z", "before" },
            { "from=2026-06-01&to=2026-06-09", "at most 7 days" },
            { "from=2026-06-15&to=2026-06-16&format=xlsx", "json (the default) or csv" },
            { "from=yesterday&to=2026-06-16", "ISO 8601" },
            { "from=2026-06-15", "ISO 8601" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Applied_BadQuery_IsAClearProblemAndChangesNothing(string query, string expected)
    {
        int before;
        await using (var db = _app.CreateDb())
        {
            before = await db.Envelopes.CountAsync() + await db.EnvelopeUploads.CountAsync();
        }

        using var response = await GetAsync(query);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
        await using var after = _app.CreateDb();
        (await after.Envelopes.CountAsync() + await after.EnvelopeUploads.CountAsync()).ShouldBe(before);
    }
}
