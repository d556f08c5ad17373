using Bunit;
using Market.Web.Components.Pages.Operator;
using Market.Web.Metering;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Market.Web.Tests.Metering;

/// <summary>The operator's upload page, rendered with bUnit over the services of a hosted app.</summary>
public sealed class ReadingsPageTests
{
    private static (IRenderedComponent<Readings> Page, BunitContext Context) Render(MarketFactory app)
    {
        _ = app.Server;
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(app.Get<ReadingImportService>());
        context.Services.AddSingleton(app.Get<ReconciliationService>());
        context.AddAuthorization().SetAuthorized("operator@demo.energy").SetRoles(Market.Web.Accounts.Roles.Operator);
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

        page.WaitForAssertion(() => page.Find("[data-testid=upload-errors]").TextContent.ShouldContain("unknown meter \"MTR-NOBODY\""));
        page.Find("[data-testid=upload-result]").TextContent.ShouldContain("nothing was stored");
        await using var db = app.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(0);
    }
}
