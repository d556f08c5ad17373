using Market.Web.Tests.Support;
using System.Buffers.Binary;
using System.Text.Json;
using Market.E2E.Verifier;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// The in-browser verifier (/ledger/verify, wwwroot/js/verifier.js) in Chromium, for what needs a browser: the page
/// verifies the app's own ledger, finds a trade changed behind its back in the database, and shows the shared tamper
/// cases' verdicts, with the bundle loaded under the Content-Security-Policy. The verifier's checks themselves (every
/// tamper case, the published vectors) run without a browser: src/Market.Web/verifier/test, `npm test`.
/// </summary>
public sealed class InBrowserVerifierTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData("sample-valid.jsonl")]
    [InlineData("chain-trade-energy-raw.jsonl")]
    [InlineData("sample-not-hex.jsonl")]
    public async Task VerifyPage_SharedTamperCaseServedAsTheExport_ShowsTheManifestVerdict(string file)
    {
        var (start, end) = SharedTamperCases.BrowserVerdict(file);
        var page = await VerifyPageServingAsync(file);

        var verdict = await BrowserFixture.VerifyAsync(page);

        verdict.ShouldStartWith(start);
        verdict.ShouldEndWith(end);
        // The bundle ran under the page's Content-Security-Policy without anything blocked.
        await BrowserFixture.AssertNoPolicyViolationsAsync(page);
    }

    [Theory]
    [InlineData("reconciliation-valid.jsonl", "reconciliation.openings.jsonl", "10 opened household records checked, 2 of 2 checked in full.")]
    [InlineData("reconciliation-opening-that-does-not-match-its-commitment.jsonl", "reconciliation-opening-that-does-not-match-its-commitment.openings.jsonl", "[OpeningMismatch]")]
    public async Task VerifyPage_OpeningsFilePicked_ChecksTheOpenedRecordsInTheBrowser(string file, string openings, string expected)
    {
        var page = await VerifyPageServingAsync(file);
        await page.GetByTestId("verify-openings").SetInputFilesAsync(SharedTamperCases.PathOf(openings));

        var verdict = await BrowserFixture.VerifyAsync(page);

        verdict.ShouldEndWith(expected);
        if (verdict.StartsWith("Valid", StringComparison.Ordinal))
        {
            await Assertions.Expect(page.GetByTestId("verify-openings-checked")).ToContainTextAsync("10 of 10 opened and checked; 2 reconciliations checked in full");
            await BrowserFixture.ScreenshotAsync(page, "43-verify-with-openings");
        }
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

        var verdict = await BrowserFixture.VerifyAsync(page);
        var phoneVerdict = await BrowserFixture.VerifyAsync(phone);

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
            invalid = await BrowserFixture.VerifyAsync(page);
            await BrowserFixture.ScreenshotAsync(page, "42-verify-tampered");
            cliInvalid = RunCli("ledger", "verify", fixture.BaseAddress.ToString(), "--json", "--known-ledgers", fixture.KnownLedgers);
        }
        finally
        {
            // Restored whatever happens: the other tests of this class share the app.
            await SetLeafAsync(db, trade, original);
        }

        var restored = await BrowserFixture.VerifyAsync(page);
        var cliRestored = RunCli("ledger", "verify", fixture.BaseAddress.ToString(), "--known-ledgers", fixture.KnownLedgers);

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

    [Fact]
    public async Task VerifyPage_AnotherLedgerServedAtTheSameOriginLater_SaysItIsNotTheLedgerCheckedBefore()
    {
        var genesis = await GenesisKeyIdAsync();
        var page = await fixture.NewPageAsync();
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        (await BrowserFixture.VerifyAsync(page)).ShouldStartWith("Valid");
        await Assertions.Expect(AnchorResult(page)).ToContainTextAsync($"First check of this ledger in this browser. Its genesis key id is {genesis}.");
        // Later, the same origin serves another ledger: one anybody could seal with a fresh key.
        await ServeAsync(page, "chain-valid.jsonl");
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        await Assertions.Expect(page.GetByTestId("remembered-ledger")).ToContainTextAsync(genesis);

        var verdict = await BrowserFixture.VerifyAsync(page);

        verdict.ShouldStartWith("Invalid at block 0:");
        await Assertions.Expect(AnchorResult(page)).ToHaveAttributeAsync("data-status", "other-ledger");
        await Assertions.Expect(AnchorResult(page)).ToContainTextAsync("This is not the ledger you checked before.");
        await Assertions.Expect(AnchorResult(page)).ToContainTextAsync($"has {genesis}.");
        await Assertions.Expect(page.GetByTestId("remembered-ledger")).ToContainTextAsync(genesis);
        await BrowserFixture.ScreenshotAsync(page, "43-verify-other-ledger-wide");
        await BrowserFixture.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task VerifyPage_AnotherLedgerInAnotherTabOnAPhone_SameWarningFromTheSameMemory()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        (await BrowserFixture.VerifyAsync(page)).ShouldStartWith("Valid");
        // Another tab of the same browser (localStorage is per origin, not per tab), on a phone's width.
        var phone = await page.Context.NewPageAsync();
        await phone.SetViewportSizeAsync(390, 844);
        await ServeAsync(phone, "chain-valid.jsonl");
        await BrowserFixture.GotoLiveAsync(phone, "ledger/verify");

        (await BrowserFixture.VerifyAsync(phone)).ShouldStartWith("Invalid at block 0:");

        await Assertions.Expect(AnchorResult(phone)).ToContainTextAsync("This is not the ledger you checked before.");
        await BrowserFixture.ScreenshotAsync(phone, "43-verify-other-ledger-narrow");
        await BrowserFixture.AssertFitsWidthAsync(phone);
        await BrowserFixture.AssertAccessibleAsync(phone);
    }

    [Fact]
    public async Task VerifyPage_RewrittenHistoryServedLater_SaysTheHistoryCheckedBeforeWasRewritten()
    {
        var page = await CheckedOnceAsync("chain-valid.jsonl");
        // The same genesis key, every block re-signed with it: valid on its own, but not the history checked before.
        await ServeAsync(page, "chain-complete-re-signed-fork-no-kept-checkpoint.jsonl");
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");

        var verdict = await BrowserFixture.VerifyAsync(page);

        verdict.ShouldEndWith("[NotConsistent]");
        await Assertions.Expect(AnchorResult(page)).ToHaveAttributeAsync("data-status", "rewritten");
        await Assertions.Expect(AnchorResult(page)).ToContainTextAsync("The history you checked before has been rewritten.");
        await BrowserFixture.ScreenshotBothAsync(page, "44-verify-rewritten");
    }

    [Fact]
    public async Task VerifyPage_RememberedLedgerForgotten_NextCheckIsAFirstCheckAgain()
    {
        var page = await CheckedOnceAsync("chain-valid.jsonl");
        await ServeAsync(page, "sample-valid.jsonl");
        (await BrowserFixture.VerifyAsync(page)).ShouldStartWith("Invalid at block 0:");

        await page.GetByTestId("forget").ClickAsync();
        await page.GetByTestId("forget-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("remembered-ledger")).ToContainTextAsync("This browser has not checked this ledger before (you just made it forget)");
        var verdict = await BrowserFixture.VerifyAsync(page);

        verdict.ShouldStartWith("Valid");
        await Assertions.Expect(AnchorResult(page)).ToHaveAttributeAsync("data-status", "first-contact");
    }

    [Fact]
    public async Task LedgerPages_GenesisKeyId_ShownOnTheLedgerBlockAndVerifyPages()
    {
        var genesis = await GenesisKeyIdAsync();
        var page = await fixture.NewPageAsync();

        foreach (var path in new[] { "ledger", "ledger/blocks/0", "ledger/verify" })
        {
            await BrowserFixture.GotoLiveAsync(page, path);
            await Assertions.Expect(page.GetByTestId("genesis-key-id")).ToHaveTextAsync(genesis);
        }

        await BrowserFixture.GotoLiveAsync(page, "ledger");
        await BrowserFixture.ScreenshotBothAsync(page, "45-ledger-genesis-key");
    }

    private static ILocator AnchorResult(IPage page) => page.GetByTestId("anchor-result");

    /// <summary>A new browser that has checked this shared tamper case's (valid) export once, as the ledger here.</summary>
    private async Task<IPage> CheckedOnceAsync(string file)
    {
        var page = await fixture.NewPageAsync();
        await ServeAsync(page, file);
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        (await BrowserFixture.VerifyAsync(page)).ShouldStartWith("Valid");
        return page;
    }

    /// <summary>From now on the page gets this shared tamper case's export as the ledger (and its checkpoint).</summary>
    private static async Task ServeAsync(IPage page, string file)
    {
        var export = SharedTamperCases.Export(file);
        await page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.Wait });
        await page.RouteAsync("**/api/ledger/export", route => route.FulfillAsync(new() { Status = 200, ContentType = "application/x-ndjson", Body = export }));
        await page.RouteAsync("**/api/ledger/checkpoint", route => route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = export.TrimEnd('\n').Split('\n')[^1] }));
    }

    private async Task<string> GenesisKeyIdAsync()
    {
        var keys = await fixture.App.Get<LedgerReader>().KeyHistoryAsync();
        return Convert.ToHexStringLower(keys[0].Record.KeyId());
    }

    /// <summary>The verify page, with a shared tamper case served as the export (and the checkpoint, which only sizes
    /// the progress bar).</summary>
    private async Task<IPage> VerifyPageServingAsync(string file)
    {
        var page = await fixture.NewPageAsync();
        await ServeAsync(page, file);
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        return page;
    }

    /// <summary>Runs the `market` command in-process, as an auditor would run it against the served app.</summary>
    private static (int Exit, string Output) RunCli(params string[] args) => LedgerCli.Run(null, args);

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
            (await fixture.App.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, wh, price, interval))).Succeeded.ShouldBeTrue();
        }

        foreach (var (wh, price) in bids)
        {
            (await fixture.App.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, wh, price, interval))).Succeeded.ShouldBeTrue();
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
}
