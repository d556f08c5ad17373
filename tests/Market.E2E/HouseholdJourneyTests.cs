using Market.Ledger;
using Microsoft.Playwright;

namespace Market.E2E;

public sealed class HouseholdJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Journey_RegisterSetUpSiteOfferBidClear_BothSeeTradeStatementAndVerifiableReceipt()
    {
        var page = await fixture.NewPageAsync();
        var interval = fixture.App.Get<MarketClock>().FirstOpenInterval();

        // Register and confirm (demo mode shows the link instead of sending mail).
        await page.GotoAsync("account/register");
        await BrowserFixture.ScreenshotBothAsync(page, "10-register");
        await page.Locator("#name").FillAsync("Carla's roof");
        await page.Locator("#email").FillAsync("carla@example.org");
        await page.Locator("#password").FillAsync("Rooftop-Solar-2026");
        await page.Locator("#confirm").FillAsync("Rooftop-Solar-2026");
        await page.Locator("#pv").FillAsync("4");
        await page.Locator("#import").FillAsync("9");
        await page.GetByTestId("register-submit").ClickAsync();
        await page.GetByTestId("confirm-link").ClickAsync();
        await page.GetByTestId("confirmed").WaitForAsync();

        // Sign in, set up the site.
        await BrowserFixture.SignInAsync(page, "carla@example.org", "Rooftop-Solar-2026");
        await BrowserFixture.GotoLiveAsync(page, "account");
        await page.Locator("#site-pv").FillAsync("6");
        await page.GetByTestId("save-site").ClickAsync();
        await Assertions.Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotBothAsync(page, "11-account");

        // Post an offer.
        await BrowserFixture.GotoLiveAsync(page, "market");
        await page.Locator("#order-energy").FillAsync("1.2");
        await page.Locator("#order-price").FillAsync("14");
        await page.GetByTestId("place-order").ClickAsync();
        await Assertions.Expect(page.GetByTestId("order-row")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotBothAsync(page, "12-market-offer");

        // A second household bids.
        var ben = await fixture.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(ben, "ben@demo.energy");
        await BrowserFixture.GotoLiveAsync(ben, "market");
        await ben.GetByTestId("side").GetByText("Buy (bid)").ClickAsync();
        await ben.Locator("#order-energy").FillAsync("1");
        await ben.Locator("#order-price").FillAsync("30");
        await ben.GetByTestId("place-order").ClickAsync();
        await Assertions.Expect(ben.GetByTestId("order-row")).ToHaveCountAsync(1);

        // The interval clears; both pages update without reload.
        await fixture.App.CloseGateAndClearAsync(interval);
        await Assertions.Expect(page.GetByTestId("trade-row")).ToHaveCountAsync(1);
        await Assertions.Expect(ben.GetByTestId("trade-row")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("order-explanation")).ToContainTextAsync("You were the marginal seller: 1.000 kWh of 1.200 kWh sold");
        await Assertions.Expect(page.GetByTestId("trade-row").First).ToContainTextAsync("Sold");
        await Assertions.Expect(page.GetByTestId("trade-row").First).ToContainTextAsync("1.000 kWh");
        await Assertions.Expect(page.GetByTestId("trade-row").First).ToContainTextAsync("14.00 ct/kWh");
        await Assertions.Expect(ben.GetByTestId("trade-row").First).ToContainTextAsync("Bought");
        var blockOfTheTrade = await page.GetByTestId("trade-row").First.GetByTestId("block-link").GetAttributeAsync("href") ?? "";
        await BrowserFixture.ScreenshotBothAsync(page, "13-market-traded");

        // Statements.
        await BrowserFixture.GotoLiveAsync(page, "statement");
        await Assertions.Expect(page.GetByTestId("sold")).ToHaveTextAsync("1.000 kWh");
        await BrowserFixture.ScreenshotBothAsync(page, "14-statement-seller");
        await BrowserFixture.GotoLiveAsync(ben, "statement");
        await Assertions.Expect(ben.GetByTestId("bought")).ToHaveTextAsync("1.000 kWh");
        var csv = await ben.APIRequest.GetAsync(await ben.GetByTestId("statement-csv").GetAttributeAsync("href") ?? "");
        (await csv.TextAsync()).ShouldContain(",bought,1,14,");

        // The receipt downloads and verifies on its own.
        await BrowserFixture.GotoLiveAsync(page, "market");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("receipt-link").First.ClickAsync());
        var json = await File.ReadAllTextAsync(await download.PathAsync());
        var verification = TradeReceipt.FromJson(json).Verify();
        verification.IsValid.ShouldBeTrue(verification.Failure?.ToString());
        verification.Trade!.Value.EnergyWh.ShouldBe(1000);

        // Other pages, as anyone sees them; the trade's block verifies in the visitor's browser.
        var visitor = await fixture.NewPageAsync();
        await visitor.GotoAsync(blockOfTheTrade);
        await Assertions.Expect(visitor.GetByTestId("block-verdict")).ToContainTextAsync("Verified");
        await Assertions.Expect(visitor.GetByTestId("leaf-row")).ToHaveCountAsync(1);
        foreach (var (path, name) in new[] { ("", "15-home"), ("ledger", "16-ledger"), ("ledger/blocks/3", "17-block"), ("account/login", "18-login") })
        {
            await visitor.GotoAsync(path);
            await BrowserFixture.ScreenshotBothAsync(visitor, name);
        }
    }

    [Fact]
    public async Task Journey_KeysSignedOrdersSecondDeviceAndAnOmittedOrder_TheHouseholdHoldsTheProof()
    {
        var page = await fixture.NewPageAsync();
        var interval = fixture.App.Get<MarketClock>().FirstOpenInterval();
        await page.GotoAsync("account/register");
        await page.Locator("#name").FillAsync("Dora's roof");
        await page.Locator("#email").FillAsync("dora@example.org");
        await page.Locator("#password").FillAsync("Rooftop-Solar-2026");
        await page.Locator("#confirm").FillAsync("Rooftop-Solar-2026");
        await page.Locator("#pv").FillAsync("5");
        await page.Locator("#import").FillAsync("9");
        await page.GetByTestId("register-submit").ClickAsync();
        await page.GetByTestId("confirm-link").ClickAsync();
        await page.GetByTestId("confirmed").WaitForAsync();

        // The first sign-in makes this browser's key (and the recovery key), shown as a recovery code on the page
        // the household lands on. Making the keys loads the key module, writes IndexedDB and submits the enrolments:
        // on two cores busy with other tests that can take longer than the usual 15 s.
        await BrowserFixture.SignInAsync(page, "dora@example.org", "Rooftop-Solar-2026");
        await page.GetByTestId("recovery-code").WaitForAsync(new() { Timeout = 60_000 });
        var code = await page.GetByTestId("recovery-code").TextContentAsync() ?? "";
        code.Replace("-", "", StringComparison.Ordinal).Length.ShouldBe(26);
        // Leaving that page before confirming does not lose the code: the next page shows it again, until confirmed.
        await BrowserFixture.GotoLiveAsync(page, "market");
        await Assertions.Expect(page.GetByTestId("recovery-code")).ToHaveTextAsync(code, new() { Timeout = 60_000 });
        await BrowserFixture.ScreenshotBothAsync(page, "60-recovery-code");
        await page.GetByTestId("recovery-code-done").ClickAsync();
        await BrowserFixture.GotoLiveAsync(page, "market");

        // Posting is as before; the browser signs, and keeps the market's receipt.
        await page.Locator("#order-energy").FillAsync("1.1");
        await page.Locator("#order-price").FillAsync("13");
        await page.GetByTestId("place-order").ClickAsync();
        await Assertions.Expect(page.GetByTestId("order-row")).ToHaveCountAsync(1);
        // The order was signed, so this page's key check ran: a confirmed code is not shown again.
        await Assertions.Expect(page.GetByTestId("recovery-code")).ToHaveCountAsync(0);
        var dora = await fixture.App.HouseholdAsync("dora@example.org");
        long dropped;
        await using (var db = fixture.App.CreateDb())
        {
            var keys = db.HouseholdKeys.Where(k => k.HouseholdId == dora.Id).ToList();
            keys.Select(k => k.Role).Order().ShouldBe([(byte)HouseholdKeyRole.Device, (byte)HouseholdKeyRole.Recovery]);
            var order = db.Orders.Single(o => o.HouseholdId == dora.Id);
            OrderAuthorization.TryDecode(order.Authorization, out var authorization, out _).ShouldBeTrue();
            ((SignedOrder)authorization!).Signature.KeyId.ShouldBe(keys.Single(k => k.Role == (byte)HouseholdKeyRole.Device).KeyId);
            dropped = order.Id;
        }

        // A second browser is a second device: it asks, the first approves, and then it signs too.
        var phone = await fixture.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(phone, "dora@example.org", "Rooftop-Solar-2026");
        await BrowserFixture.GotoLiveAsync(phone, "market");
        await Assertions.Expect(phone.GetByTestId("device-not-authorised")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(phone, "61-device-waiting-390");
        await BrowserFixture.GotoLiveAsync(page, "account");
        await Assertions.Expect(page.GetByTestId("signing-explained")).ToContainTextAsync("recovery code");
        await page.GetByTestId("approve-device").ClickAsync();
        await Assertions.Expect(page.GetByTestId("device-key")).ToHaveCountAsync(3);
        await BrowserFixture.ScreenshotBothAsync(page, "62-devices");
        await BrowserFixture.AssertAccessibleAsync(page);
        await phone.GetByTestId("check-approval").ClickAsync();
        await Assertions.Expect(phone.GetByTestId("device-not-authorised")).ToHaveCountAsync(0);
        await phone.GetByTestId("side").GetByText("Buy (bid)").ClickAsync();
        await phone.Locator("#order-energy").FillAsync("0.4");
        await phone.Locator("#order-price").FillAsync("9");
        await phone.GetByTestId("place-order").ClickAsync();
        await Assertions.Expect(phone.GetByTestId("order-row")).ToHaveCountAsync(2);

        // The operator leaves the first device's receipted order out of the sealed book; that device finds out.
        fixture.App.Get<DishonestOperator>().DropFromBook(dropped);
        await fixture.App.CloseGateAndClearAsync(interval);
        await BrowserFixture.GotoLiveAsync(page, "market");
        await Assertions.Expect(page.GetByTestId("omission-alarm")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotBothAsync(page, "63-omission");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-omission-proof").ClickAsync());
        var file = await download.PathAsync();

        // The proof stands on its own: the library and the command line both confirm it against the operator's key.
        var verdict = OmissionProof.VerifyJson(await File.ReadAllTextAsync(file), [fixture.App.Get<LedgerWriter>().Key.KeyId]);
        verdict.IsValid.ShouldBeTrue(verdict.Failure?.ToString());
        verdict.Omission.ShouldBe(OmissionKind.Missing);
        var (exit, output) = LedgerCli.Run(null, "ledger", "verify-proof", file, "--trust", Convert.ToHexStringLower(fixture.App.Get<LedgerWriter>().Key.KeyId));
        exit.ShouldBe(0, output);
        output.ShouldContain("does not contain it");
    }
}
