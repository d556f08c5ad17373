extern alias cli;

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Market.E2E.Verifier;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// The in-browser verifier (/ledger/verify, wwwroot/js/verifier.js) in Chromium: it passes the same published
/// vectors as the C# library, agrees with the C# ChainVerifier on tampered exports, and verifies the app's own
/// ledger, finding a trade changed behind its back in the database.
/// </summary>
public sealed class InBrowserVerifierTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task MerkleVectors_EveryPublishedVectorAndProbe_SameVerdictAsCSharpSide()
    {
        var page = await BrowserChecks.OpenVerifierAsync(fixture);
        var vectors = VectorFiles.Load("merkle_vectors.json");
        var checks = VectorChecks.Merkle(vectors);

        var mismatches = await checks.MismatchesAsync(page);

        mismatches.Count.ShouldBe(0, string.Join(Environment.NewLine, mismatches.Take(20)));
        (vectors.GetProperty("probes").GetProperty("inclusion").GetArrayLength(), vectors.GetProperty("probes").GetProperty("consistency").GetArrayLength()).ShouldBe((98, 98));
        checks.Count.ShouldBeGreaterThan(230);
    }

    [Fact]
    public async Task Secp256k1Vectors_EveryVerifyVector_AcceptsLowSAndRejectsHighSAndInvalid()
    {
        var page = await BrowserChecks.OpenVerifierAsync(fixture);
        var vectors = VectorFiles.Load("secp256k1_vectors.json");
        var checks = VectorChecks.Secp256k1(vectors);

        var mismatches = await checks.MismatchesAsync(page);

        mismatches.Count.ShouldBe(0, string.Join(Environment.NewLine, mismatches.Take(20)));
        vectors.GetProperty("noble_valid").GetArrayLength().ShouldBe(2019);
        vectors.GetProperty("noble_invalid").GetProperty("verify").GetArrayLength().ShouldBe(25);
    }

    [Fact]
    public async Task WycheproofVectors_AllCases_RejectsExactlyThe69ValidHighSCases()
    {
        var page = await BrowserChecks.OpenVerifierAsync(fixture);
        var cases = VectorChecks.WycheproofCases(VectorFiles.Load("wycheproof_ecdsa_secp256k1_sha256_test.json"));
        var checks = VectorChecks.Wycheproof(cases);

        var mismatches = await checks.MismatchesAsync(page);

        mismatches.Count.ShouldBe(0, string.Join(Environment.NewLine, mismatches.Take(20)));
        cases.Count.ShouldBe(463);
        cases.Count(c => c.Result == "valid").ShouldBe(164);
        cases.Count(c => c.Result == "valid" && !c.Expected).ShouldBe(69);
        cases.Where(c => c.Result == "valid" && !c.Expected).ShouldAllBe(c => c.IsHighS);
        cases.Count(c => c.Result == "invalid").ShouldBe(299);
    }

    [Fact]
    public async Task VerifyExportText_ValidAndTamperedExports_SameFirstFailureAsChainVerifier()
    {
        var page = await BrowserChecks.OpenVerifierAsync(fixture);
        var cases = LedgerSamples.Cases().ToList();

        var differences = new List<string>();
        var verdicts = new Dictionary<string, string>();
        var reasons = new Dictionary<string, string>();
        foreach (var (name, export) in cases)
        {
            var expected = ChainVerifier.VerifyExport(new MemoryStream(Encoding.UTF8.GetBytes(export)), replayer: null);
            var actual = await page.EvaluateAsync<JsonElement>("text => window.marketVerifier.verifyExportText(text)", export);
            verdicts[name] = actual.GetProperty("verdict").GetString()!;
            reasons[name] = expected.Failure is { } f ? $"{f.Reason} at {f.Height}, leaf {f.LeafIndex}" : "valid";
            var difference = Compare(expected, actual);
            if (difference is not null)
            {
                differences.Add($"{name}: {difference}");
            }
        }

        differences.ShouldBeEmpty();
        cases.Count.ShouldBe(30);
        verdicts["valid"].ShouldStartWith("Valid: 12 blocks with 6 trades, 3 reconciliations and the checkpoint");
        // Each reconciliation case breaks the rule it names (so the agreement above covers every new reason).
        reasons["reconciliation household leaf changed"].ShouldBe("PayloadRootMismatch at 9, leaf ");
        reasons["re-signed reconciliation with sold not covered"].ShouldBe("SoldNotCovered at 9, leaf 1");
        reasons["re-signed reconciliation with unbalanced postings"].ShouldBe("PostingsUnbalanced at 9, leaf 3");
        reasons["re-signed reconciliation with traded energy changed"].ShouldBe("TradedEnergyMismatch at 10, leaf 2");
        reasons["re-signed reconciliation with a wrong utility amount"].ShouldBe("ImbalanceMismatch at 11, leaf 1");
        reasons["re-signed reconciliation with a version gap"].ShouldBe("ReconciliationVersionGap at 11, leaf 0");
        reasons["reconciliation names no clearing block"].ShouldBe("ClearingMissing at 9, leaf ");
    }

    [Fact]
    public async Task VerifyPage_LedgerWithClearedTrades_ShowsValidAndSummary()
    {
        await TradeIntervalAsync(offers: [(1500, 1500)], bids: [(1000, 2500)]);
        // The operator rotates the signing key between the two intervals: the browser follows the key event.
        var rotated = await fixture.App.Get<KeyRotationService>().RotateAsync();
        await TradeIntervalAsync(offers: [(800, 1200), (700, 1300)], bids: [(1200, 2000)]);
        await using var db = fixture.App.CreateDb();
        var blocks = await db.Blocks.CountAsync();
        var trades = await db.Trades.CountAsync();
        var reconciliations = await db.Blocks.CountAsync(b => b.Kind == (byte)BlockKind.Reconciliation);
        var page = await fixture.NewPageAsync();
        var phone = await fixture.NewPageAsync(390, 844);
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        await BrowserFixture.GotoLiveAsync(phone, "ledger/verify");

        var verdict = await VerifyAsync(page);
        var phoneVerdict = await VerifyAsync(phone);

        verdict.ShouldStartWith("Valid");
        phoneVerdict.ShouldStartWith("Valid");
        trades.ShouldBeGreaterThanOrEqualTo(3);
        await Assertions.Expect(page.GetByTestId("verify-progress")).ToContainTextAsync($"{N0(blocks)} of {N0(blocks)} blocks checked");
        await Assertions.Expect(page.GetByTestId("verify-summary")).ToContainTextAsync($"Blocks{N0(blocks)}");
        await Assertions.Expect(page.GetByTestId("verify-summary")).ToContainTextAsync($"Trades{N0(trades)}");
        await Assertions.Expect(page.GetByTestId("verify-summary")).ToContainTextAsync($"Reconciliations{N0(reconciliations)}");
        await Assertions.Expect(page.GetByTestId("verify-summary")).ToContainTextAsync(rotated.PreviousKeyId);
        await Assertions.Expect(page.GetByTestId("verify-summary")).ToContainTextAsync(rotated.KeyId);
        await BrowserFixture.ScreenshotAsync(phone, "41-verify-valid-narrow");
        await BrowserFixture.AssertAccessibleAsync(phone);
        await BrowserFixture.ScreenshotBothAsync(page, "40-verify-valid");
    }

    [Fact]
    public async Task VerifyPage_TradeLeafChangedInDatabase_InvalidAtThatBlockAndTradeUntilRestored()
    {
        var (_, tradeIds) = await TradeIntervalAsync(offers: [(600, 1100), (900, 1400)], bids: [(1400, 2200)]);
        await using var db = fixture.App.CreateDb();
        var lastTradeId = tradeIds[^1];
        var trade = await db.Trades.AsNoTracking().SingleAsync(t => t.Id == lastTradeId);
        var original = (await db.BlockLeaves.AsNoTracking().SingleAsync(l => l.BlockHeight == trade.BlockHeight && l.Index == trade.LeafIndex)).Data;
        var tampered = (byte[])original.Clone();
        // 1 kWh more than was traded (energy at offset 73 of the 97-byte trade leaf); the amount no longer follows.
        BinaryPrimitives.WriteInt64BigEndian(tampered.AsSpan(73), BinaryPrimitives.ReadInt64BigEndian(tampered.AsSpan(73)) + 1000);
        var page = await fixture.NewPageAsync();
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");

        string invalid;
        (int Exit, string Output) cliInvalid;
        await SetLeafAsync(db, trade, tampered);
        try
        {
            invalid = await VerifyAsync(page);
            await BrowserFixture.ScreenshotAsync(page, "42-verify-tampered");
            cliInvalid = RunCli("ledger", "verify", fixture.BaseAddress.ToString(), "--json");
        }
        finally
        {
            // Restored whatever happens: the other tests of this class share the app.
            await SetLeafAsync(db, trade, original);
        }

        var restored = await VerifyAsync(page);
        var cliRestored = RunCli("ledger", "verify", fixture.BaseAddress.ToString());

        trade.LeafIndex.ShouldBeGreaterThan(0);
        invalid.ShouldStartWith("Invalid");
        invalid.ShouldContain($"at block {trade.BlockHeight}, trade {trade.Id} (leaf {trade.LeafIndex})");
        invalid.ShouldContain("PayloadRootMismatch");
        restored.ShouldStartWith("Valid");
        cliInvalid.Exit.ShouldBe(1, cliInvalid.Output);
        using var json = JsonDocument.Parse(cliInvalid.Output);
        var failure = json.RootElement.GetProperty("failure");
        failure.GetProperty("height").GetInt64().ShouldBe(trade.BlockHeight);
        failure.GetProperty("tradeId").GetInt64().ShouldBe(trade.Id);
        cliRestored.Exit.ShouldBe(0, cliRestored.Output);
        cliRestored.Output.ShouldContain("every clearing replayed");
    }

    /// <summary>Runs the `market` command in-process, as an auditor would run it against the served app.</summary>
    private static (int Exit, string Output) RunCli(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(cli::Market.Cli.Commands.LedgerCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = root.Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString() + error);
    }

    /// <summary>Posts Anna's offers and Ben's bids (Wh, price in 1/10,000 per kWh) for the next open interval and
    /// clears it; returns the interval and the new trade ids.</summary>
    private async Task<(long Interval, long[] TradeIds)> TradeIntervalAsync((long Wh, long Price)[] offers, (long Wh, long Price)[] bids)
    {
        var orders = fixture.App.Get<OrderService>();
        var interval = fixture.App.Get<MarketClock>().FirstOpenInterval();
        var anna = await fixture.App.HouseholdAsync("anna@demo.energy");
        var ben = await fixture.App.HouseholdAsync("ben@demo.energy");
        foreach (var (wh, price) in offers)
        {
            (await orders.PlaceAsync(anna.Id, new PlaceOrder(OrderSide.Sell, wh, price, interval))).Succeeded.ShouldBeTrue();
        }

        foreach (var (wh, price) in bids)
        {
            (await orders.PlaceAsync(ben.Id, new PlaceOrder(OrderSide.Buy, wh, price, interval))).Succeeded.ShouldBeTrue();
        }

        await fixture.App.CloseGateAndClearAsync(interval);
        await using var db = fixture.App.CreateDb();
        var ids = await db.Trades.Where(t => t.IntervalStart == interval).OrderBy(t => t.Id).Select(t => t.Id).ToArrayAsync();
        ids.ShouldNotBeEmpty();
        return (interval, ids);
    }

    private static string N0(int value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Changes a sealed leaf the way someone with the database file could: the append-only trigger is no obstacle to
    /// them (they drop it first). What catches the change is the signed chain, in the browser.
    /// </summary>
    private static async Task SetLeafAsync(MarketDbContext db, TradeEntity trade, byte[] data)
    {
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER IF EXISTS \"BlockLeaves_no_update\"");
        (await db.Database.ExecuteSqlAsync($"UPDATE BlockLeaves SET Data = {data} WHERE BlockHeight = {trade.BlockHeight} AND \"Index\" = {trade.LeafIndex}")).ShouldBe(1);
    }

    /// <summary>Presses the button and waits for this run's verdict (the bar shows progress meanwhile).</summary>
    private static async Task<string> VerifyAsync(IPage page)
    {
        var start = page.GetByTestId("verify-start");
        var runs = int.Parse(await start.GetAttributeAsync("data-runs") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await start.ClickAsync();
        var result = page.Locator($"[data-testid=verify-result][data-run='{runs + 1}']");
        await result.WaitForAsync(new() { Timeout = 60_000 });
        // Let the button's colour transition finish, so screenshots show the settled page.
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running')");
        return (await result.InnerTextAsync()).Trim();
    }

    /// <summary>Null when the browser's result matches the C# one (without replay, which the browser leaves to the
    /// command line): validity, counts, reason, height, leaf and trade; a malformed export must name the same line.</summary>
    private static string? Compare(VerificationResult expected, JsonElement actual)
    {
        var valid = actual.GetProperty("valid").GetBoolean();
        if (expected.IsValid || valid)
        {
            return expected.IsValid == valid && actual.GetProperty("blocks").GetInt64() == expected.BlockCount
                && actual.GetProperty("trades").GetInt64() == expected.TradeCount
                && actual.GetProperty("reconciliations").GetInt64() == expected.ReconciliationCount
                ? null
                : $"C# {(expected.IsValid ? "valid" : expected.Failure)}, browser {actual}";
        }

        var failure = actual.GetProperty("failure");
        var e = expected.Failure!;
        string? Text(string name) => failure.GetProperty(name).ValueKind == JsonValueKind.Null ? null : failure.GetProperty(name).ToString();
        var same = Text("reason") == e.Reason.ToString()
            && Text("height") == e.Height?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && Text("leafIndex") == e.LeafIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && Text("tradeId") == e.TradeId?.ToString(System.Globalization.CultureInfo.InvariantCulture);

        if (e.Reason == VerificationFailureReason.MalformedExport)
        {
            same &= Text("message")!.StartsWith(e.Message[..e.Message.IndexOf(':', StringComparison.Ordinal)], StringComparison.Ordinal);
        }

        return same ? null : $"C# {e}, browser {failure}";
    }
}
