using Market.Web.Grid;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Demo;

/// <summary>
/// The simulated community's network and network operator at start, without a backfill (the backfilled week under
/// the grid's limits is in <see cref="BackfillTests"/>): four agent households, a sunny June morning.
/// </summary>
public sealed class DemoGridStartTests
{
    /// <summary>08:02 in Berlin: the day's midday event is ahead, every gate of it still open.</summary>
    private static readonly DateTimeOffset Morning = new(2026, 6, 15, 6, 2, 0, TimeSpan.Zero);

    [Fact]
    public async Task Start_Simulated_NetworkSealedWithEveryDemoHouseholdAtAConnection()
    {
        await using var app = Simulated();

        var network = await app.Get<GridStore>().CurrentAsync(CancellationToken.None);

        network.ShouldNotBeNull();
        network.Version.ShouldBe(1);
        network.Definition.Nodes.Count(n => n.Kind == NetworkNodeKind.Transformer).ShouldBe(1);
        network.Definition.Nodes.Count(n => n.Kind == NetworkNodeKind.Feeder).ShouldBe(3);
        await using var db = app.CreateDb();
        var meters = await db.Households.Select(h => h.MeterId!).ToListAsync();
        meters.Count.ShouldBe(app.Get<DemoCommunity>().Meters.Count);
        meters.Where(m => !network.Definition.TryGetConnectionByMeter(m, out var connection)).ShouldBeEmpty();
        network.Definition.ConnectionCount.ShouldBe(meters.Count);
        (await db.Blocks.CountAsync(b => b.Kind == (byte)Market.Ledger.BlockKind.Network)).ShouldBe(1);
    }

    [Fact]
    public async Task Start_Simulated_GenesisRulesAreGridZonalWithTheDemosFees()
    {
        await using var app = Simulated();

        var rules = app.Get<RulesBook>().At(app.Get<MarketClock>().NowSeconds);

        rules.Mechanism.ShouldBe((byte)Market.Matching.Mechanism.GridZonal);
        (rules.SameFeederFee, rules.SameTransformerFee, rules.AcrossTransformersFee).ShouldBe((50L, 100L, 200L));
    }

    [Fact]
    public async Task Start_CommunityMechanismGiven_TheConfiguredMechanismWins()
    {
        await using var app = Simulated();
        app.Settings["Community:Mechanism"] = "uniform-price";

        var rules = app.Get<RulesBook>().At(app.Get<MarketClock>().NowSeconds);

        rules.Mechanism.ShouldBe((byte)Market.Matching.Mechanism.UniformPrice);
    }

    [Fact]
    public async Task Start_SecondTimeOnTheSameFolder_NoSecondNetworkAndNoEnvelopeTwice()
    {
        await using var folder = new TestFolder();
        (int Versions, int Blocks, int Uploads, int Windows) first;
        await using (var app = Simulated(folder.Path))
        {
            first = await CountAsync(app);
        }

        await using var again = Simulated(folder.Path);
        var second = await CountAsync(again);

        second.ShouldBe(first);
        first.Versions.ShouldBe(1);
        first.Windows.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Operator_SunnyJuneDay_SendsTheMiddayEventBeforeItsGatesAndOnlyOnce()
    {
        await using var app = Simulated();
        var clock = app.Get<MarketClock>();

        var windows = await WindowsAsync(app);

        var feeder = windows.Where(w => w.NodeId == DemoNetwork.PvFeederId && w.EventId == "DOE-2026-06-15-noon").MinBy(w => w.Start);
        feeder.NodeId.ShouldNotBeNull();
        feeder.ExportLimitW.ShouldBe(DemoNetworkOperator.FeederExportLimitW);
        clock.ToLocal(feeder.Start).Hour.ShouldBeInRange(8, 12);
        windows.ShouldContain(w => w.NodeId != DemoNetwork.PvFeederId && w.ExportLimitW == DemoNetworkOperator.ConnectionExportLimitW);
        windows.ShouldAllBe(w => clock.GateClosure(w.Start) * 1000 > w.ReceivedAtMs + (DemoNetworkOperator.MarginSeconds * 1000));
        var grid = app.Get<GridStore>();
        (await grid.LimitsAtAsync(clock.AlignDown(feeder.Start + 3600), CancellationToken.None))
            .ShouldContain(l => l.NodeId == DemoNetwork.PvFeederId && l.ExportLimitW == DemoNetworkOperator.FeederExportLimitW);
        var night = new DateTimeOffset(2026, 6, 15, 23, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        (await grid.LimitsAtAsync(night, CancellationToken.None)).ShouldBeEmpty();
        (await SendAgainAsync(app)).ShouldBe(0);
    }

    [Fact]
    public async Task AgentJob_ClockMovesOnADay_OperatorNeverSendsForAClosedGateNorTwiceForAnInterval()
    {
        await using var app = Simulated();
        var clock = app.Get<MarketClock>();
        var job = app.Get<DemoAgentJob>();

        // Through the day and into the next one's morning, a run every 25 minutes.
        for (var i = 0; i < 60; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(25));
            await job.RunAsync(CancellationToken.None);
        }

        var windows = await WindowsAsync(app);
        windows.ShouldAllBe(w => clock.GateClosure(w.Start) * 1000 > w.ReceivedAtMs + (DemoNetworkOperator.MarginSeconds * 1000));
        var perInterval = windows
            .SelectMany(w => Enumerable.Range(0, (int)((w.End - w.Start) / clock.IntervalSeconds)).Select(k => (w.NodeId, Start: w.Start + (k * clock.IntervalSeconds))))
            .GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        perInterval.ShouldBeEmpty();
        // The next day's event was sent a day ahead, in pieces as the horizon moved on.
        windows.Select(w => w.EventId).ShouldContain("DOE-2026-06-16-noon");
        windows.Where(w => w.EventId == "DOE-2026-06-16-noon").Select(w => w.ReceivedAtMs).Distinct().Count().ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task LoadHouseholds_GridDemo_NewHouseholdsConnectedOnTheOtherFeedersInANewVersion()
    {
        await using var app = Simulated();
        using var client = app.CreateClient();

        using var response = await client.PostAsync(new Uri("/api/demo/load-households?count=3", UriKind.Relative), null);

        response.EnsureSuccessStatusCode();
        var network = await app.Get<GridStore>().CurrentAsync(CancellationToken.None);
        network!.Version.ShouldBe(2);
        await using var db = app.CreateDb();
        var loaded = await db.Users.Where(u => u.Email!.StartsWith("load-"))
            .Join(db.Households, u => u.Id, h => h.UserId, (u, h) => h.MeterId!).ToListAsync();
        loaded.Count.ShouldBe(3);
        foreach (var meter in loaded)
        {
            network.Definition.TryGetConnectionByMeter(meter, out var connection).ShouldBeTrue();
            connection.ParentId.ShouldNotBe(DemoNetwork.PvFeederId);
        }

        (await app.Get<DemoNetwork>().EnsureConnectedAsync(app.Get<GridStore>())).ShouldBeNull();
    }

    private static Task<int> SendAgainAsync(MarketFactory app) =>
        app.Get<DemoNetworkOperator>().SendAsync(app.Get<GridStore>(), app.Get<MarketClock>());

    private static MarketFactory Simulated(string? folder = null)
    {
        var app = new MarketFactory(folder, Morning);
        app.Settings["Demo:Simulate"] = "true";
        app.Settings["Demo:Households"] = "4";
        app.Settings["Demo:BackfillDays"] = "0";
        return app;
    }

    private static async Task<List<(string NodeId, long Start, long End, long? ExportLimitW, string? EventId, long ReceivedAtMs)>> WindowsAsync(MarketFactory app)
    {
        await using var db = app.CreateDb();
        var rows = await db.Envelopes.AsNoTracking()
            .Join(db.EnvelopeUploads.AsNoTracking(), e => e.UploadId, u => u.Id, (e, u) => new { e.NodeId, e.Start, e.End, e.ExportLimitW, e.EventId, u.ReceivedAtMs, u.ReceivedBy, u.Source })
            .ToListAsync();
        rows.ShouldAllBe(r => r.ReceivedBy == DemoNetworkOperator.Email && r.Source == "json");
        return [.. rows.Select(r => (r.NodeId, r.Start, r.End, r.ExportLimitW, r.EventId, r.ReceivedAtMs))];
    }

    private static async Task<(int, int, int, int)> CountAsync(MarketFactory app)
    {
        await using var db = app.CreateDb();
        return (await db.NetworkVersions.CountAsync(), await db.Blocks.CountAsync(), await db.EnvelopeUploads.CountAsync(), await db.Envelopes.CountAsync());
    }
}
