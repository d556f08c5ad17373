using System.Text;
using System.Text.Json;
using Market.Web.Grid;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>A grid-zonal market with one interval cleared under a feeder's capacity and an envelope, in a browser.</summary>
public sealed class EnvelopesBrowserFixture : IAsyncLifetime
{
    public const string NetworkOperator = "dso@grid.example";

    public BrowserFixture Browser { get; } = new();

    public async Task InitializeAsync()
    {
        var app = Browser.App;
        app.Settings["Community:Mechanism"] = "grid-zonal";
        await Browser.InitializeAsync();
        await app.CreateNetworkOperatorAsync(NetworkOperator);
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<MarketUser>>();
            (await users.AddPasswordAsync((await users.FindByEmailAsync(NetworkOperator))!, "sunny-rooftops-2026")).Succeeded.ShouldBeTrue();
        }

        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var network = await NetworkDefinitionParser.ParseCsvAsync(new StringReader(
            "node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id\n" +
            "ROOT,,community,,,\n" +
            "TX-NORTH-0001,ROOT,transformer,250000,250000,\n" +
            "FEEDER-NORTH-ELM-STREET,TX-NORTH-0001,feeder,4000,60000,\n" +
            "FEEDER-NORTH-OAK-AVENUE,TX-NORTH-0001,feeder,40000,60000,\n" +
            $"CONNECTION-ELM-STREET-12,FEEDER-NORTH-ELM-STREET,connection,10000,12000,{anna.MeterId}\n" +
            $"CONNECTION-OAK-AVENUE-7,FEEDER-NORTH-OAK-AVENUE,connection,10000,12000,{ben.MeterId}\n"), CancellationToken.None);
        await app.Get<GridStore>().ImportNetworkAsync(network.Network!, "csv", "operator@demo.energy", CancellationToken.None);
        var clock = app.Get<MarketClock>();
        var interval = clock.FirstOpenInterval();
        static string Iso(long s) => DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            envelopes = new[] { new { node = "CONNECTION-ELM-STREET-12", start = Iso(interval), end = Iso(clock.Next(interval)), exportLimitW = 1500, @event = "DOE-2026-06-15-NORTH-7F3A9C" } },
        }));
        var (stored, _) = await app.Get<GridStore>().ImportEnvelopesAsync(EnvelopeParser.ParseJson(body).Envelopes, "json", body, NetworkOperator, CancellationToken.None);
        stored.ShouldNotBeNull();
        await app.AnnaSellsToBenAsync(interval, sellWh: 1000, buyWh: 1000);
        await app.CloseGateAndClearAsync(interval);
    }

    public Task DisposeAsync() => Browser.DisposeAsync();
}

/// <summary>The envelopes page on a phone in German and on a desktop in English: nothing wider than the window.</summary>
public sealed class GridEnvelopesPageTests(EnvelopesBrowserFixture fixture) : IClassFixture<EnvelopesBrowserFixture>
{
    [Theory]
    [InlineData(390, "de-DE", "100,0 %")]
    [InlineData(1440, "en-GB", "100.0 %")]
    public async Task EnvelopesPage_PhoneAndDesktop_ShowsTheBoundEnvelopeAndFitsTheWindow(int width, string locale, string used)
    {
        var page = await fixture.Browser.NewPageAsync(width, 844, locale);
        await BrowserFixture.SignInAsync(page, EnvelopesBrowserFixture.NetworkOperator);

        await BrowserFixture.GotoLiveAsync(page, "grid/envelopes");

        var line = page.Locator("[data-testid=grid-line][data-node=CONNECTION-ELM-STREET-12]");
        await Assertions.Expect(line).ToContainTextAsync(used);
        await Assertions.Expect(line).ToContainTextAsync("bound");
        await BrowserFixture.ScreenshotAsync(page, $"grid-envelopes-{width}-{locale}");
        await BrowserFixture.AssertFitsWidthAsync(page);
        await BrowserFixture.AssertAccessibleAsync(page);
    }
}
