using System.Globalization;
using Bunit;
using Market.Web.Components.Pages;
using Market.Web.Grid;
using Market.Web.Tests.Grid;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Market.Web.Tests.Components;

/// <summary>The network operator's page of envelopes and headroom, rendered with bUnit over a cleared grid-zonal market.</summary>
[Collection(AppliedGridGroup.Name)]
public sealed class GridEnvelopesPageTests(AppliedGridApp fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private BunitContext Context()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(fixture.App.Get<AppliedLimitsQuery>());
        context.Services.AddSingleton(fixture.App.Get<GridStore>());
        context.Services.AddSingleton(fixture.App.Get<MarketClock>());
        context.Services.AddSingleton(fixture.App.Get<MarketEvents>());
        context.AddAuthorization().SetAuthorized(AppliedGridApp.NetworkOperator).SetRoles(Roles.NetworkOperator);
        return context;
    }

    [Fact]
    public async Task Page_InGerman_ShowsEachLineItsFlowTheShareUsedTheEnvelopeAndTheUpload()
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            await using var context = Context();
            string sha;
            await using (var db = fixture.App.CreateDb())
            {
                sha = (await db.EnvelopeUploads.SingleAsync(u => u.Id == fixture.AnnasUpload)).Sha256;
            }

            var page = context.Render<GridEnvelopesPage>();

            page.WaitForAssertion(() => page.FindAll("[data-testid=grid-line]").Count.ShouldBe(5), Wait);
            string Cell(string node, string cell) => page.Find($"[data-testid=grid-line][data-node={node}] [data-testid=grid-{cell}]").TextContent.Trim();
            Cell("C-ANNA", "limit").ShouldBe("↑ 0,500 kWh · ↓ 3,000 kWh");
            Cell("C-ANNA", "flow").ShouldBe("↑ 0,500 kWh");
            Cell("C-ANNA", "used").ShouldContain("100,0 %");
            Cell("C-ANNA", "used").ShouldContain("bound ↑");
            Cell("C-ANNA", "source").ShouldBe("envelope ↑ 2 kW (event DOE-42, upload " + fixture.AnnasUpload.ToString(CultureInfo.InvariantCulture) + ")");
            Cell("F2", "flow").ShouldBe("↓ 1,000 kWh");
            Cell("F2", "used").ShouldBe("6,7 %");
            Cell("F2", "source").ShouldBe("static capacity");
            Cell("F1", "used").ShouldContain("bound ↑");
            page.FindAll("[data-testid=grid-interval]").Select(h => h.TextContent).ShouldContain(t => t.Contains("not cleared yet", StringComparison.Ordinal));
            Cell("C-BEN", "source").ShouldContain("↓ 3 kW");
            Cell("C-BEN", "flow").ShouldBe("–");
            page.Find("[data-testid=grid-envelopes]").TextContent.ShouldBe("1");
            page.Find("[data-testid=grid-bound]").TextContent.ShouldBe("2");
            page.Find("[data-testid=grid-uploads]").TextContent.ShouldContain(sha);
            page.Find("[data-testid=grid-csv]").GetAttribute("href").ShouldBe($"grid/envelopes/applied.csv?from={fixture.Day}&to={DateOnly.Parse(fixture.Day, CultureInfo.InvariantCulture).AddDays(1):yyyy-MM-dd}");
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui);
        }
    }

    [Fact]
    public async Task Page_OnlyEnvelopesAndBoundLines_HidesTheFreeLinesOfStaticCapacity()
    {
        await using var context = Context();
        var page = context.Render<GridEnvelopesPage>();
        page.WaitForAssertion(() => page.FindAll("[data-testid=grid-line]").Count.ShouldBe(5), Wait);
        var toggle = page.Find("[data-testid=grid-limited-only]");

        (toggle.TagName == "INPUT" ? toggle : toggle.QuerySelector("input")!).Change(true);

        page.WaitForAssertion(() => page.FindAll("[data-testid=grid-line]").Select(r => r.GetAttribute("data-node")).Order(StringComparer.Ordinal).ShouldBe(["C-ANNA", "C-BEN", "F1"]), Wait);
    }
}
