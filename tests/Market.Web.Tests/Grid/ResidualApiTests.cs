using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Market.Ledger;
using Market.Matching;
using Market.Web.Grid;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Market.Web.Tests.Grid;

/// <summary>
/// A market that clears one interval under the uniform price (Anna sells to Ben), then changes to the grid's mechanism:
/// <see cref="First"/> as in the grid's clearing tests (feeder F1 carries 1,000 Wh up, Anna's envelope 500 Wh; Ben's
/// bid is left partly unmatched), <see cref="Second"/> with an offer and a bid left over, <see cref="Empty"/> without
/// orders. After delivery <see cref="First"/> is reconciled, then corrected (version 2); the others are not.
/// </summary>
public sealed class ResidualScenario : IAsyncLifetime
{
    public const string Operator = "operator@demo.energy";

    public ResidualScenario()
        : this(null)
    {
    }

    private ResidualScenario(MarketDatabase? database) => App = new MarketFactory(database: database);

    public MarketFactory App { get; }

    /// <summary>Cleared under the uniform price.</summary>
    public long Uniform { get; private set; }

    /// <summary>Cleared under the grid's mechanism, reconciled twice.</summary>
    public long First { get; private set; }

    /// <summary>Cleared under the grid's mechanism, not reconciled.</summary>
    public long Second { get; private set; }

    /// <summary>Cleared under the grid's mechanism without orders.</summary>
    public long Empty { get; private set; }

    /// <summary>The scenario on <paramref name="database"/>, for one test, which disposes it.</summary>
    public static async Task<ResidualScenario> StartAsync(MarketDatabase database)
    {
        var scenario = new ResidualScenario(database);
        try
        {
            await scenario.InitializeAsync();
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    public async Task InitializeAsync()
    {
        // Orders two hours ahead: the grid's rules can start two hours on, not a day.
        App.Settings["Community:HorizonHours"] = "2";
        _ = App.Server;
        var (anna, ben, sol, nora) = await App.ImportTwoFeedersAsync();
        var clock = App.Get<MarketClock>();
        Uniform = clock.FirstOpenInterval();
        await App.AnnaSellsToBenAsync(Uniform);
        var rules = App.Get<RulesService>();
        First = rules.EarliestEffectiveFrom();
        (await rules.ChangeAsync("manager-id", "manager@demo.energy", new RulesChange(15, 5, 786, 3970, Mechanism.GridZonal, First, 50, 100, 200))).ShouldBeNull();
        Second = clock.Next(First);
        Empty = clock.Next(Second);

        App.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(First - 3600));
        await App.SendEnvelopeAsync("C-ANNA", First, exportW: 2000, eventId: "DOE-7");
        await PlaceAsync(anna, OrderSide.Sell, 2000, 1000, First);
        await PlaceAsync(sol, OrderSide.Sell, 2000, 1100, First);
        await PlaceAsync(nora, OrderSide.Buy, 500, 2000, First);
        await PlaceAsync(ben, OrderSide.Buy, 2500, 3000, First);
        await PlaceAsync(anna, OrderSide.Sell, 1000, 1200, Second);
        await PlaceAsync(ben, OrderSide.Buy, 300, 2500, Second);
        await PlaceAsync(nora, OrderSide.Buy, 200, 900, Second);
        await App.CloseGateAndClearAsync(Empty);
        await App.DeliverAsync(Empty, intervalsAfter: 0);

        // Every household that traded in the first interval sends its reading; then Anna's is corrected.
        await UploadAsync((anna.MeterId!, First, 0, 500), (sol.MeterId!, First, 0, 1000), (nora.MeterId!, First, 500, 0), (ben.MeterId!, First, 1000, 0));
        await UploadAsync((anna.MeterId!, First, 0, 400));
        await using var db = App.CreateDb();
        (await db.Reconciliations.Where(r => r.IntervalStart == First).MaxAsync(r => r.Version)).ShouldBe(2);
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();

    public static string Iso(long s) => DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>GET /api/community/residual without a token.</summary>
    public async Task<HttpResponseMessage> GetAsync(string query, string? language = null)
    {
        using var client = App.CreateClient();
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }

        return await client.GetAsync(new Uri("/api/community/residual?" + query, UriKind.Relative));
    }

    /// <summary>The intervals of the JSON answer for <c>[from, to)</c>.</summary>
    public async Task<List<JsonElement>> IntervalsAsync(long from, long to)
    {
        using var response = await GetAsync($"from={Iso(from)}&to={Iso(to)}");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<List<JsonElement>>(body)!;
    }

    /// <summary>The stored block (header and leaves) of an interval's clearing, or of a reconciliation by height.</summary>
    public async Task<(byte[] Header, byte[] HeaderHash, List<byte[]> Leaves)> BlockAsync(long? clearingOf = null, long? height = null)
    {
        await using var db = App.CreateDb();
        var block = clearingOf is long start
            ? await db.Blocks.AsNoTracking().SingleAsync(b => b.Kind == (byte)BlockKind.Clearing && b.IntervalStart == start)
            : await db.Blocks.AsNoTracking().SingleAsync(b => b.Height == height);
        var leaves = await db.BlockLeaves.AsNoTracking().Where(l => l.BlockHeight == block.Height).OrderBy(l => l.Index).Select(l => l.Data).ToListAsync();
        return (block.Header, block.HeaderHash, leaves);
    }

    /// <summary>The residual leaf sealed at the end of an interval's clearing block.</summary>
    public async Task<ResidualLeaf> SealedResidualAsync(long start)
    {
        var (_, _, leaves) = await BlockAsync(clearingOf: start);
        ResidualLeaf.TryDecode(leaves[^1], out var residual, out var error).ShouldBeTrue(error);
        return residual!;
    }

    private async Task PlaceAsync(Household household, OrderSide side, long energyWh, long price, long interval)
    {
        var result = await App.PlaceSignedAsync(household, new PlaceOrder(side, energyWh, price, interval));
        result.Succeeded.ShouldBeTrue(result.Error);
    }

    private async Task UploadAsync(params (string Meter, long Start, long ImportWh, long ExportWh)[] rows)
    {
        using var client = await ApiClient.ForAsync(App, Operator);
        var csv = ReadingParser.Header + "\n" + string.Join("\n", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Meter},{Iso(r.Start)},{r.ImportWh},{r.ExportWh}")));
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The tests that read <see cref="ResidualScenario"/>: one market for them all.</summary>
[CollectionDefinition(Name)]
public sealed class ResidualGroup : ICollectionFixture<ResidualScenario>
{
    public const string Name = "Residual";
}

/// <summary>GET /api/community/residual: the community's residual per interval, as sealed, with its proofs.</summary>
[Collection(ResidualGroup.Name)]
public sealed class ResidualApiTests(ResidualScenario fixture)
{
    private static string Iso(long s) => ResidualScenario.Iso(s);

    private static List<ResidualStep> Steps(JsonElement curve) =>
        [.. curve.EnumerateArray().Select(s => new ResidualStep(s.GetProperty("price").GetInt64(), s.GetProperty("cumulativeWh").GetInt64()))];

    private static ResidualLeaf FromJson(JsonElement i) => new(
        i.GetProperty("minInjectionWh").GetInt64(), i.GetProperty("maxInjectionWh").GetInt64(), Steps(i.GetProperty("export")), Steps(i.GetProperty("import")));

    private static byte[][] Proof(JsonElement e) => [.. e.GetProperty("proof").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!))];

    [Fact]
    public async Task Residual_OneGridClearedInterval_NumbersAreTheSealedLeafAndItsProofLeadsToTheSignedRoot()
    {
        var (header, headerHash, leaves) = await fixture.BlockAsync(clearingOf: fixture.First);

        var interval = (await fixture.IntervalsAsync(fixture.First, fixture.First + 900)).ShouldHaveSingleItem();

        var sealedResidual = await fixture.SealedResidualAsync(fixture.First);
        (sealedResidual.Export.Count + sealedResidual.Import.Count).ShouldBeGreaterThan(0);
        var served = FromJson(interval);
        served.SameAs(sealedResidual).ShouldBeTrue();
        var leaf = served.Encode();
        leaf.ShouldBe(leaves[^1]);
        interval.GetProperty("residualLeaf").GetString().ShouldBe(Convert.ToHexStringLower(leaf));
        interval.GetProperty("residualLeafHash").GetString().ShouldBe(Convert.ToHexStringLower(MerkleTree.HashLeaf(leaf)));
        var block = BlockHeader.Decode(header);
        (interval.GetProperty("blockHeight").GetInt64(), interval.GetProperty("headerHash").GetString()).ShouldBe((block.Height, Convert.ToHexStringLower(headerHash)));
        BlockHeader.Hash(header).ShouldBe(headerHash);
        (interval.GetProperty("leafIndex").GetInt32(), interval.GetProperty("leafCount").GetInt32()).ShouldBe((leaves.Count - 1, block.LeafCount));
        interval.GetProperty("payloadRoot").GetString().ShouldBe(Convert.ToHexStringLower(block.PayloadRoot));
        MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(leaf), leaves.Count - 1, block.LeafCount, Proof(interval), block.PayloadRoot).ShouldBeTrue();
        // One Wh more anywhere and the proof no longer leads to the signed root.
        var changed = new ResidualLeaf(served.MinInjectionWh - 1, served.MaxInjectionWh, served.Export, served.Import).Encode();
        MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(changed), leaves.Count - 1, block.LeafCount, Proof(interval), block.PayloadRoot).ShouldBeFalse();
        (interval.GetProperty("start").GetDateTimeOffset(), interval.GetProperty("end").GetDateTimeOffset()).ShouldBe(
            (DateTimeOffset.FromUnixTimeSeconds(fixture.First), DateTimeOffset.FromUnixTimeSeconds(fixture.First + 900)));
        (interval.GetProperty("startUnixSeconds").GetInt64(), interval.GetProperty("endUnixSeconds").GetInt64()).ShouldBe((fixture.First, fixture.First + 900));
        interval.GetProperty("start").GetString()!.ShouldEndWith("+00:00");
    }

    [Fact]
    public async Task Residual_RangeOverSeveralIntervals_GridIntervalsInOrderUniformPriceOnesLeftOut()
    {
        await using (var db = fixture.App.CreateDb())
        {
            (await db.ClearedIntervals.SingleAsync(c => c.IntervalStart == fixture.Uniform)).Mechanism.ShouldBe((byte)Mechanism.UniformPrice);
            (await db.ClearedIntervals.CountAsync(c => c.IntervalStart >= fixture.Uniform && c.IntervalStart < fixture.First)).ShouldBeGreaterThan(1);
        }

        var intervals = await fixture.IntervalsAsync(fixture.Uniform, fixture.Empty + 900);

        intervals.Select(i => i.GetProperty("startUnixSeconds").GetInt64()).ShouldBe([fixture.First, fixture.Second, fixture.Empty]);
        foreach (var (interval, start) in intervals.Zip(new[] { fixture.First, fixture.Second, fixture.Empty }))
        {
            FromJson(interval).SameAs(await fixture.SealedResidualAsync(start)).ShouldBeTrue(Iso(start));
        }

        var empty = FromJson(intervals[2]);
        (empty.Export.Count, empty.Import.Count).ShouldBe((0, 0));
        FromJson(intervals[1]).Export.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Residual_BeforeReconciliation_MeteredIsNull()
    {
        var interval = (await fixture.IntervalsAsync(fixture.Second, fixture.Second + 900)).ShouldHaveSingleItem();

        interval.GetProperty("metered").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Residual_AfterReconciliationAndACorrection_MeteredIsTheNewestSummaryWithAProofThatVerifies()
    {
        long height;
        await using (var db = fixture.App.CreateDb())
        {
            height = (await db.Reconciliations.Where(r => r.IntervalStart == fixture.First).OrderByDescending(r => r.Version).FirstAsync()).BlockHeight;
        }

        var (header, headerHash, leaves) = await fixture.BlockAsync(height: height);

        var metered = (await fixture.IntervalsAsync(fixture.First, fixture.First + 900)).ShouldHaveSingleItem().GetProperty("metered");

        ReconciliationSummary.TryDecode(leaves[0], out var summary, out var error).ShouldBeTrue(error);
        summary.ReconciliationVersion.ShouldBe(2);
        // Sol 1,000 Wh and Anna 400 Wh (corrected from 500) out; Nora 500 Wh and Ben 1,000 Wh in.
        (summary.ExportWh, summary.ImportWh).ShouldBe((1400L, 1500L));
        (metered.GetProperty("exportWh").GetInt64(), metered.GetProperty("importWh").GetInt64(), metered.GetProperty("netInjectionWh").GetInt64()).ShouldBe((1400L, 1500L, -100L));
        metered.GetProperty("reconciliationVersion").GetInt32().ShouldBe(2);
        (metered.GetProperty("blockHeight").GetInt64(), metered.GetProperty("headerHash").GetString()).ShouldBe((height, Convert.ToHexStringLower(headerHash)));
        metered.GetProperty("summaryLeaf").GetString().ShouldBe(Convert.ToHexStringLower(leaves[0]));
        var leafHash = MerkleTree.HashLeaf(leaves[0]);
        metered.GetProperty("summaryLeafHash").GetString().ShouldBe(Convert.ToHexStringLower(leafHash));
        var block = BlockHeader.Decode(header);
        block.Kind.ShouldBe(BlockKind.Reconciliation);
        (metered.GetProperty("leafIndex").GetInt32(), metered.GetProperty("leafCount").GetInt32()).ShouldBe((0, block.LeafCount));
        MerkleTree.VerifyInclusion(leafHash, 0, block.LeafCount, Proof(metered), block.PayloadRoot).ShouldBeTrue();
    }

    [Fact]
    public async Task Residual_AsCsvInAGermanBrowser_OneLinePerStepWithTheMeteredColumnsWhereReconciled()
    {
        var (first, second, empty) = (await fixture.SealedResidualAsync(fixture.First), await fixture.SealedResidualAsync(fixture.Second), await fixture.SealedResidualAsync(fixture.Empty));
        var json = await fixture.IntervalsAsync(fixture.Uniform, fixture.Empty + 900);

        using var response = await fixture.GetAsync($"from={Iso(fixture.Uniform)}&to={Iso(fixture.Empty + 900)}&format=csv", "de-DE");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentDisposition!.FileName.ShouldBe(
            $"residual-{DateTimeOffset.FromUnixTimeSeconds(fixture.Uniform):yyyyMMdd'T'HHmmss'Z'}-{DateTimeOffset.FromUnixTimeSeconds(fixture.Empty + 900):yyyyMMdd'T'HHmmss'Z'}.csv");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("interval_start,interval_end,block_height,residual_leaf_hash,min_injection_wh,max_injection_wh,metered_export_wh,metered_import_wh,curve,step,price,cumulative_wh");
        var expected = new List<string>();
        foreach (var (start, residual, interval, metered) in new[] { (fixture.First, first, json[0], "1400,1500"), (fixture.Second, second, json[1], ","), (fixture.Empty, empty, json[2], ",") })
        {
            var common = string.Create(CultureInfo.InvariantCulture,
                $"{Iso(start)},{Iso(start + 900)},{interval.GetProperty("blockHeight").GetInt64()},{interval.GetProperty("residualLeafHash").GetString()},{residual.MinInjectionWh},{residual.MaxInjectionWh},{metered}");
            expected.AddRange(residual.Export.Select((s, n) => string.Create(CultureInfo.InvariantCulture, $"{common},export,{n},{s.Price},{s.CumulativeWh}")));
            expected.AddRange(residual.Import.Select((s, n) => string.Create(CultureInfo.InvariantCulture, $"{common},import,{n},{s.Price},{s.CumulativeWh}")));
            if (residual.Export.Count + residual.Import.Count == 0)
            {
                expected.Add(common + ",,,,");
            }
        }

        lines.Skip(1).ShouldBe(expected);
        lines.Length.ShouldBe(1 + first.Export.Count + first.Import.Count + second.Export.Count + second.Import.Count + 1);
    }

    [Fact]
    public async Task ForAsync_ARangeOfManyIntervalsOrOne_TheSameFewStatements()
    {
        using var counting = new StatementCounter(fixture.App.Get<IDbContextFactory<MarketDbContext>>());
        var export = new ResidualExport(counting);
        (await export.ForAsync(fixture.First, fixture.First + 900, CancellationToken.None)).Count.ShouldBe(1);
        var forOne = counting.Take();

        var intervals = await export.ForAsync(fixture.Uniform, fixture.Uniform + (7 * 86_400), CancellationToken.None);

        intervals.Count.ShouldBeGreaterThanOrEqualTo(3);
        counting.Take().ShouldBe(forOne);
        forOne.ShouldBe(4); // the clearing blocks, their leaves, the newest reconciliations' blocks, their leaves
    }

    public static TheoryData<string, string> BadQueries() => new()
    {
        { "", "ISO 8601" },
        { "from=2026-06-15", "ISO 8601" },
        { "from=yesterday&to=2026-06-16", "ISO 8601" },
        { "from=2026-06-16&to=2026-06-15", "before" },
        { "from=2026-06-15T10:00:00Z&to=2026-06-15T10:00:00Z", "before" },
        { "from=2026-06-01&to=2026-06-09", "at most 7 days" },
        { "from=2026-06-15&to=2026-06-16&format=xlsx", "json (the default) or csv" },
        { "from=0001-01-01&to=0001-01-02", "ISO 8601" },
        { "from=9999-12-30&to=9999-12-31", "ISO 8601" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Residual_BadQuery_IsAClearProblem(string query, string expected)
    {
        using var response = await fixture.GetAsync(query);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
    }

    [Fact]
    public async Task Residual_TheOpenApiDocument_DescribesTheEndpoint()
    {
        using var client = fixture.App.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var get = document.RootElement.GetProperty("paths").GetProperty("/api/community/residual").GetProperty("get");
        get.GetProperty("summary").GetString()!.ShouldContain("text/csv");
        get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ShouldBe(["from", "to", "format"]);
        get.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("items")
            .GetProperty("$ref").GetString().ShouldEndWith("/ResidualIntervalDto");
        get.GetProperty("responses").GetProperty("400").GetProperty("content").EnumerateObject().Select(c => c.Name).ShouldBe(["application/problem+json"]);
    }
}

/// <summary>The residual on each database engine, and the limit it shares with the public ledger.</summary>
public sealed class ResidualEngineTests
{
    [Theory]
    [InlineData(MarketDatabase.Sqlite)]
    [InlineData(MarketDatabase.PostgreSql)]
    public async Task Residual_OnEitherEngine_ServesTheSealedLeavesWithProofsThatVerify(MarketDatabase database)
    {
        await using var scenario = await ResidualScenario.StartAsync(database);

        var intervals = await scenario.IntervalsAsync(scenario.Uniform, scenario.Empty + 900);

        intervals.Select(i => i.GetProperty("startUnixSeconds").GetInt64()).ShouldBe([scenario.First, scenario.Second, scenario.Empty]);
        foreach (var interval in intervals)
        {
            var (header, _, leaves) = await scenario.BlockAsync(clearingOf: interval.GetProperty("startUnixSeconds").GetInt64());
            var root = BlockHeader.Decode(header).PayloadRoot;
            var proof = interval.GetProperty("proof").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToArray();
            MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(leaves[^1]), leaves.Count - 1, leaves.Count, proof, root).ShouldBeTrue();
            interval.GetProperty("residualLeaf").GetString().ShouldBe(Convert.ToHexStringLower(leaves[^1]));
        }

        (intervals[0].GetProperty("metered").GetProperty("reconciliationVersion").GetInt32(), intervals[0].GetProperty("metered").GetProperty("exportWh").GetInt64()).ShouldBe((2, 1400L));
        intervals[1].GetProperty("metered").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Residual_MoreRequestsThanTheLedgerAllows_429SharedWithTheLedger()
    {
        await using var app = new MarketFactory();
        app.Settings["RateLimits:LedgerPerMinute"] = "2";
        using var client = app.CreateClientFrom("198.51.100.7");
        using var served = await client.GetAsync(new Uri("/api/community/residual?from=2026-06-15&to=2026-06-16", UriKind.Relative));
        using var ledger = await client.GetAsync(new Uri("/api/ledger/checkpoint", UriKind.Relative));

        using var refused = await client.GetAsync(new Uri("/api/community/residual?from=2026-06-15&to=2026-06-16", UriKind.Relative));

        served.StatusCode.ShouldBe(HttpStatusCode.OK);
        ledger.StatusCode.ShouldBe(HttpStatusCode.OK);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}

/// <summary>
/// A context factory that counts the statements its contexts execute (EF Core's diagnostic events of those contexts
/// only: other tests' apps run in the same process).
/// </summary>
internal sealed class StatementCounter : IDbContextFactory<MarketDbContext>, IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly IDbContextFactory<MarketDbContext> _inner;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<DbContext, bool> _mine = new();
    private readonly List<IDisposable> _subscriptions = [];
    private int _statements;

    public StatementCounter(IDbContextFactory<MarketDbContext> inner)
    {
        _inner = inner;
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    /// <summary>The statements since the last call.</summary>
    public int Take() => Interlocked.Exchange(ref _statements, 0);

    public MarketDbContext CreateDbContext()
    {
        var context = _inner.CreateDbContext();
        _mine[context] = true;
        return context;
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData { Context: { } context } && _mine.ContainsKey(context))
        {
            Interlocked.Increment(ref _statements);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
        }
    }
}
