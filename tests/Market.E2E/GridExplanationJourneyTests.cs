using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// The app clearing under the grid's limits (grid-zonal), its network imported by the operator and an envelope sent by
/// the network operator through the API; three intervals in which Feeder F1 is full, in the first of them Anna's own
/// envelope too: Anna's offer cut by her envelope, then twice by the full feeder.
/// </summary>
public sealed class GridBrowserFixture : BrowserFixture
{
    private readonly SemaphoreSlim _once = new(1, 1);
    private bool _seeded;

    public GridBrowserFixture()
    {
        App.Settings["Community:Mechanism"] = "grid-zonal";
        App.Settings["Community:SameFeederFee"] = "50";
        App.Settings["Community:SameTransformerFee"] = "100";
        App.Settings["Community:AcrossTransformersFee"] = "200";
    }

    /// <summary>The network, the envelope and three cleared intervals, made once for the cases that read them.</summary>
    public async Task SeedAsync()
    {
        await _once.WaitAsync();
        try
        {
            if (!_seeded)
            {
                await SeedOnceAsync();
                _seeded = true;
            }
        }
        finally
        {
            _once.Release();
        }
    }

    private async Task SeedOnceAsync()
    {
        var anna = await App.HouseholdAsync("anna@demo.energy");
        var ben = await App.HouseholdAsync("ben@demo.energy");
        var sol = await App.CreateHouseholdAsync("sol@grid.example");
        await App.CreateNetworkOperatorAsync("dso@grid.example");
        using (var scope = App.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<MarketUser>>();
            (await users.AddPasswordAsync((await users.FindByEmailAsync("dso@grid.example"))!, "sunny-rooftops-2026")).Succeeded.ShouldBeTrue();
        }

        using var http = new HttpClient { BaseAddress = BaseAddress };

        var network = "node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id\n" +
            "ROOT,,community,,,\n" +
            "T1,ROOT,transformer,250000,250000,\n" +
            "F1,T1,feeder,4000,60000,\n" +
            "F2,T1,feeder,40000,60000,\n" +
            $"C-ANNA,F1,connection,10000,12000,{anna.MeterId}\n" +
            $"C-SOL,F1,connection,10000,12000,{sol.MeterId}\n" +
            $"C-BEN,F2,connection,10000,12000,{ben.MeterId}\n";
        await SendAsync(http, "operator@demo.energy", HttpMethod.Put, "api/grid/network", network, "text/csv");

        var clock = App.Get<MarketClock>();
        var first = clock.FirstOpenInterval();
        static string Iso(long s) => DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var envelope = $"{{\"envelopes\":[{{\"node\":\"C-ANNA\",\"start\":\"{Iso(first)}\",\"end\":\"{Iso(clock.Next(first))}\",\"exportLimitW\":2400,\"event\":\"DOE-42\"}}]}}";
        await SendAsync(http, "dso@grid.example", HttpMethod.Post, "api/grid/envelopes", envelope, "application/json");

        for (var i = 0; i < 3; i++)
        {
            var interval = clock.FirstOpenInterval();
            // First Anna's envelope cuts her cheaper offer and the feeder Sol's; later the feeder cuts Anna's dearer one.
            (await App.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1000, i == 0 ? 1000 : 1200, interval))).Succeeded.ShouldBeTrue();
            (await App.PlaceSignedAsync(sol, new PlaceOrder(OrderSide.Sell, 2000, 1100, interval))).Succeeded.ShouldBeTrue();
            (await App.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 2500, 3000, interval))).Succeeded.ShouldBeTrue();
            await App.CloseGateAndClearAsync(interval);
        }
    }

    private async Task SendAsync(HttpClient http, string email, HttpMethod method, string path, string body, string mediaType)
    {
        string userId;
        await using (var db = App.CreateDb())
        {
            userId = (await db.Users.SingleAsync(u => u.Email == email)).Id;
        }

        var (_, token) = await App.Get<Market.Web.Accounts.ApiTokenService>().CreateAsync(userId, "e2e");
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.IsSuccessStatusCode.ShouldBeTrue($"{method} {path}: {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>
/// Under the grid's limits, on a desktop in English and on a phone in German: a household reads why its offer was cut
/// (its connection's envelope, with the network operator's event) and why its trade's price is its zone's; the manager
/// sees the full feeder per interval, when it was full with its zone's and the community's prices, and what the
/// network operator collected; the network operator sees its envelope applied and bound; an auditor sees the
/// clearing block's zones and the community's residual.
/// </summary>
public sealed class GridExplanationJourneyTests(GridBrowserFixture fixture) : IClassFixture<GridBrowserFixture>
{
    [Theory]
    [InlineData(1440, 900, "en-GB")]
    [InlineData(390, 844, "de-DE")]
    public async Task Journey_GridCutsAnOffer_HouseholdReadsWhyAndManagerSeesTheFullFeeder(int width, int height, string locale)
    {
        await fixture.SeedAsync();
        var culture = CultureInfo.GetCultureInfo(locale == "en-GB" ? "en" : locale);
        var name = $"{(width < 600 ? "narrow" : "wide")}-{locale}";

        var household = await fixture.NewPageAsync(width, height, locale);
        await BrowserFixture.SignInAsync(household, "anna@demo.energy");
        await BrowserFixture.GotoLiveAsync(household, "market");

        await Assertions.Expect(household.GetByTestId("order-explanation").Last)
            .ToContainTextAsync($"Limited by your connection's export limit of {Units.Power(2400, culture)} from the network operator (event DOE-42)");
        await Assertions.Expect(household.GetByTestId("order-explanation").First).ToContainTextAsync("Feeder F1 was full");
        await Assertions.Expect(household.GetByTestId("trade-explanation").First).ToContainTextAsync("A full line split the zones, so the buyer paid more");
        await BrowserFixture.ScreenshotAsync(household, $"60-grid-explained-{name}");
        await BrowserFixture.AssertAccessibleAsync(household);
        await BrowserFixture.AssertFitsWidthAsync(household);

        // Ben bought across the full feeder: his statement says what of it went to the network operator.
        var buyer = await fixture.NewPageAsync(width, height, locale);
        await BrowserFixture.SignInAsync(buyer, "ben@demo.energy");
        await BrowserFixture.GotoLiveAsync(buyer, "statement");
        await Assertions.Expect(buyer.GetByTestId("flow-network-share")).ToContainTextAsync("to the network operator");
        await BrowserFixture.ScreenshotAsync(buyer, $"60-grid-statement-{name}");
        await BrowserFixture.AssertFitsWidthAsync(buyer);

        var manager = await fixture.NewPageAsync(width, height, locale);
        await BrowserFixture.SignInAsync(manager, "manager@demo.energy");
        await BrowserFixture.GotoLiveAsync(manager, "congestion");

        await Assertions.Expect(manager.GetByTestId("congestion-count")).ToHaveTextAsync("3 of 3");
        await Assertions.Expect(manager.GetByTestId("congestion-period")).ToHaveCountAsync(1);   // three intervals in a row: one period
        await Assertions.Expect(manager.GetByTestId("congestion-period")).ToContainTextAsync("Feeder F1");
        await Assertions.Expect(manager.GetByTestId("congestion-period")).ToContainTextAsync(Units.Power(4000, culture));
        await Assertions.Expect(manager.GetByTestId("congestion-operator")).ToContainTextAsync("€");
        var chart = manager.GetByTestId(width < 600 ? "line-chart-compact" : "line-chart");
        await Assertions.Expect(chart.First).ToBeVisibleAsync();
        (await manager.Locator($"[data-testid={(width < 600 ? "line-chart-compact" : "line-chart")}] [data-testid=line-bar-congested]").CountAsync()).ShouldBe(3);
        await BrowserFixture.ScreenshotAsync(manager, $"61-congestion-{name}");
        await BrowserFixture.AssertAccessibleAsync(manager);
        await BrowserFixture.AssertFitsWidthAsync(manager);

        var networkOperator = await fixture.NewPageAsync(width, height, locale);
        await BrowserFixture.SignInAsync(networkOperator, "dso@grid.example");
        await BrowserFixture.GotoLiveAsync(networkOperator, "grid/envelopes");
        var line = networkOperator.Locator("[data-testid=grid-line][data-node=C-ANNA]").First;
        await Assertions.Expect(line).ToContainTextAsync(locale == "de-DE" ? "100,0 %" : "100.0 %");
        await Assertions.Expect(line).ToContainTextAsync("bound");
        await BrowserFixture.ScreenshotAsync(networkOperator, $"62-grid-envelopes-{name}");
        await BrowserFixture.AssertFitsWidthAsync(networkOperator);
        await BrowserFixture.AssertAccessibleAsync(networkOperator);

        long clearing;
        await using (var db = fixture.App.CreateDb())
        {
            clearing = await db.Blocks.Where(b => b.Kind == (byte)Market.Ledger.BlockKind.Clearing).OrderBy(b => b.Height).Select(b => b.Height).FirstAsync();
        }

        var auditor = await fixture.NewPageAsync(width, height, locale);
        await BrowserFixture.GotoLiveAsync(auditor, $"ledger/blocks/{clearing}");
        await Assertions.Expect(auditor.GetByTestId("zone-table")).ToBeVisibleAsync();
        await Assertions.Expect(auditor.GetByTestId("residual-summary")).ToContainTextAsync("Net injection between");
        await Assertions.Expect(auditor.GetByTestId("residual-row")).ToHaveCountAsync(4);   // one export step, three import steps
        await BrowserFixture.ScreenshotAsync(auditor, $"63-grid-block-{name}");
        await BrowserFixture.AssertFitsWidthAsync(auditor);
        await BrowserFixture.AssertAccessibleAsync(auditor);
    }
}
