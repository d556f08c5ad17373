using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>An operator rotates the signing key from the browser; the ledger's own page then shows both keys.</summary>
public sealed class OperatorSigningKeyJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Journey_OperatorRotatesTheKey_ConfirmationThenNewKeyInUseAndInTheLedger()
    {
        var old = Convert.ToHexStringLower(fixture.App.Get<SigningKeyStore>().Key.KeyId);
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "operator@demo.energy");
        await BrowserFixture.GotoLiveAsync(page, "operator/signing-key");
        await Assertions.Expect(page.GetByTestId("current-key")).ToContainTextAsync(old);
        await BrowserFixture.ScreenshotBothAsync(page, "70-signing-key");

        await page.GetByTestId("rotate").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rotate-confirm")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "71-signing-key-confirm-wide");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.GetByTestId("rotate-now").ClickAsync();

        await Assertions.Expect(page.GetByTestId("rotated")).ToContainTextAsync("Back up the key file");
        var current = Convert.ToHexStringLower(fixture.App.Get<SigningKeyStore>().Key.KeyId);
        current.ShouldNotBe(old);
        await Assertions.Expect(page.GetByTestId("current-key")).ToContainTextAsync(current);
        await Assertions.Expect(page.GetByTestId("key-history").Locator("tbody tr")).ToHaveCountAsync(3);
        await BrowserFixture.ScreenshotAsync(page, "72-signing-key-rotated-wide");
        await BrowserFixture.AssertAccessibleAsync(page);

        // What auditors see: the ledger lists the retired key and the new one.
        await BrowserFixture.GotoLiveAsync(page, "ledger");
        await Assertions.Expect(page.GetByTestId("keys")).ToContainTextAsync(current[..12]);
        await Assertions.Expect(page.GetByTestId("keys")).ToContainTextAsync("retired");
    }
}
