using System.Text.Json;
using Market.Cli.Trust;
using Market.Ledger;

namespace Market.Cli.Tests;

/// <summary>
/// The trust anchor of <c>market ledger verify|follow|receipt</c> (docs/adr/0016-trust-anchor.md) against a market
/// served over HTTP: per ledger URL the command remembers the genesis key id and the latest checkpoint it verified,
/// refuses another ledger or a rewritten history at that URL, never moves the remembered checkpoint back, and says
/// plainly when a valid chain is not anchored to anything the user trusts.
/// </summary>
public sealed class TrustAnchorTests : IAsyncLifetime
{
    private readonly LedgerFixture _ledger = new();
    private LedgerServer _market = default!;

    public async Task InitializeAsync() => _market = await LedgerServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _market.DisposeAsync();
        _ledger.Dispose();
    }

    [Fact]
    public void Verify_FirstContactWithUrl_Exit0SaysSoAndNamesTheGenesisKey()
    {
        _market.Serve(_ledger.Export(_ledger.Chain(2)));

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain($"FIRST CONTACT with {_market.Url}");
        run.Stdout.ShouldContain($"Its genesis key id is {_ledger.KeyId}: compare it with the one your community publishes");
        Remembered().GenesisKeyId.ShouldBe(_ledger.Key.KeyId);
        Remembered().Checkpoint.Size.ShouldBe(7);
    }

    [Fact]
    public void Verify_SecondRunOfTheSameLedger_Exit0AnchoredNoFirstContact()
    {
        VerifiedOnce(_ledger.Export(_ledger.Chain(2)));

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("anchored: the same ledger as verified before");
        run.Stdout.ShouldNotContain("FIRST CONTACT");
    }

    [Fact]
    public void Verify_TrustMatchesOnFirstContact_Exit0Remembered()
    {
        _market.Serve(_ledger.Export(_ledger.Chain(2)));

        var run = Ledger("verify", _market.Url, "--trust", _ledger.KeyId.ToUpperInvariant());

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain($"its genesis key id is the one given with --trust ({_ledger.KeyId})");
        Remembered().GenesisKeyId.ShouldBe(_ledger.Key.KeyId);
    }

    [Fact]
    public void Verify_TrustDiffersOnFirstContact_Exit1NothingRemembered()
    {
        _market.Serve(_ledger.Export(_ledger.Chain(2)));
        var other = Convert.ToHexStringLower(TestKey(7).KeyId);

        var run = Ledger("verify", _market.Url, "--trust", other);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldContain($"NOT THE LEDGER YOU TRUST: its genesis key id is {_ledger.KeyId}, but the one you trust is {other}");
        Directory.Exists(_ledger.KnownLedgers).ShouldBeFalse();
    }

    [Fact]
    public void Verify_TrustDiffersFromTheRememberedKey_Exit1BeforeReading()
    {
        VerifiedOnce(_ledger.Export(_ledger.Chain(2)));

        var run = Ledger("verify", _market.Url, "--trust", Convert.ToHexStringLower(TestKey(7).KeyId));

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldContain("the genesis key ids you trust differ");
    }

    [Fact]
    public void Verify_ForeignChainFromBenchAtARememberedUrl_Exit1NotTheLedgerYouTrust()
    {
        var before = VerifiedOnce(_ledger.Export(_ledger.Chain(2)));
        _market.Serve(BenchLedger());

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldStartWith("NOT THE LEDGER YOU TRUST: its genesis key id is ");
        run.Stdout.ShouldContain($"but the one you trust is {_ledger.KeyId} (the ledger remembered for {_market.Url})");
        File.ReadAllBytes(RememberedPath()).ShouldBe(before);
    }

    [Fact]
    public void Verify_RewrittenAndResignedHistoryAfterACheckpointWasRemembered_Exit1Rewritten()
    {
        var chain = _ledger.Chain(3);
        var before = VerifiedOnce(_ledger.Export(chain));
        // Every block, signature and replay of the fork is valid, with the operator's own key; it grew, too.
        _market.Serve(_ledger.Export(_ledger.ResignedFork(chain, 6)));

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldStartWith("REWRITTEN: the history verified before has been rewritten or forked");
        run.Stdout.ShouldContain($"the checkpoint of 9 blocks remembered for {_market.Url}");
        File.ReadAllBytes(RememberedPath()).ShouldBe(before);
    }

    [Fact]
    public void Verify_RewrittenHistoryWithoutARememberedCheckpoint_PassesWhichIsWhyItIsRemembered()
    {
        var chain = _ledger.Chain(3);
        _market.Serve(_ledger.Export(_ledger.ResignedFork(chain, 6)));

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldContain("FIRST CONTACT");
    }

    [Fact]
    public void Verify_LedgerGrew_RemembersTheLargerCheckpoint()
    {
        var chain = _ledger.Chain(4);
        VerifiedOnce(_ledger.Export(chain.Take(7).ToList()));
        _market.Serve(_ledger.Export(chain));

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("the checkpoint of 11 blocks");
        Remembered().Checkpoint.Size.ShouldBe(11);
    }

    [Fact]
    public void Verify_OlderCheckpointServed_RememberedCheckpointNeverMovesBack()
    {
        var chain = _ledger.Chain(4);
        var before = VerifiedOnce(_ledger.Export(chain));
        // The same blocks, but under the checkpoint of an earlier size: consistent, and older than the remembered one.
        _market.Serve(ExportWithCheckpointOver(chain, 6));

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("the checkpoint of 11 blocks stays");
        File.ReadAllBytes(RememberedPath()).ShouldBe(before);
    }

    [Fact]
    public void Verify_TailCutAfterACheckpointWasRemembered_Exit1TruncatedRememberedUnchanged()
    {
        var chain = _ledger.Chain(4);
        var before = VerifiedOnce(_ledger.Export(chain));
        _market.Serve(_ledger.Export(chain.Take(7).ToList()));

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldStartWith("REWRITTEN: the history verified before has been truncated");
        File.ReadAllBytes(RememberedPath()).ShouldBe(before);
    }

    [Fact]
    public void Verify_RememberedWrittenAtomically_NoOtherFileLeftBehind()
    {
        _market.Serve(_ledger.Export(_ledger.Chain(2)));

        Ledger("verify", _market.Url).ExitCode.ShouldBe(0);

        Directory.GetFiles(_ledger.KnownLedgers).Select(Path.GetFileName).Order()
            .ShouldBe([".lock", Path.GetFileName(RememberedPath())]);
    }

    [Fact]
    public void Verify_ForeignChainFileFromBench_Exit3NotAnchored()
    {
        // The complaint: `market bench ledger --output f.jsonl` then `market ledger verify f.jsonl` said valid.
        var foreign = BenchLedger();

        var run = Ledger("verify", foreign);

        run.ExitCode.ShouldBe(3);
        run.Stdout.ShouldContain("NOT ANCHORED: the chain is valid, but nothing ties it to a ledger you trust");
        Directory.Exists(_ledger.KnownLedgers).ShouldBeFalse();
    }

    [Fact]
    public void Verify_ForeignChainFileAgainstARememberedLedger_Exit1()
    {
        VerifiedOnce(_ledger.Export(_ledger.Chain(2)));

        var run = Ledger("verify", BenchLedger(), "--ledger", _market.Url);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldStartWith("NOT THE LEDGER YOU TRUST");
    }

    [Fact]
    public void Verify_DownloadedExportAgainstTheRememberedLedger_Exit0Anchored()
    {
        var path = _ledger.Export(_ledger.Chain(2));
        VerifiedOnce(path);

        var run = Ledger("verify", path, "--ledger", _market.Url + "/api/ledger/export");

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("anchored: the same ledger as verified before");
    }

    [Fact]
    public void Verify_FileAgainstALedgerNeverVerified_Exit2NothingRemembered()
    {
        var path = _ledger.Export(_ledger.Chain(1));

        var run = Ledger("verify", path, "--ledger", _market.Url);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain($"nothing is remembered for {_market.Url}");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"format\":\"market-known-ledger\",\"version\":1}")]
    public void Verify_RememberedFileUnreadable_Exit2NamingItAndLeavingItAlone(string content)
    {
        _market.Serve(_ledger.Export(_ledger.Chain(1)));
        Directory.CreateDirectory(_ledger.KnownLedgers);
        File.WriteAllText(RememberedPath(), content);

        var run = Ledger("verify", _market.Url);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain(RememberedPath());
        run.Stderr.ShouldContain("market ledger forget");
        File.ReadAllText(RememberedPath()).ShouldBe(content);
    }

    [Fact]
    public void Verify_KnownLedgersFolderCannotBeWritten_ValidSaysNothingWasRemembered()
    {
        _market.Serve(_ledger.Export(_ledger.Chain(1)));
        var notAFolder = Path.Combine(_ledger.Folder, "a-file");
        File.WriteAllText(notAFolder, "");

        var run = CliRunner.Run(["ledger", "verify", _market.Url, "--known-ledgers", notAFolder]);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stderr.ShouldContain("nothing remembered");
    }

    [Fact]
    public void Verify_BadTrustValue_Exit2()
    {
        var run = Ledger("verify", _market.Url, "--trust", "abc");

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("--trust takes a genesis key id: 64 hex digits");
    }

    [Fact]
    public void Verify_Json_NamesTheAnchor()
    {
        _market.Serve(_ledger.Export(_ledger.Chain(1)));

        var run = Ledger("verify", _market.Url, "--json");

        using var json = JsonDocument.Parse(run.Stdout);
        var anchor = json.RootElement.GetProperty("anchor");
        anchor.GetProperty("status").GetString().ShouldBe("FirstContact");
        anchor.GetProperty("genesisKeyId").GetString().ShouldBe(_ledger.KeyId);
    }

    [Fact]
    public void Forget_RememberedLedger_NextRunIsAFirstContactAgain()
    {
        VerifiedOnce(_ledger.Export(_ledger.Chain(1)));

        var forget = Ledger("forget", _market.Url + "/");
        var again = Ledger("verify", _market.Url);

        forget.ExitCode.ShouldBe(0);
        forget.Stdout.ShouldContain($"forgot {_market.Url}: genesis key id {_ledger.KeyId}");
        again.Stdout.ShouldContain("FIRST CONTACT");
    }

    [Fact]
    public void Follow_ForeignChainAtAUrlRememberedByVerify_Exit1MirrorKept()
    {
        var state = Path.Combine(_ledger.Folder, "mirror");
        VerifiedOnce(_ledger.Export(_ledger.Chain(2)));
        _market.Serve(BenchLedger());

        var run = Ledger("follow", _market.Url, "--state", state);

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("NOT THE LEDGER YOU TRUST");
        File.Exists(Path.Combine(state, "ledger-export.jsonl")).ShouldBeFalse();
    }

    [Fact]
    public void Follow_FirstRun_FirstContactRememberedForVerify()
    {
        var state = Path.Combine(_ledger.Folder, "mirror");
        _market.Serve(_ledger.Export(_ledger.Chain(2)));

        var run = Ledger("follow", _market.Url, "--state", state);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain($"FIRST CONTACT with {_market.Url}");
        Remembered().Checkpoint.Size.ShouldBe(7);
    }

    [Fact]
    public void Follow_MirrorOfAnotherLedgerFromTheStart_Exit1()
    {
        var state = Path.Combine(_ledger.Folder, "mirror");
        var live = Path.Combine(_ledger.Folder, "live.jsonl");
        File.Copy(_ledger.Export(_ledger.Chain(2)), live);
        Ledger("follow", live, "--state", state).ExitCode.ShouldBe(0);
        File.Copy(BenchLedger(), live, overwrite: true);

        var run = Ledger("follow", live, "--state", state);

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("NOT THE LEDGER YOU TRUST");
        run.Stderr.ShouldContain("this mirror's copy");
    }

    [Fact]
    public void Receipt_FileWithoutAnchor_Exit3NotAnchored()
    {
        var path = ReceiptFile(_ledger.Receipt(_ledger.Chain(1), 4));

        var run = Ledger("receipt", path);

        run.ExitCode.ShouldBe(3);
        run.Stdout.ShouldContain("NOT ANCHORED: the receipt is valid, but nothing ties its keys to a ledger you trust");
    }

    [Fact]
    public void Receipt_UrlOfARememberedLedger_Exit0Anchored()
    {
        var chain = _ledger.Chain(2);
        VerifiedOnce(_ledger.Export(chain.Take(5).ToList()));
        // The receipt's checkpoint is newer than the remembered one: a consistency proof from the market joins them.
        _market.Serve(_ledger.Export(chain));
        _market.ServeReceipt(_ledger.Receipt(chain, 6));

        var run = Ledger("receipt", _market.Url + "/api/ledger/trades/2/proof");

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("its checkpoint of 7 blocks is consistent with the remembered one of 5 blocks");
    }

    [Fact]
    public void Receipt_SignedByAnotherKeyThanTheRememberedLedgers_Exit1()
    {
        VerifiedOnce(_ledger.Export(_ledger.Chain(1)));
        using var other = new LedgerFixture(TestKey(9));
        var path = ReceiptFile(other.Receipt(other.Chain(1), 4));

        var run = Ledger("receipt", path, "--ledger", _market.Url);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldStartWith("NOT THE LEDGER YOU TRUST: the receipt is signed with key id " + other.KeyId);
    }

    [Fact]
    public void Receipt_FromARewrittenHistory_Exit1Rewritten()
    {
        var chain = _ledger.Chain(3);
        VerifiedOnce(_ledger.Export(chain));
        var fork = _ledger.ResignedFork(chain, 6);
        _market.Serve(_ledger.Export(fork));
        var path = ReceiptFile(_ledger.Receipt(fork, 4));

        var run = Ledger("receipt", path, "--ledger", _market.Url);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldStartWith("REWRITTEN: the receipt's checkpoint of 10 blocks is not consistent with the checkpoint of 9 blocks remembered");
    }

    [Theory]
    [InlineData("http://Market.Example:80/", "http://market.example")]
    [InlineData("https://market.example/community/api/ledger/export", "https://market.example/community")]
    [InlineData("http://127.0.0.1:5082/api/ledger/trades/17/proof?x=1", "http://127.0.0.1:5082")]
    [InlineData("https://market.example:8443/api/ledger", "https://market.example:8443")]
    public void TryName_UrlsOfOneLedger_OneName(string url, string name)
    {
        KnownLedgers.TryName(url, out var actual).ShouldBeTrue();

        actual.ShouldBe(name);
    }

    [Theory]
    [InlineData("ftp://market.example")]
    [InlineData("market.example")]
    [InlineData("/tmp/export.jsonl")]
    public void TryName_NotAMarketUrl_False(string url)
    {
        KnownLedgers.TryName(url, out _).ShouldBeFalse();
    }

    [Fact]
    public void Remember_FileChangedByAnotherRunMeanwhile_NothingWritten()
    {
        var store = new KnownLedgers(_ledger.KnownLedgers);
        var blocks = _ledger.Chain(2);
        var first = Known(blocks.Take(5).ToList());
        store.Remember(null, first).Result.ShouldBe(RememberResult.Updated);

        var outcome = store.Remember(null, Known(blocks));

        outcome.Result.ShouldBe(RememberResult.ChangedMeanwhile);
        store.TryRead(_market.Url, out var known, out _).ShouldBeTrue();
        known!.SameAs(first).ShouldBeTrue();
    }

    private KnownLedger Known(List<SealedBlock> blocks)
    {
        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        return new KnownLedger(_market.Url, _ledger.Key.KeyId, [_ledger.Key.KeyId], Checkpoint.Create(tree.Size, tree.Root(), DateTimeOffset.UnixEpoch.AddYears(60), _ledger.Key));
    }

    /// <summary>Serves the export and verifies it once (a first contact); returns the remembered file's bytes.</summary>
    private byte[] VerifiedOnce(string exportPath)
    {
        _market.Serve(exportPath);
        var run = Ledger("verify", _market.Url);
        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        return File.ReadAllBytes(RememberedPath());
    }

    /// <summary>A complete, honestly cleared chain sealed with a fresh key, as `market bench ledger` writes it.</summary>
    private string BenchLedger()
    {
        var path = Path.Combine(_ledger.Folder, $"bench-{Guid.NewGuid():N}.jsonl");
        CliRunner.Run(["bench", "ledger", "--intervals", "2", "--orders", "20", "--output", path]).ExitCode.ShouldBe(0);
        return path;
    }

    /// <summary>Runs <c>market ledger …</c> with this test's folder of remembered ledgers.</summary>
    private CliRun Ledger(params string[] args) => CliRunner.Run(["ledger", .. args, "--known-ledgers", _ledger.KnownLedgers]);

    private string RememberedPath()
    {
        KnownLedgers.TryName(_market.Url, out var name).ShouldBeTrue();
        return new KnownLedgers(_ledger.KnownLedgers).PathFor(name);
    }

    private KnownLedger Remembered()
    {
        KnownLedgers.TryName(_market.Url, out var name).ShouldBeTrue();
        new KnownLedgers(_ledger.KnownLedgers).TryRead(name, out var known, out var problem).ShouldBeTrue(problem);
        return known.ShouldNotBeNull();
    }

    private string ExportWithCheckpointOver(List<SealedBlock> blocks, int size)
    {
        var tree = MerkleTree.FromLeaves(blocks.Take(size).Select(b => b.HeaderHash));
        var path = Path.Combine(_ledger.Folder, "older-checkpoint.jsonl");
        using var file = File.Create(path);
        LedgerExport.Write(file, blocks, Checkpoint.Create(tree.Size, tree.Root(), DateTimeOffset.UnixEpoch.AddYears(60), _ledger.Key));
        return path;
    }

    private string ReceiptFile(TradeReceipt receipt)
    {
        var path = Path.Combine(_ledger.Folder, $"receipt-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, receipt.ToJson());
        return path;
    }

    private static SigningKey TestKey(byte b) => SigningKey.FromPrivateKey(Enumerable.Repeat(b, 32).ToArray());
}
