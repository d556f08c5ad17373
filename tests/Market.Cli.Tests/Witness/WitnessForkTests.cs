using System.Text.Json;
using Market.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Market.Cli.Tests.Witness;

/// <summary>A log that rewrites history (re-signed with its own keys) or shows two witnesses two histories is caught:
/// the witness refuses, writes fork evidence, and anyone can verify it with <c>market ledger verify-evidence</c>.</summary>
public sealed class WitnessForkTests : IAsyncLifetime
{
    private readonly LedgerFixture _ledger = new();
    private List<SealedBlock> _chain = null!;
    private FakeLog _log = null!;

    public async Task InitializeAsync()
    {
        _chain = _ledger.Chain(3); // 9 blocks
        _log = await FakeLog.StartAsync(_ledger.Key, _chain);
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        _ledger.Dispose();
    }

    private string Folder(string name) => Path.Combine(_ledger.Folder, name);

    [Fact]
    public async Task AddCheckpoint_RewrittenHistoryOfTheSameSize_UnprocessableWithEvidenceThatVerifies()
    {
        await using var witness = await WitnessHost.StartAsync(Folder("w1"), _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
        _log.Serve(_ledger.ResignedFork(_chain, 5)); // 5 + 4 = 9 blocks, every one validly signed

        var (status, _, _) = await witness.AddCheckpointAsync(9, [], _log.Note(9));

        status.ShouldBe(422);
        witness.Witness.State.Size.ShouldBe(9);
        var evidence = Directory.GetFiles(witness.EvidenceFolder, "fork-*.json").ShouldHaveSingleItem();
        var run = CliRunner.Run(["ledger", "verify-evidence", evidence, "--log-key", _log.NoteKey.VerifierKey.Encode()]);
        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldStartWith("FORK CONFIRMED");
    }

    [Fact]
    public async Task AddCheckpoint_RewrittenHistoryGrown_UnprocessableWithEvidenceFromTheLogsOwnBlocks()
    {
        await using var witness = await WitnessHost.StartAsync(Folder("w1"), _log);
        (await witness.GrowAsync(_log, 7)).Status.ShouldBe(200);
        var fork = _ledger.ResignedFork(_chain, 5); // 5 + 4 = 9 blocks
        _log.Serve(fork);

        var (status, _, body) = await witness.AddCheckpointAsync(7, _log.ConsistencyProof(7, 9), _log.Note(9));

        status.ShouldBe(422);
        body.ShouldContain("forked");
        var evidence = Directory.GetFiles(witness.EvidenceFolder, "fork-*.json").ShouldHaveSingleItem();
        ForkEvidence.TryParse(File.ReadAllText(evidence), out var parsed, out _).ShouldBeTrue();
        parsed!.LargerTreeLeafHashes.Count.ShouldBe(9);
        var run = CliRunner.Run(["ledger", "verify-evidence", evidence, "--json"]);
        run.ExitCode.ShouldBe(0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        json.RootElement.GetProperty("fork").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task AddCheckpoint_OlderNoteOfAnotherHistory_ConflictWithEvidence()
    {
        await using var witness = await WitnessHost.StartAsync(Folder("w1"), _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
        _log.Serve(_ledger.ResignedFork(_chain, 5)); // other blocks 5 and 6

        var (status, _, body) = await witness.AddCheckpointAsync(5, _log.ConsistencyProof(5, 7), _log.Note(7));

        status.ShouldBe(409);
        body.ShouldBe("9\n");
        Directory.GetFiles(witness.EvidenceFolder, "fork-*.json").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task AddCheckpoint_SameForkTwice_OneEvidenceFile()
    {
        await using var witness = await WitnessHost.StartAsync(Folder("w1"), _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
        _log.Serve(_ledger.ResignedFork(_chain, 5));

        (await witness.AddCheckpointAsync(9, [], _log.Note(9))).Status.ShouldBe(422);
        (await witness.AddCheckpointAsync(9, [], _log.Note(9))).Status.ShouldBe(422);

        Directory.GetFiles(witness.EvidenceFolder, "fork-*.json").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Gossip_SplitView_BothWitnessesWriteEvidence()
    {
        // One log key, two histories: witness A is shown the honest chain, witness B a re-signed fork that is larger.
        await using var forkLog = await FakeLog.StartAsync(_ledger.Key, _ledger.ResignedFork(_chain, 5));
        await using var a = await WitnessHost.StartAsync(Folder("a"), _log, "witness.example/a");
        await using var b = await WitnessHost.StartAsync(Folder("b"), forkLog, "witness.example/b", peers: [a.Url]);
        (await a.GrowAsync(_log, 7)).Status.ShouldBe(200);
        (await b.GrowAsync(forkLog, 9)).Status.ShouldBe(200);

        var seenByA = await a.Gossip.CompareAsync(new Uri(b.Url + "/"), CancellationToken.None);
        var seenByB = await b.Gossip.CompareAsync(new Uri(a.Url + "/"), CancellationToken.None);

        seenByA.Fork.ShouldBeTrue(seenByA.Result);
        seenByB.Fork.ShouldBeTrue(seenByB.Result);
        foreach (var file in Directory.GetFiles(a.EvidenceFolder).Concat(Directory.GetFiles(b.EvidenceFolder)))
        {
            CliRunner.Run(["ledger", "verify-evidence", file]).ExitCode.ShouldBe(0);
        }

        using var status = JsonDocument.Parse(await b.Client.GetStringAsync(new Uri("api/witness/status", UriKind.Relative)));
        status.RootElement.GetProperty("peers")[0].GetProperty("fork").GetBoolean().ShouldBeTrue();
        status.RootElement.GetProperty("evidence").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Gossip_MarketShowsThePublicAnotherHistory_Evidence()
    {
        await using var witness = await WitnessHost.StartAsync(Folder("w1"), _log);
        (await witness.GrowAsync(_log, 7)).Status.ShouldBe(200);
        _log.Serve(_ledger.ResignedFork(_chain, 5)); // what the market now publishes, at size 9

        var seen = await witness.Gossip.CompareLogAsync(CancellationToken.None);

        seen.Fork.ShouldBeTrue(seen.Result);
        var evidence = Directory.GetFiles(witness.EvidenceFolder).ShouldHaveSingleItem();
        CliRunner.Run(["ledger", "verify-evidence", evidence]).ExitCode.ShouldBe(0);
        using var status = JsonDocument.Parse(await witness.Client.GetStringAsync(new Uri("api/witness/status", UriKind.Relative)));
        status.RootElement.GetProperty("log").GetProperty("fork").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Gossip_MarketAheadOnTheSameHistory_ConsistentByItsProof()
    {
        await using var witness = await WitnessHost.StartAsync(Folder("w1"), _log);
        (await witness.GrowAsync(_log, 5)).Status.ShouldBe(200);
        var exports = _log.ExportRequests;

        var seen = await witness.Gossip.CompareLogAsync(CancellationToken.None);

        seen.Fork.ShouldBeFalse();
        seen.Result.ShouldContain("consistency proof from 5 verifies");
        _log.ExportRequests.ShouldBe(exports);
    }

    [Fact]
    public async Task Gossip_PeerAheadOnTheSameHistory_Consistent()
    {
        await using var a = await WitnessHost.StartAsync(Folder("a"), _log, "witness.example/a");
        await using var b = await WitnessHost.StartAsync(Folder("b"), _log, "witness.example/b");
        (await a.GrowAsync(_log, 5)).Status.ShouldBe(200);
        (await b.GrowAsync(_log, 7)).Status.ShouldBe(200);

        var seenByA = await a.Gossip.CompareAsync(new Uri(b.Url + "/"), CancellationToken.None);
        var seenByB = await b.Gossip.CompareAsync(new Uri(a.Url + "/"), CancellationToken.None);

        seenByA.Fork.ShouldBeFalse(seenByA.Result);
        seenByA.Result.ShouldStartWith("consistent");
        seenByB.Result.ShouldBe("consistent at size 5");
        Directory.Exists(a.EvidenceFolder).ShouldBeFalse();
        Directory.Exists(b.EvidenceFolder).ShouldBeFalse();
    }

    [Theory]
    [InlineData(true, "not checked")]
    [InlineData(false, "not signed by the log")]
    public async Task Gossip_PeerThatCannotBeChecked_NoEvidence(bool signedByTheLog, string result)
    {
        await using var a = await WitnessHost.StartAsync(Folder("a"), _log, "witness.example/a");
        (await a.GrowAsync(_log, 7)).Status.ShouldBe(200);
        var note = signedByTheLog
            ? _log.SignedNoteFor(9, new byte[32])
            : FakeLog.SignedNoteFor(NoteSigningKey.Generate(FakeLog.Origin, NoteVerifierKey.Ed25519), 9, new byte[32]);
        await using var peer = await StaticPeer.StartAsync(a.Witness.Config.OriginHash, note);

        var seen = await a.Gossip.CompareAsync(new Uri(peer.Url + "/"), CancellationToken.None);

        seen.Fork.ShouldBeFalse();
        seen.Result.ShouldContain(result);
        Directory.Exists(a.EvidenceFolder).ShouldBeFalse();
    }

    [Fact]
    public async Task Gossip_RunningWithAPeer_StatusShowsTheComparison()
    {
        await using var a = await WitnessHost.StartAsync(Folder("a"), _log, "witness.example/a");
        (await a.GrowAsync(_log, 7)).Status.ShouldBe(200);
        await using var b = await WitnessHost.StartAsync(Folder("b"), _log, "witness.example/b", peers: [a.Url]);

        var compared = await PollAsync(async () =>
        {
            using var status = JsonDocument.Parse(await b.Client.GetStringAsync(new Uri("api/witness/status", UriKind.Relative)));
            var peer = status.RootElement.GetProperty("peers")[0];
            return peer.GetProperty("at").ValueKind != JsonValueKind.Null ? peer.GetProperty("result").GetString() : null;
        });

        compared.ShouldBe("nothing cosigned here yet");
    }

    [Fact]
    public async Task VerifyEvidence_LeafChanged_NotAFork()
    {
        var evidence = await EvidenceFileAsync();
        using var json = JsonDocument.Parse(File.ReadAllText(evidence));
        var leaves = json.RootElement.GetProperty("leafHashes").EnumerateArray().Select(l => l.GetString()!).ToList();
        var changed = File.ReadAllText(evidence).Replace(leaves[1], leaves[2], StringComparison.Ordinal);
        File.WriteAllText(evidence, changed);

        var run = CliRunner.Run(["ledger", "verify-evidence", evidence]);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldStartWith("not a fork");
    }

    [Fact]
    public async Task VerifyEvidence_AnotherLogKeyGiven_NotAFork()
    {
        var evidence = await EvidenceFileAsync();
        var other = NoteSigningKey.Generate(FakeLog.Origin, NoteVerifierKey.Ed25519).VerifierKey.Encode();

        var run = CliRunner.Run(["ledger", "verify-evidence", evidence, "--log-key", other]);

        run.ExitCode.ShouldBe(1);
    }

    [Fact]
    public void VerifyEvidence_NotEvidence_Unreadable()
    {
        var path = Path.Combine(_ledger.Folder, "not-evidence.json");
        File.WriteAllText(path, "{\"format\":\"something else\"}");

        var run = CliRunner.Run(["ledger", "verify-evidence", path]);
        var missing = CliRunner.Run(["ledger", "verify-evidence", Path.Combine(_ledger.Folder, "missing.json")]);

        run.ExitCode.ShouldBe(2);
        missing.ExitCode.ShouldBe(2);
    }

    private async Task<string> EvidenceFileAsync()
    {
        await using var witness = await WitnessHost.StartAsync(Folder("w1"), _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
        _log.Serve(_ledger.ResignedFork(_chain, 5));
        (await witness.AddCheckpointAsync(9, [], _log.Note(9))).Status.ShouldBe(422);
        return Directory.GetFiles(witness.EvidenceFolder).Single();
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "the condition did not hold in time");
            await Task.Delay(50);
        }
    }

    /// <summary>A "witness" that serves one note at its monitoring endpoint and nothing else.</summary>
    private sealed class StaticPeer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private StaticPeer(WebApplication app) => _app = app;

        public string Url => _app.Urls.Single();

        public static async Task<StaticPeer> StartAsync(string originHash, string note)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapGet($"/{originHash}/checkpoint", () => note);
            await app.StartAsync();
            return new StaticPeer(app);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
