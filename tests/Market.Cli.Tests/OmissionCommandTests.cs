using System.Text.Json;
using Market.Ledger;

namespace Market.Cli.Tests;

/// <summary>
/// <c>market ledger check-receipts</c> and <c>market ledger verify-proof</c>: the acceptance receipts an agent kept
/// against the market's sealed books (from an export file or the market's URL), and the proofs of omission written
/// for the orders a book does not hold.
/// </summary>
public sealed class OmissionCommandTests : IAsyncLifetime
{
    private const int BookHeight = 3;

    private readonly LedgerFixture _ledger = new();
    private LedgerServer _market = default!;
    private List<SealedBlock> _chain = default!;
    private string _export = default!;

    private string Receipts => Path.Combine(_ledger.Folder, "receipts");

    public async Task InitializeAsync()
    {
        _market = await LedgerServer.StartAsync();
        _chain = _ledger.Chain(2);
        _export = _ledger.Export(_chain);
        _market.Serve(_export);
        Directory.CreateDirectory(Receipts);
    }

    public async Task DisposeAsync()
    {
        await _market.DisposeAsync();
        _ledger.Dispose();
    }

    [Fact]
    public void CheckReceipts_EveryOrderInItsBook_Exit0()
    {
        for (var i = 0; i < 4; i++)
        {
            Keep($"order-{i}.json", Receipt(Order(BookHeight, i)));
        }

        File.WriteAllText(Path.Combine(Receipts, "notes.json"), """{"format":"something-else"}""");

        var run = CliRunner.Run(["ledger", "check-receipts", Receipts, _export]);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain($"ok: order-0.json: order at sequence 1 for interval");
        run.Stdout.ShouldContain("4 receipts: 4 orders in their books, 0 omissions");
        Directory.GetFiles(Receipts, "*.omission-proof.json").ShouldBeEmpty();
    }

    [Fact]
    public void CheckReceipts_MissingAndChangedOrders_Exit1WritesAProofNextToEach()
    {
        var order = Order(BookHeight, 1);
        Keep("ok.json", Receipt(order));
        Keep("dropped.json", Receipt(order, sequence: 999));                                         // receipted at 999, no such order
        Keep("changed.json", Receipt(order with { EnergyWh = order.EnergyWh + 100 }, order.Sequence)); // the book holds other energy

        var run = CliRunner.Run(["ledger", "check-receipts", Receipts, _export]);

        run.ExitCode.ShouldBe(1, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("OMISSION: dropped.json:");
        run.Stdout.ShouldContain("no order in the book has that sequence");
        run.Stdout.ShouldContain("OMISSION: changed.json:");
        run.Stdout.ShouldContain("the book's order at that sequence is another order");
        run.Stdout.ShouldContain("3 receipts: 1 orders in their books, 2 omissions");
        var dropped = OmissionProof.FromJson(File.ReadAllText(Path.Combine(Receipts, "dropped.omission-proof.json")));
        dropped.Verify([_ledger.Key.KeyId]).Omission.ShouldBe(OmissionKind.Missing);
        var changed = OmissionProof.FromJson(File.ReadAllText(Path.Combine(Receipts, "changed.omission-proof.json")));
        changed.Verify([_ledger.Key.KeyId]).Omission.ShouldBe(OmissionKind.Changed);
        File.Exists(Path.Combine(Receipts, "ok.omission-proof.json")).ShouldBeFalse();
    }

    [Fact]
    public void CheckReceipts_FromTheMarketsUrl_FetchesTheExport()
    {
        var order = Order(BookHeight + 2, 0);
        Keep("dropped.json", Receipt(order, sequence: 999));

        var run = CliRunner.Run(["ledger", "check-receipts", Receipts, _market.Url, "--known-ledgers", _ledger.KnownLedgers]);

        run.ExitCode.ShouldBe(1, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("OMISSION: dropped.json:");
        run.Stdout.ShouldContain($"FIRST CONTACT with {_market.Url}");
        File.Exists(Path.Combine(Receipts, "dropped.omission-proof.json")).ShouldBeTrue();
    }

    [Fact]
    public void CheckReceipts_IntervalNotSealedYet_Exit0Pending()
    {
        var order = Order(BookHeight, 0);
        var later = _chain[BookHeight].Header.IntervalStart + (900 * 10);
        var statement = Statement.Encode(_chain[0].HeaderHash, order.Owner, StatementType.Order,
            Statement.OrderBody(later, later + 900, order.Side, order.EnergyWh, order.LimitPrice, order.Nonce));
        Keep("later.json", AcceptanceReceipt.Create(statement, 500, DateTimeOffset.FromUnixTimeSeconds(later - 3600), _ledger.Key));

        var run = CliRunner.Run(["ledger", "check-receipts", Receipts, _export]);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("pending: later.json: order at sequence 500");
        run.Stdout.ShouldContain("1 waiting for their book");
    }

    [Fact]
    public void CheckReceipts_ReceiptOfAnotherKey_Exit2()
    {
        var other = SigningKey.FromPrivateKey(Convert.FromHexString("5555555555555555555555555555555555555555555555555555555555555555"));
        var order = Order(BookHeight, 0);
        Keep("forged.json", AcceptanceReceipt.Create(order.StatementBytes(_chain[0].HeaderHash, _chain[BookHeight].Header.IntervalStart, _chain[BookHeight].Header.IntervalEnd), 999, DateTimeOffset.UnixEpoch, other));

        var run = CliRunner.Run(["ledger", "check-receipts", Receipts, _export]);

        run.ExitCode.ShouldBe(2, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("NOT THIS MARKET'S RECEIPT: forged.json");
    }

    [Fact]
    public void CheckReceipts_NoSuchFolder_Exit2()
    {
        var run = CliRunner.Run(["ledger", "check-receipts", Path.Combine(_ledger.Folder, "nowhere"), _export]);

        run.ExitCode.ShouldBe(2);
    }

    [Fact]
    public void VerifyProof_WithTheMarketsKey_Exit0SaysWhatIsProven()
    {
        var path = WrittenProof();

        var run = CliRunner.Run(["ledger", "verify-proof", path, "--trust", _ledger.KeyId]);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("proven: the market signed a receipt");
        run.Stdout.ShouldContain("at sequence 999 for interval");
        run.Stdout.ShouldContain("and its sealed order book for that interval (block 3, in the checkpoint of 7 blocks) does not contain it: no order in it has sequence 999 (missing)");
        run.Stdout.ShouldContain("anchored: signed by key ids given with --trust");
    }

    [Fact]
    public void Verify_AProofOfOmissionFile_VerifiedAsAProof()
    {
        var path = WrittenProof();

        var run = CliRunner.Run(["ledger", "verify", path, "--trust", _ledger.KeyId]);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("proven: the market signed a receipt");
        run.Stdout.ShouldContain("(missing)");
    }

    [Fact]
    public void VerifyProof_WithTheRememberedLedger_Exit0()
    {
        var path = WrittenProof();
        CliRunner.Run(["ledger", "verify", _market.Url, "--known-ledgers", _ledger.KnownLedgers]).ExitCode.ShouldBe(0);

        var run = CliRunner.Run(["ledger", "verify-proof", path, "--ledger", _market.Url, "--known-ledgers", _ledger.KnownLedgers]);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain($"anchored: signed by keys of the ledger remembered for {_market.Url}");
    }

    [Fact]
    public void VerifyProof_NoTrust_Exit3NotAnchored()
    {
        var run = CliRunner.Run(["ledger", "verify-proof", WrittenProof()]);

        run.ExitCode.ShouldBe(3, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("proven:");
        run.Stdout.ShouldContain("NOT ANCHORED");
    }

    [Fact]
    public void VerifyProof_OtherKeyTrusted_Exit1()
    {
        var run = CliRunner.Run(["ledger", "verify-proof", WrittenProof(), "--trust", new string('a', 64)]);

        run.ExitCode.ShouldBe(1, run.Stdout + run.Stderr);
        run.Stdout.ShouldContain("NOT PROVEN: the proof is signed with key ids");
    }

    [Fact]
    public void VerifyProof_LeafChanged_Exit1WithTheReason()
    {
        var path = WrittenProof();
        var proof = OmissionProof.FromJson(File.ReadAllText(path));
        var leaves = proof.BookLeaves.ToArray();
        leaves[0] = leaves[1];
        File.WriteAllText(path, (proof with { BookLeaves = leaves }).ToJson());

        var run = CliRunner.Run(["ledger", "verify-proof", path, "--trust", _ledger.KeyId, "--json"]);

        run.ExitCode.ShouldBe(1, run.Stdout + run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        json.RootElement.GetProperty("valid").GetBoolean().ShouldBeFalse();
        json.RootElement.GetProperty("reason").GetString().ShouldBe("PayloadRootMismatch");
    }

    [Fact]
    public void VerifyProof_Json_NamesTheOmission()
    {
        var run = CliRunner.Run(["ledger", "verify-proof", WrittenProof(), "--trust", _ledger.KeyId, "--json"]);

        run.ExitCode.ShouldBe(0, run.Stdout + run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        json.RootElement.GetProperty("omission").GetString().ShouldBe("missing");
        json.RootElement.GetProperty("height").GetInt64().ShouldBe(BookHeight);
        json.RootElement.GetProperty("sequence").GetInt64().ShouldBe(999);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"format":"market-omission-proof","version":1}""")]
    public void VerifyProof_Unreadable_Exit2(string content)
    {
        var path = Path.Combine(_ledger.Folder, "bad.omission-proof.json");
        File.WriteAllText(path, content);

        var run = CliRunner.Run(["ledger", "verify-proof", path, "--trust", _ledger.KeyId]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("cannot read");
    }

    /// <summary>Runs check-receipts on a receipt for sequence 999 and returns the proof it wrote.</summary>
    private string WrittenProof()
    {
        Keep("dropped.json", Receipt(Order(BookHeight, 0), sequence: 999));
        CliRunner.Run(["ledger", "check-receipts", Receipts, _export]).ExitCode.ShouldBe(1);
        return Path.Combine(Receipts, "dropped.omission-proof.json");
    }

    private OrderLeaf Order(int height, int index) => OrderLeaf.Decode(_chain[height].Leaves.GetSpan(index));

    private AcceptanceReceipt Receipt(OrderLeaf order, long? sequence = null)
    {
        var book = _chain.First(b => b.Header.Kind == BlockKind.OrderBook
            && b.Leaves.Any(l => OrderLeaf.Decode(l.Span).Nonce.AsSpan().SequenceEqual(order.Nonce)));
        var statement = order.StatementBytes(_chain[0].HeaderHash, book.Header.IntervalStart, book.Header.IntervalEnd);
        return AcceptanceReceipt.Create(statement, sequence ?? order.Sequence, DateTimeOffset.FromUnixTimeSeconds(book.Header.IntervalStart - 600), _ledger.Key);
    }

    private void Keep(string name, AcceptanceReceipt receipt) => File.WriteAllText(Path.Combine(Receipts, name), receipt.ToJson());
}
