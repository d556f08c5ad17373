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
        var export = SharedTamperCases.Export(file);
        var (start, end) = SharedTamperCases.BrowserVerdict(file);
        var page = await fixture.NewPageAsync();
        // The page downloads the export, and the checkpoint only to size its progress bar: both come from the file.
        await page.RouteAsync("**/api/ledger/export", route => route.FulfillAsync(new() { Status = 200, ContentType = "application/x-ndjson", Body = export }));
        await page.RouteAsync("**/api/ledger/checkpoint", route => route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = export.TrimEnd('\n').Split('\n')[^1] }));
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");

        var verdict = await BrowserFixture.VerifyAsync(page);

        verdict.ShouldStartWith(start);
        verdict.ShouldEndWith(end);
        // The bundle ran under the page's Content-Security-Policy without anything blocked.
        await BrowserFixture.AssertNoPolicyViolationsAsync(page);
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
            cliInvalid = RunCli("ledger", "verify", fixture.BaseAddress.ToString(), "--json");
        }
        finally
        {
            // Restored whatever happens: the other tests of this class share the app.
            await SetLeafAsync(db, trade, original);
        }

        var restored = await BrowserFixture.VerifyAsync(page);
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
}
