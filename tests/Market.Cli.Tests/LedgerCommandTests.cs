using System.Text.Json;
using Market.Ledger;

namespace Market.Cli.Tests;

public sealed class LedgerCommandTests : IDisposable
{
    private readonly LedgerFixture _ledger = new();

    public void Dispose() => _ledger.Dispose();

    [Fact]
    public void Verify_HonestExport_Exit0WithCounts()
    {
        var path = _ledger.Export(_ledger.Chain(3));

        var run = CliRunner.Run(["ledger", "verify", path, "--trust", _ledger.KeyId]);

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldStartWith("valid: 9 blocks");
        run.Stdout.ShouldContain("every clearing replayed");
    }

    [Fact]
    public void Verify_Json_MachineReadable()
    {
        var path = _ledger.Export(_ledger.Chain(2));

        var run = CliRunner.Run(["ledger", "verify", path, "--json"]);

        using var json = JsonDocument.Parse(run.Stdout);
        json.RootElement.GetProperty("valid").GetBoolean().ShouldBeTrue();
        json.RootElement.GetProperty("trades").GetInt64().ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Verify_TradeChangedInTheExport_Exit1NamingBlockAndTrade()
    {
        var blocks = _ledger.Chain(3).Cast<LedgerBlock>().ToList();
        var clearing = blocks[6];
        var leaves = clearing.Leaves.ToArrays();
        leaves[0][^1] ^= 0x01;   // the amount's last byte
        blocks[6] = new LedgerBlock(clearing.HeaderBytes, clearing.Signature, leaves);
        var path = _ledger.Export(blocks);

        var run = CliRunner.Run(["ledger", "verify", path, "--json"]);

        run.ExitCode.ShouldBe(1);
        using var json = JsonDocument.Parse(run.Stdout);
        var failure = json.RootElement.GetProperty("failure");
        failure.GetProperty("height").GetInt64().ShouldBe(6);
        failure.GetProperty("leafIndex").GetInt32().ShouldBe(0);
    }

    [Fact]
    public void Verify_RightHashesWrongOutcome_Exit1ReplayMismatch()
    {
        // A re-signed block whose trades are well-formed but not what the rules give for the committed book.
        var blocks = _ledger.Chain(1);
        var book = blocks[3];
        var honest = TradeLeaf.Decode(blocks[4].Leaves.GetSpan(0));
        var forged = new TradeFill(honest.Buyer, honest.Seller, honest.BuySequence, honest.SellSequence, honest.EnergyWh, honest.Price + 1);
        var resealed = BlockSealer.SealClearing(book.NextTip, _ledger.Key, book.Header, [forged], DateTimeOffset.FromUnixTimeMilliseconds(blocks[4].Header.SealedAtUnixMs));
        var path = _ledger.Export([.. blocks.Take(4), resealed]);

        var run = CliRunner.Run(["ledger", "verify", path]);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldContain("block 4");
        run.Stdout.ShouldContain("Replay");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json at all\n")]
    [InlineData("{\"format\":\"market-ledger-export\",\"version\":1}\n{\"type\":\"block\",\"height\":\"zero\"}\n")]
    public void Verify_Unreadable_Exit2(string content)
    {
        var path = Path.Combine(_ledger.Folder, "bad.jsonl");
        File.WriteAllText(path, content);

        var run = CliRunner.Run(["ledger", "verify", path]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("cannot read");
    }

    [Fact]
    public void Verify_EveryOpeningOfTheSharedReconciliationLedger_Exit0EveryReconciliationCheckedInFull()
    {
        var run = CliRunner.Run(["ledger", "verify", TamperCase("reconciliation-valid.jsonl"), "--openings", TamperCase("reconciliation.openings.jsonl"), "--trust", TamperCasesKeyId]);

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldContain("reconciliations: 10 of 10 household records opened and checked, 2 of 2 reconciliations checked in full");
    }

    [Fact]
    public void Verify_SharedGridLedger_Exit0ReplayedWithGridAuction()
    {
        var run = CliRunner.Run(["ledger", "verify", TamperCase("grid-valid.jsonl"), "--trust", TamperCasesKeyId]);

        run.ExitCode.ShouldBe(0, run.Stderr + run.Stdout);
    }

    [Theory]
    [InlineData("grid-trades-in-another-order-sealed-honestly.jsonl", "ReplayMismatch")]
    [InlineData("grid-zone-price-another-the-certificate-allows-sealed-honestly.jsonl", "ReplayMismatch")]
    [InlineData("grid-wrong-zonal-price-sealed-honestly.jsonl", "GridZonePriceWrong")]
    public void Verify_SharedGridCase_Exit1WithItsReason(string file, string reason)
    {
        var run = CliRunner.Run(["ledger", "verify", TamperCase(file)]);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldContain(reason);
    }

    [Fact]
    public void Verify_WithoutOpenings_SaysOnlyThePublicChecksWereMade()
    {
        var run = CliRunner.Run(["ledger", "verify", TamperCase("reconciliation-valid.jsonl"), "--json", "--trust", TamperCasesKeyId]);

        run.ExitCode.ShouldBe(0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        json.RootElement.GetProperty("householdRecords").GetInt64().ShouldBe(10);
        json.RootElement.GetProperty("openingsChecked").GetInt64().ShouldBe(0);
        json.RootElement.GetProperty("reconciliationsFullyChecked").GetInt64().ShouldBe(0);
        CliRunner.Run(["ledger", "verify", TamperCase("reconciliation-valid.jsonl")]).Stdout.ShouldContain("reconciliations: public checks only");
    }

    [Fact]
    public void Verify_OpeningThatDoesNotMatchItsCommitment_Exit1OpeningMismatch()
    {
        var run = CliRunner.Run(["ledger", "verify", TamperCase("reconciliation-opening-that-does-not-match-its-commitment.jsonl"),
            "--openings", TamperCase("reconciliation-opening-that-does-not-match-its-commitment.openings.jsonl")]);

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldContain("block 5, entry 1: OpeningMismatch");
    }

    [Fact]
    public void Verify_OpeningsNotAnOpeningsFile_Exit2()
    {
        var run = CliRunner.Run(["ledger", "verify", TamperCase("reconciliation-valid.jsonl"), "--openings", TamperCase("reconciliation-valid.jsonl")]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("cannot read the openings: openings line 1");
    }

    [Fact]
    public void Verify_MissingFile_Exit2()
    {
        var run = CliRunner.Run(["ledger", "verify", Path.Combine(_ledger.Folder, "nope.jsonl")]);

        run.ExitCode.ShouldBe(2);
    }

    [Fact]
    public void Receipt_HonestAndTampered_Exit0Then1()
    {
        var blocks = _ledger.Chain(2);
        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        var checkpoint = Checkpoint.Create(tree.Size, tree.Root(), DateTimeOffset.UnixEpoch.AddYears(60), _ledger.Key);
        var receipt = TradeReceipt.Create(blocks[4], 0, _ledger.Key.PublicKey, checkpoint, _ledger.Key.PublicKey, tree);
        var good = Path.Combine(_ledger.Folder, "good.json");
        File.WriteAllText(good, receipt.ToJson());
        var leaf = (byte[])receipt.TradeLeaf.Clone();
        leaf[^1] ^= 1;
        var bad = Path.Combine(_ledger.Folder, "bad.json");
        File.WriteAllText(bad, (receipt with { TradeLeaf = leaf }).ToJson());

        var ok = CliRunner.Run(["ledger", "receipt", good, "--trust", _ledger.KeyId]);
        var tampered = CliRunner.Run(["ledger", "receipt", bad, "--trust", _ledger.KeyId]);

        ok.ExitCode.ShouldBe(0, ok.Stdout + ok.Stderr);
        ok.Stdout.ShouldContain("valid: trade 1 in block 4");
        tampered.ExitCode.ShouldBe(1);
    }

    [Fact]
    public void Follow_LedgerOnlyGrows_Exit0EachTime()
    {
        var state = Path.Combine(_ledger.Folder, "mirror");
        var chain = _ledger.Chain(4);
        File.Copy(_ledger.Export(chain.Take(5).ToList()), Path.Combine(_ledger.Folder, "live.jsonl"), overwrite: true);
        var first = CliRunner.Run(["ledger", "follow", Path.Combine(_ledger.Folder, "live.jsonl"), "--state", state]);
        File.Copy(_ledger.Export(chain), Path.Combine(_ledger.Folder, "live.jsonl"), overwrite: true);

        var second = CliRunner.Run(["ledger", "follow", Path.Combine(_ledger.Folder, "live.jsonl"), "--state", state]);

        first.ExitCode.ShouldBe(0, first.Stderr);
        second.ExitCode.ShouldBe(0, second.Stderr);
        second.Stdout.ShouldContain("(6 new)");
    }

    [Fact]
    public void Follow_TailTruncated_Exit1()
    {
        var state = Path.Combine(_ledger.Folder, "mirror");
        var chain = _ledger.Chain(3);
        var live = Path.Combine(_ledger.Folder, "live.jsonl");
        File.Copy(_ledger.Export(chain), live, overwrite: true);
        CliRunner.Run(["ledger", "follow", live, "--state", state]).ExitCode.ShouldBe(0);
        File.Copy(_ledger.Export(chain.Take(7).ToList()), live, overwrite: true);

        var run = CliRunner.Run(["ledger", "follow", live, "--state", state]);

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("truncated");
    }

    [Fact]
    public void Follow_ResignedFork_Exit1()
    {
        var state = Path.Combine(_ledger.Folder, "mirror");
        var chain = _ledger.Chain(2);
        var live = Path.Combine(_ledger.Folder, "live.jsonl");
        File.Copy(_ledger.Export(chain), live, overwrite: true);
        CliRunner.Run(["ledger", "follow", live, "--state", state]).ExitCode.ShouldBe(0);
        // The operator re-seals the last interval with a different (but rule-conforming: empty) book and grows on.
        File.Copy(_ledger.Export(_ledger.ResignedFork(chain, 4)), live, overwrite: true);

        var run = CliRunner.Run(["ledger", "follow", live, "--state", state]);

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("rewritten or forked");
    }

    /// <summary>A file of the shared tamper cases (tests/tamper-cases, docs/ledger-format.md §14).</summary>
    /// <summary>The genesis key id of the shared tamper cases' ledgers (their fixed key).</summary>
    private const string TamperCasesKeyId = "5b6b92b37b765963ab61d52a3171a54da33778c13118108f918e78cd2a8e3c15";

    private static string TamperCase(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Market.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("run the tests from the repository"), "tests", "tamper-cases", file);
    }
}
