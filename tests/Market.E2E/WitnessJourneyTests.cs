using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>The app with the demo's own two witnesses, as <c>dotnet run</c> starts it.</summary>
public sealed class WitnessedBrowserFixture : IAsyncLifetime
{
    public BrowserFixture Browser { get; } = new();

    public async Task InitializeAsync()
    {
        Browser.App.Settings["Witnessing:DemoWitnesses"] = "2";
        Browser.App.Settings["Witnessing:RetrySeconds"] = "1";
        await Browser.InitializeAsync();
    }

    public Task DisposeAsync() => Browser.DisposeAsync();
}

/// <summary>
/// The whole witnessing flow in the browser (docs/witnesses.md): the demo's witnesses fetch, replay and cosign each
/// checkpoint, the ledger page says who vouched and that these witnesses prove nothing, and the in-browser verifier
/// checks the cosignatures against the sealed policy.
/// </summary>
public sealed class WitnessJourneyTests(WitnessedBrowserFixture witnessed) : IClassFixture<WitnessedBrowserFixture>
{
    private readonly BrowserFixture _fixture = witnessed.Browser;

    [Fact]
    public async Task LedgerAndVerifyPages_DemoWitnesses_ShowWhoVouchedAndThatTheyProveNothing()
    {
        await _fixture.App.TradeAndClearAsync();
        await WaitWitnessedAsync();
        var page = await _fixture.NewPageAsync();
        var phone = await _fixture.NewPageAsync(390, 844, "de-DE");

        await BrowserFixture.GotoLiveAsync(page, "ledger");
        await BrowserFixture.GotoLiveAsync(phone, "ledger");

        await Assertions.Expect(page.GetByTestId("witness-summary")).ToContainTextAsync("Witnessed by 2 of 2: demo-witness-1, demo-witness-2");
        await Assertions.Expect(page.GetByTestId("demo-witnesses")).ToContainTextAsync("they prove nothing about the operator");
        await Assertions.Expect(page.GetByTestId("witness-row")).ToHaveCountAsync(2);
        await Assertions.Expect(phone.GetByTestId("witness-summary")).ToContainTextAsync("Witnessed by 2 of 2");
        await BrowserFixture.ScreenshotBothAsync(page, "95-ledger-witnesses");
        await BrowserFixture.ScreenshotAsync(phone, "96-ledger-witnesses-phone-de");
        await BrowserFixture.AssertFitsWidthAsync(phone);
        await BrowserFixture.GotoLiveAsync(page, "ledger/verify");
        var verdict = await BrowserFixture.VerifyAsync(page);
        verdict.ShouldStartWith("Valid");
        await Assertions.Expect(page.GetByTestId("verify-witnesses")).ToContainTextAsync("witnessed by 2 of 2: demo-witness-1, demo-witness-2 (the sealed policy)");
        await BrowserFixture.ScreenshotAsync(page, "97-verify-witnesses");
    }

    private async Task WaitWitnessedAsync()
    {
        var publication = _fixture.App.Get<LedgerPublication>();
        var notes = _fixture.App.Get<CheckpointNotes>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var latest = await publication.LatestCheckpointAsync();
            if (latest is not null && await notes.NoteAsync(latest) is { QuorumMet: true })
            {
                return;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "the demo witnesses did not cosign the newest checkpoint in time");
            await Task.Delay(50);
        }
    }
}
