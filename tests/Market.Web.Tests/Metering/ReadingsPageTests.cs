using Bunit;
using Market.Web.Components.Pages.Operator;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Market.Web.Tests.Metering;

/// <summary>The operator's upload page, rendered with bUnit over the services of a hosted app.</summary>
[Trait("Database", "Independent")]
public sealed class ReadingsPageTests
{
    /// <summary>Uploads and queries reach the real database (SQLite or PostgreSQL) on a busy machine: bUnit's 1 s default is too short.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static (IRenderedComponent<Readings> Page, BunitContext Context) Render(MarketFactory app)
    {
        _ = app.Server;
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(app.Get<ReadingImportService>());
        context.Services.AddSingleton(app.Get<ReconciliationService>());
        context.Services.AddSingleton(app.Get<SettlementQueries>());
        context.Services.AddSingleton(app.Get<MarketClock>());
        context.AddAuthorization().SetAuthorized("operator@demo.energy").SetRoles(Roles.Operator);
        return (context.Render<Readings>(), context);
    }

    [Fact]
    public async Task Upload_FileWithAnUnknownMeter_ListsTheLineAndStoresNothing()
    {
        await using var app = new MarketFactory();
        var (page, context) = Render(app);
        await using var _ = context;
        var csv = ReadingParser.Header + "\nMTR-NOBODY,2026-06-15T09:00:00Z,100,0\n";

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(csv, "readings.csv"));

        page.WaitForAssertion(() => page.Find("[data-testid=upload-errors]").TextContent.ShouldContain("unknown meter \"MTR-NOBODY\""), Wait);
        page.Find("[data-testid=upload-result]").TextContent.ShouldContain("nothing was stored");
        await using var db = app.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Open_ATraderHasNoReading_ListedWithMeterAndHouseholdAndGoneAfterTheUpload()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var interval = await app.TradeAndClearAsync();
        app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(app.Get<MarketClock>().Next(interval) + 60));
        var (page, context) = Render(app);
        await using var disposeContext = context;
        var start = DateTimeOffset.FromUnixTimeSeconds(interval).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        page.WaitForAssertion(() => page.Find("[data-testid=waiting-summary]").TextContent.ShouldContain("2 readings missing"), Wait);
        var rows = page.FindAll("[data-testid=waiting] tbody tr").Select(r => r.TextContent).ToList();
        page.Find("[data-testid=waiting-template]").GetAttribute("href").ShouldBe("operator/readings/missing.csv");
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText($"{ReadingParser.Header}\n{anna.MeterId},{start},0,1000\n{ben.MeterId},{start},1000,0\n", "readings.csv"));

        rows.Count.ShouldBe(2);
        rows.ShouldContain(r => r.Contains(anna.MeterId!, StringComparison.Ordinal) && r.Contains("Anna's house", StringComparison.Ordinal) && r.Contains(start, StringComparison.Ordinal));
        rows.ShouldContain(r => r.Contains(ben.MeterId!, StringComparison.Ordinal) && r.Contains("Ben's flat", StringComparison.Ordinal));
        page.WaitForAssertion(() => page.Find("[data-testid=waiting-none]").TextContent.ShouldContain("has sent its reading"), Wait);
        page.Find("[data-testid=upload-result]").TextContent.ShouldContain("1 interval reconciled and sealed");
    }
}
