using System.Text.Json;
using Market.Cli.Commands;
using Market.Witnesses;
using Market.Ledger;
using Microsoft.Extensions.Logging.Abstractions;
using WitnessCore = Market.Witnesses.Witness;

namespace Market.Cli.Tests.Witness;

/// <summary>The witness verifies the log's blocks before cosigning, keeps a byte-identical replica, serves it, and
/// restarts from its persisted state after a crash at any point.</summary>
public sealed class WitnessReplicaTests : IAsyncLifetime
{
    private readonly LedgerFixture _ledger = new();
    private List<SealedBlock> _chain = null!;
    private FakeLog _log = null!;

    private string Folder => Path.Combine(_ledger.Folder, "witness");

    public async Task InitializeAsync()
    {
        _chain = _ledger.Chain(3);
        _log = await FakeLog.StartAsync(_ledger.Key, _chain);
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        _ledger.Dispose();
    }

    [Fact]
    public async Task AddCheckpoint_RootNotTheBlocksRoot_UnprocessableAndReplicaUnchanged()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        var before = File.ReadAllBytes(Path.Combine(Folder, Replica.FileName));

        var (status, _, body) = await witness.AddCheckpointAsync(0, [], _log.SignedNoteFor(9, FakeLog.Root(_chain, 8)));

        status.ShouldBe(422);
        body.ShouldContain("root");
        witness.Witness.State.Size.ShouldBe(0);
        File.ReadAllBytes(Path.Combine(Folder, Replica.FileName)).ShouldBe(before);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
    }

    [Fact]
    public async Task AddCheckpoint_BlocksDoNotVerify_UnprocessableAndNotCosigned()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        (await witness.GrowAsync(_log, 5)).Status.ShouldBe(200);
        var tampered = _chain.Cast<LedgerBlock>().ToList();
        var leaves = tampered[6].Leaves.ToArrays();
        leaves[0][^1] ^= 0x01; // a trade's amount: the header (and so the note's root) is unchanged
        tampered[6] = new LedgerBlock(tampered[6].HeaderBytes, tampered[6].Signature, leaves);
        _log.Serve(tampered);

        var (status, _, body) = await witness.GrowAsync(_log, 9);

        status.ShouldBe(422);
        body.ShouldContain("block 6");
        witness.Witness.State.Size.ShouldBe(5);
        witness.Witness.Replica.Size.ShouldBe(5);
        _log.Serve(_chain);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
    }

    [Fact]
    public async Task AddCheckpoint_LogCannotServeTheBlocks_NotCosigned()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        _log.Serve(_chain.Take(7).ToList());

        var (status, _, _) = await witness.AddCheckpointAsync(0, [], _log.SignedNoteFor(9, FakeLog.Root(_chain, 9)));

        status.ShouldBe(422);
        witness.Witness.State.Size.ShouldBe(0);
    }

    [Fact]
    public async Task Export_AfterCosigningInSteps_ByteIdenticalToTheMarketsExport()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        (await witness.GrowAsync(_log, 4)).Status.ShouldBe(200);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        var whole = await witness.Client.GetByteArrayAsync(new Uri("api/ledger/export", UriKind.Relative));
        var range = await witness.Client.GetByteArrayAsync(new Uri("api/ledger/export?from=4&to=9", UriKind.Relative));

        whole.ShouldBe(_log.Export(0, 9));
        whole.ShouldBe(File.ReadAllBytes(_ledger.Export(_chain)));
        range.ShouldBe(_log.Export(4, 9));
    }

    [Fact]
    public async Task Export_SizeNotKept_NotFound()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        using var response = await witness.Client.GetAsync(new Uri("api/ledger/export?from=0&to=5", UriKind.Relative));

        ((int)response.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task Export_OfTheReplica_VerifiesWithMarketLedgerVerify()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        var run = CliRunner.Run(["ledger", "verify", witness.Url, "--trust", _ledger.KeyId, "--known-ledgers", _ledger.KnownLedgers]);

        run.ExitCode.ShouldBe(0, run.Stderr + run.Stdout);
        run.Stdout.ShouldStartWith("valid: 9 blocks");
    }

    [Fact]
    public async Task Consistency_FromTheReplica_TheLogsProofInTheMarketsShape()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        using var json = JsonDocument.Parse(await witness.Client.GetStringAsync(new Uri("api/ledger/consistency?from=3&to=9", UriKind.Relative)));
        using var tooLarge = await witness.Client.GetAsync(new Uri("api/ledger/consistency?from=3&to=10", UriKind.Relative));

        json.RootElement.GetProperty("from").GetInt64().ShouldBe(3);
        json.RootElement.GetProperty("to").GetInt64().ShouldBe(9);
        json.RootElement.GetProperty("proof").EnumerateArray().Select(p => p.GetString()).ShouldBe(_log.ConsistencyProof(3, 9).Select(Convert.ToHexStringLower));
        ((int)tooLarge.StatusCode).ShouldBe(400);
    }

    [Fact]
    public async Task Block_FromTheReplica_TheMarketsShape()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        using var json = JsonDocument.Parse(await witness.Client.GetStringAsync(new Uri("api/ledger/blocks/4", UriKind.Relative)));
        using var missing = await witness.Client.GetAsync(new Uri("api/ledger/blocks/9", UriKind.Relative));

        var block = json.RootElement.GetProperty("block");
        block.GetProperty("height").GetInt64().ShouldBe(4);
        block.GetProperty("kind").GetString().ShouldBe("clearing");
        block.GetProperty("headerHash").GetString().ShouldBe(Convert.ToHexStringLower(_chain[4].HeaderHash));
        block.GetProperty("header").GetString().ShouldBe(Convert.ToHexStringLower(_chain[4].HeaderBytes));
        json.RootElement.GetProperty("leaves").EnumerateArray().Select(l => l.GetString()).ShouldBe(_chain[4].Leaves.ToArrays().Select(Convert.ToHexStringLower));
        json.RootElement.GetProperty("valid").GetBoolean().ShouldBeTrue();
        ((int)missing.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task Checkpoint_AfterCosigning_TheMarketsSignedCheckpoint()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        using var json = JsonDocument.Parse(await witness.Client.GetStringAsync(new Uri("api/ledger/checkpoint", UriKind.Relative)));

        json.RootElement.GetProperty("size").GetInt64().ShouldBe(9);
        json.RootElement.GetProperty("root").GetString().ShouldBe(Convert.ToHexStringLower(FakeLog.Root(_chain, 9)));
        json.RootElement.GetProperty("signature").GetString()!.Length.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Status_AfterCosigning_NamesKeySizeAndVerification()
    {
        await using var witness = await WitnessHost.StartAsync(Folder, _log);
        (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        using var json = JsonDocument.Parse(await witness.Client.GetStringAsync(new Uri("api/witness/status", UriKind.Relative)));

        var status = json.RootElement;
        status.GetProperty("name").GetString().ShouldBe("witness.example/w1");
        status.GetProperty("vkey").GetString().ShouldBe(witness.Witness.VerifierKey.Encode());
        status.GetProperty("origin").GetString().ShouldBe(FakeLog.Origin);
        status.GetProperty("size").GetInt64().ShouldBe(9);
        status.GetProperty("replicaBlocks").GetInt64().ShouldBe(9);
        status.GetProperty("lastVerification").GetProperty("result").GetString()!.ShouldContain("verified blocks [0, 9)");
        status.GetProperty("evidence").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Restart_AfterCrashBetweenReplicaAndState_CutsTheReplicaAndContinues()
    {
        await using (var witness = await WitnessHost.StartAsync(Folder, _log))
        {
            (await witness.GrowAsync(_log, 5)).Status.ShouldBe(200);
        }

        // A crash after the blocks of a larger checkpoint reached the replica but before the state did: block lines,
        // then half a line; and the state's temporary file of the unfinished replacement.
        var replica = Path.Combine(Folder, Replica.FileName);
        var next = _log.Export(5, 9);
        using (var file = new FileStream(replica, FileMode.Append))
        {
            var blocks = next.AsSpan(next.AsSpan().IndexOf((byte)'\n') + 1);
            file.Write(blocks[..(blocks.Length / 2)]);
        }

        File.WriteAllText(Path.Combine(Folder, WitnessState.FileName + ".1234.tmp"), "{\"format\":");

        await using var restarted = await WitnessHost.StartAsync(Folder, _log);

        restarted.Witness.State.Size.ShouldBe(5);
        new FileInfo(replica).Length.ShouldBe(restarted.Witness.State.ReplicaLength);
        (await restarted.Client.GetByteArrayAsync(new Uri("api/ledger/export", UriKind.Relative))).ShouldBe(_log.Export(0, 5));
        (await restarted.GrowAsync(_log, 9)).Status.ShouldBe(200);
        (await restarted.Client.GetByteArrayAsync(new Uri("api/ledger/export", UriKind.Relative))).ShouldBe(_log.Export(0, 9));
    }

    [Fact]
    public async Task Restart_AfterCosigningTheEmptyTree_StartsAndGrows()
    {
        await using (var witness = await WitnessHost.StartAsync(Folder, _log))
        {
            (await witness.AddCheckpointAsync(0, [], _log.SignedNoteFor(0, MerkleTree.EmptyRoot()))).Status.ShouldBe(200);
        }

        await using var restarted = await WitnessHost.StartAsync(Folder, _log);

        restarted.Witness.CosignedNote.ShouldNotBeNull();
        (await restarted.GrowAsync(_log, 9)).Status.ShouldBe(200);
    }

    [Fact]
    public async Task Restart_ReplicaShorterThanTheState_RefusesToStart()
    {
        await using (var witness = await WitnessHost.StartAsync(Folder, _log))
        {
            (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
        }

        var replica = Path.Combine(Folder, Replica.FileName);
        using (var file = new FileStream(replica, FileMode.Open))
        {
            file.SetLength(file.Length - 10);
        }

        var opened = Open(out var problem);

        opened.ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain("cut");
    }

    [Fact]
    public async Task Restart_ReplicaBlockChanged_RefusesToStart()
    {
        await using (var witness = await WitnessHost.StartAsync(Folder, _log))
        {
            (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
        }

        var replica = Path.Combine(Folder, Replica.FileName);
        var lines = File.ReadAllText(replica).Split('\n');
        var leaves = lines[7].IndexOf("\"leaves\":[\"", StringComparison.Ordinal) + 11;
        lines[7] = lines[7][..leaves] + (lines[7][leaves] == '0' ? '1' : '0') + lines[7][(leaves + 1)..];
        File.WriteAllText(replica, string.Join('\n', lines));

        var opened = Open(out var problem);

        opened.ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain("does not verify");
    }

    [Fact]
    public async Task Restart_WithTheGenesisKeyOfAnotherLedger_RefusesToStart()
    {
        await using (var witness = await WitnessHost.StartAsync(Folder, _log))
        {
            (await witness.GrowAsync(_log, 9)).Status.ShouldBe(200);
        }

        var opened = Open(out var problem, trust: new string('a', 64));

        opened.ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain("does not verify");
    }

    [Fact]
    public async Task Key_TwoRuns_SameKeyOwnerOnly()
    {
        var first = CliRunner.Run(["witness", "key", "--data", Folder, "--name", "witness.example/w1"]);
        var second = CliRunner.Run(["witness", "key", "--data", Folder, "--name", "witness.example/w1"]);
        var otherName = CliRunner.Run(["witness", "key", "--data", Folder, "--name", "witness.example/w2"]);

        first.ExitCode.ShouldBe(0, first.Stderr);
        NoteVerifierKey.TryParse(first.Stdout.Trim(), out var key, out _).ShouldBeTrue();
        key!.Type.ShouldBe(NoteVerifierKey.CosignatureV1);
        key.Name.ShouldBe("witness.example/w1");
        second.Stdout.ShouldBe(first.Stdout);
        otherName.ExitCode.ShouldBe(2);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(Folder, WitnessKeyFile.FileName)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await Task.CompletedTask;
    }

    private WitnessCore? Open(out string? problem, string? trust = null)
    {
        WitnessCommand.TryConfig(Folder, "witness.example/w1", [_log.NoteKey.VerifierKey.Encode()], _log.Url, [], trust, 30, out var config, out problem).ShouldBeTrue();
        using var http = new HttpClient();
        var witness = WitnessCore.Open(config!, http, TimeProvider.System, NullLogger.Instance, out _, out problem);
        witness?.Dispose();
        return witness;
    }
}
