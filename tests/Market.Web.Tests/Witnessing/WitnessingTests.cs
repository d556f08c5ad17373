using System.Net;
using System.Net.Sockets;
using Market.Ledger;
using Market.Replay;
using Market.Web.Tests.Support;
using Market.Web.Witnessing;
using Market.Witnesses;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Market.Web.Tests.Witnessing;

/// <summary>
/// The market with three real witnesses on loopback (each a full <c>market witness</c>: it fetches the blocks,
/// replays them and keeps a replica) and a policy of 2 of 3 (docs/witnesses.md).
/// </summary>
[Trait("Database", "Independent")]
public sealed class WitnessingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Collect_ThreeWitnessesTwoNeeded_EveryCheckpointWitnessedAlsoWithOneStopped()
    {
        await using var setup = await Setup.StartAsync();
        var app = setup.App;

        for (var i = 0; i < 3; i++)
        {
            await app.TradeAndClearAsync(1500 + i);
            await setup.WaitWitnessedAsync();
        }

        await setup.Witnesses.StopAsync(0);
        for (var i = 0; i < 2; i++)
        {
            await app.TradeAndClearAsync(1600 + i);
            await setup.WaitWitnessedAsync();
        }

        await using var db = app.CreateDb();
        var policyHeight = await db.Blocks.Where(b => b.Kind == (byte)BlockKind.WitnessPolicy).MaxAsync(b => b.Height);
        var sizes = await db.Checkpoints.Where(c => c.Size > policyHeight).Select(c => c.Size).ToListAsync();
        var cosigned = await db.Cosignatures.GroupBy(c => c.Size).Select(g => new { Size = g.Key, Count = g.Count() }).ToListAsync();
        sizes.Count.ShouldBeGreaterThan(5);
        sizes.ShouldAllBe(size => cosigned.Any(c => c.Size == size && c.Count >= 2), "every checkpoint under the policy has 2 of 3 cosignatures");
        var status = await app.Get<WitnessingStatus>().ReadAsync();
        status!.Latest!.QuorumMet.ShouldBeTrue();
        status.Latest.Cosigners.Select(c => c.Witness).ShouldNotContain("utility");
    }

    [Fact]
    public async Task Collect_DemoCommunityTradingThroughTheDay_EveryCheckpointWitnessed()
    {
        await using var setup = await Setup.StartAsync(app =>
        {
            app.Settings["Demo:Simulate"] = "true";
            app.Settings["Demo:Households"] = "12";
            app.Settings["Demo:BackfillDays"] = "0";
        });
        var app = setup.App;
        var agents = app.Get<Market.Web.Jobs.DemoAgentJob>();
        var clearing = app.Get<Market.Web.Jobs.ClearingJob>();
        var length = TimeSpan.FromSeconds(app.Get<MarketClock>().IntervalSeconds);

        // From 10:00 to 14:00 on a summer Monday, the day's busiest hours: the agents post from their real profiles,
        // each interval is cleared at its gate, and each checkpoint is witnessed before the next interval.
        var cleared = 0;
        for (var i = 0; i < 16; i++)
        {
            await agents.RunAsync(CancellationToken.None);
            app.Clock.Advance(length);
            cleared += await clearing.RunAsync(CancellationToken.None);
            await setup.WaitWitnessedAsync();
        }

        await using var db = app.CreateDb();
        var policyHeight = await db.Blocks.Where(b => b.Kind == (byte)BlockKind.WitnessPolicy).MaxAsync(b => b.Height);
        var sizes = await db.Checkpoints.Where(c => c.Size > policyHeight).Select(c => c.Size).ToListAsync();
        var cosigned = await db.Cosignatures.GroupBy(c => c.Size).Select(g => new { Size = g.Key, Count = g.Count() }).ToListAsync();
        cleared.ShouldBeGreaterThanOrEqualTo(14);
        (await db.Trades.CountAsync()).ShouldBeGreaterThan(14);
        sizes.Count.ShouldBeGreaterThan(14);
        sizes.ShouldAllBe(size => cosigned.Any(c => c.Size == size && c.Count >= 2), "every checkpoint of the day has 2 of 3 cosignatures");
    }

    [Fact]
    public async Task Collect_AllWitnessesStopped_TradingGoesOnAndCheckpointsAreWitnessedWhenTheyReturn()
    {
        await using var setup = await Setup.StartAsync();
        var app = setup.App;
        await app.TradeAndClearAsync();
        await setup.WaitWitnessedAsync();
        for (var i = 0; i < 3; i++)
        {
            await setup.Witnesses.StopAsync(i);
        }

        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval);
        var cleared = await app.CloseGateAndClearAsync(interval);
        await app.Get<WitnessCollector>().CollectAsync();

        cleared.ShouldBe(1);
        var unwitnessed = await app.Get<WitnessingStatus>().ReadAsync();
        unwitnessed!.Latest!.QuorumMet.ShouldBeFalse();
        unwitnessed.Witnessed!.Checkpoint.Size.ShouldBeLessThan(unwitnessed.Latest.Checkpoint.Size);
        unwitnessed.Witnesses.ShouldAllBe(w => w.LastError != null);
        for (var i = 0; i < 3; i++)
        {
            await setup.Witnesses.StartAsync(i);
        }

        await setup.WaitWitnessedAsync();
        var after = await app.Get<WitnessingStatus>().ReadAsync();
        after!.Latest!.Cosigners.Count.ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Replica_OfAWitness_ServesTheMarketsExportByteForByteAndVerifiesOnItsOwn()
    {
        await using var setup = await Setup.StartAsync();
        var app = setup.App;
        await app.TradeAndClearAsync();
        await setup.WaitWitnessedAsync();
        using var market = new HttpClient { BaseAddress = setup.BaseAddress };
        using var witness = new HttpClient { BaseAddress = new Uri(setup.Witnesses.Url(1)) };

        var note = await witness.GetStringAsync(new Uri("api/ledger/checkpoint.note", UriKind.Relative));
        SignedNote.TryParse(note, out var parsed, out _).ShouldBeTrue();
        CheckpointNote.TryParse(parsed!.Text, out var body, out _).ShouldBeTrue();
        var fromReplica = await witness.GetByteArrayAsync(new Uri("api/ledger/export", UriKind.Relative));
        var fromMarket = await market.GetByteArrayAsync(new Uri($"api/ledger/export?to={body!.Size}", UriKind.Relative));

        fromReplica.ShouldBe(fromMarket);
        var verifier = new ChainVerifier(new MatchingReplayer());
        using (var stream = new MemoryStream(fromReplica))
        {
            var reader = new LedgerExportReader(stream);
            foreach (var block in reader.ReadBlocks())
            {
                verifier.Append(block).ShouldBeTrue(verifier.Failure?.Message);
            }

            verifier.Complete(reader.Checkpoint).IsValid.ShouldBeTrue();
        }

        var check = verifier.CheckNote(parsed, null);
        check.IsValid.ShouldBeTrue(check.Failure?.Message);
        check.Cosigners.Select(c => c.Name).ShouldContain("association");
    }

    [Fact]
    public async Task Receipt_OfATradeAfterWitnessing_CarriesTheCosignedCheckpointAndVerifies()
    {
        await using var setup = await Setup.StartAsync();
        var app = setup.App;
        await app.TradeAndClearAsync();
        await setup.WaitWitnessedAsync();
        await using var db = app.CreateDb();
        var trade = await db.Trades.SingleAsync();
        using var market = new HttpClient { BaseAddress = setup.BaseAddress };

        var json = await market.GetStringAsync(new Uri($"api/ledger/trades/{trade.Id}/proof", UriKind.Relative));

        var receipt = TradeReceipt.FromJson(json);
        receipt.CheckpointNote.ShouldNotBeNull();
        var result = receipt.Verify(null, null);
        result.IsValid.ShouldBeTrue(result.Failure?.Message);
        result.Witnesses!.QuorumMet.ShouldBeTrue();
        result.Witnesses.Cosigners.Count.ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task CheckpointNote_Published_IsTheLogSignedCheckpointWithItsCosignatures()
    {
        await using var setup = await Setup.StartAsync();
        await setup.App.TradeAndClearAsync();
        await setup.WaitWitnessedAsync();
        using var market = new HttpClient { BaseAddress = setup.BaseAddress };

        var note = await market.GetStringAsync(new Uri("api/ledger/checkpoint.note?witnessed=true", UriKind.Relative));
        var policyText = await market.GetStringAsync(new Uri("api/ledger/witness-policy", UriKind.Relative));

        WitnessPolicy.TryParse(policyText, out var policy, out _).ShouldBeTrue();
        SignedNote.TryParse(note, out var parsed, out _).ShouldBeTrue();
        var check = policy!.Check(parsed!);
        check.LogSignatureValid.ShouldBeTrue();
        check.QuorumMet.ShouldBeTrue(check.Problem);
        policy.Threshold.ShouldBe(2);
        policy.Witnesses.Select(w => w.Name).ShouldBe(["utility", "association", "household"]);
    }

    /// <summary>The app on a real loopback port with three witnesses in its policy (2 needed).</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private Setup(MarketFactory app, Witnesses witnesses)
        {
            App = app;
            Witnesses = witnesses;
        }

        public MarketFactory App { get; }

        public Witnesses Witnesses { get; }

        public Uri BaseAddress => App.ClientOptions.BaseAddress;

        public static async Task<Setup> StartAsync(Action<MarketFactory>? configure = null)
        {
            var witnesses = new Witnesses(["utility", "association", "household"]);
            var app = new MarketFactory();
            configure?.Invoke(app);
            for (var i = 0; i < 3; i++)
            {
                app.Settings[$"Witnessing:Witnesses:{i}:Name"] = witnesses.Names[i];
                app.Settings[$"Witnessing:Witnesses:{i}:Key"] = witnesses.Keys[i].Encode();
                app.Settings[$"Witnessing:Witnesses:{i}:Url"] = witnesses.Url(i);
            }

            app.Settings["Witnessing:Threshold"] = "2";
            app.Settings["Witnessing:RetrySeconds"] = "1";
            app.UseKestrel(0);
            app.StartServer();
            witnesses.Log = app.Get<LogKeyStore>().Existing!.VerifierKey;
            witnesses.LogUrl = app.ClientOptions.BaseAddress;
            for (var i = 0; i < 3; i++)
            {
                await witnesses.StartAsync(i);
            }

            return new Setup(app, witnesses);
        }

        /// <summary>Waits until the newest checkpoint meets its quorum (the collector runs in the background).</summary>
        public async Task WaitWitnessedAsync()
        {
            var publication = App.Get<LedgerPublication>();
            var notes = App.Get<CheckpointNotes>();
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                var latest = await publication.LatestCheckpointAsync();
                if (latest is not null && await notes.NoteAsync(latest) is { QuorumMet: true })
                {
                    return;
                }

                DateTime.UtcNow.ShouldBeLessThan(deadline, "the newest checkpoint was not witnessed in time");
                App.Get<CheckpointNotifier>().Notify();
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Witnesses.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>Three witnesses with their keys and fixed loopback ports, started and stopped at will.</summary>
    private sealed class Witnesses : IAsyncDisposable
    {
        private readonly TestFolder _folder = new();
        private readonly int[] _ports;
        private readonly Witness?[] _witnesses;
        private readonly WitnessServer?[] _servers;
        private readonly HttpClient _http = new();

        public Witnesses(string[] names)
        {
            Names = names;
            _ports = names.Select(_ => FreePort()).ToArray();
            _witnesses = new Witness?[names.Length];
            _servers = new WitnessServer?[names.Length];
            Keys = names.Select((n, i) => WitnessKeyFile.LoadOrCreate(Folder(i), $"{n}.example/witness", out _, out _)!.VerifierKey).ToArray();
        }

        public string[] Names { get; }

        public NoteVerifierKey[] Keys { get; }

        public NoteVerifierKey? Log { get; set; }

        public Uri? LogUrl { get; set; }

        public string Url(int i) => $"http://127.0.0.1:{_ports[i]}/";

        public async Task StartAsync(int i)
        {
            var config = new WitnessConfig(Folder(i), Keys[i].Name, [Log!], LogUrl!, [], null, TimeSpan.FromHours(1));
            var witness = Witness.Open(config, _http, TimeProvider.System, NullLogger.Instance, out _, out var problem);
            witness.ShouldNotBeNull(problem);
            _witnesses[i] = witness;
            _servers[i] = await WitnessServer.StartAsync(witness, $"127.0.0.1:{_ports[i]}", _http, TimeProvider.System, NullLoggerFactory.Instance);
        }

        public async Task StopAsync(int i)
        {
            if (_servers[i] is { } server)
            {
                await server.DisposeAsync();
                _witnesses[i]!.Dispose();
                _servers[i] = null;
                _witnesses[i] = null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            for (var i = 0; i < _servers.Length; i++)
            {
                await StopAsync(i);
            }

            _http.Dispose();
            await _folder.DisposeAsync();
        }

        private string Folder(int i) => Path.Combine(_folder.Path, Names[i]);

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
