using Market.Cli.Commands;
using Market.Witnesses;
using Market.Ledger;

namespace Market.Cli.Tests.Witness;

/// <summary>The command line of <c>market witness</c>: what it refuses before serving anything.</summary>
public sealed class WitnessCommandTests : IDisposable
{
    private static readonly string LogKey = FakeLog.DefaultNoteKey.VerifierKey.Encode();

    private readonly string _folder = Directory.CreateTempSubdirectory("market-witness-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TryConfig_AllGiven_NormalizesUrlsAndReadsTheOrigin()
    {
        var ok = WitnessCommand.TryConfig(_folder, "witness.example/w1", [LogKey], "http://127.0.0.1:5082", ["https://peer.example/w"], new string('0', 64), 5, out var config, out var problem);

        ok.ShouldBeTrue(problem);
        config!.LogKey.Name.ShouldBe(FakeLog.Origin);
        config.LogUrl.AbsoluteUri.ShouldBe("http://127.0.0.1:5082/");
        config.Peers.ShouldHaveSingleItem().AbsoluteUri.ShouldBe("https://peer.example/w/");
        config.TrustedGenesisKeyId!.Length.ShouldBe(32);
        config.GossipInterval.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("witness-key", "http://127.0.0.1:5082", "http://peer", null, 30, "--log-key")]
    [InlineData("garbage", "http://127.0.0.1:5082", "http://peer", null, 30, "--log-key")]
    [InlineData("log", "ftp://127.0.0.1", "http://peer", null, 30, "--log-url")]
    [InlineData("log", "http://127.0.0.1:5082", "not a url", null, 30, "--peer")]
    [InlineData("log", "http://127.0.0.1:5082", "http://peer", "abc", 30, "--trust")]
    [InlineData("log", "http://127.0.0.1:5082", "http://peer", null, 0, "--gossip-seconds")]
    public void TryConfig_BadOption_NamesIt(string logKey, string logUrl, string peer, string? trust, int gossipSeconds, string named)
    {
        var key = logKey switch
        {
            "log" => LogKey,
            "witness-key" => NoteSigningKey.Generate(FakeLog.Origin, NoteVerifierKey.CosignatureV1).VerifierKey.Encode(),
            _ => logKey,
        };

        var ok = WitnessCommand.TryConfig(_folder, "witness.example/w1", [key], logUrl, [peer], trust, gossipSeconds, out _, out var problem);

        ok.ShouldBeFalse();
        problem.ShouldNotBeNull().ShouldContain(named);
    }

    [Fact]
    public void TryConfig_LogKeysOfTwoNames_Refused()
    {
        var other = NoteSigningKey.Generate("other.example/log", NoteVerifierKey.Ed25519).VerifierKey.Encode();

        var ok = WitnessCommand.TryConfig(_folder, "witness.example/w1", [LogKey, other], "http://127.0.0.1:5082", [], null, 30, out _, out var problem);

        ok.ShouldBeFalse();
        problem.ShouldNotBeNull().ShouldContain("origin");
    }

    [Fact]
    public void Witness_BadLogKey_Exit2BeforeServing()
    {
        var run = CliRunner.Run(["witness", "--data", _folder, "--name", "witness.example/w1", "--log-key", "nonsense", "--log-url", "http://127.0.0.1:9"]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("--log-key");
        File.Exists(Path.Combine(_folder, WitnessKeyFile.FileName)).ShouldBeFalse();
    }

    [Fact]
    public void Witness_StateOfAnotherLog_Exit2()
    {
        File.WriteAllBytes(Path.Combine(_folder, WitnessState.FileName), WitnessState.Empty("other.example/log").ToBytes());

        var run = CliRunner.Run(["witness", "--data", _folder, "--name", "witness.example/w1", "--log-key", LogKey, "--log-url", "http://127.0.0.1:9"]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("other.example/log");
    }
}
