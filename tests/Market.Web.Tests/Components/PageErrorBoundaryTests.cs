using Bunit;
using Market.Web.Components.Layout;
using Market.Web.Components.Shared;
using Market.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Market.Web.Tests.Components;

/// <summary>The boundary every page sits in (MainLayout), over the services of a hosted app.</summary>
[Trait("Database", "Independent")]
public sealed class PageErrorBoundaryTests
{
    [Fact]
    public async Task PostOffer_DatabaseReadOnly_PlainMessageAndThePageLivesOn()
    {
        await using var app = new MarketFactory();
        var storage = new ReadOnlyDatabase(app);
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(app.Get<OrderService>());
        context.Services.AddSingleton(app.Get<MarketClock>());
        context.Services.AddSingleton(app.Get<RulesBook>());
        context.Services.AddSingleton(app.Get<StorageHealth>());
        context.AddDeviceSigning(app);
        context.Render<MudPopoverProvider>();
        var page = context.Render<PageErrorBoundary>(p => p.AddChildContent<OrderForm>(f => f.Add(x => x.Household, anna)));
        page.Find("#order-energy").Input("1");
        page.Find("#order-price").Input("12");
        await app.Get<DemoDeviceKeys>().EnsureEnrolledAsync([anna]);
        await storage.SetAsync(readOnly: true);

        await page.Find("[data-testid=place-order]").ClickAsync(new());

        page.Find("[data-testid=page-error]").TextContent.ShouldStartWith("The market cannot store anything right now: ");
        page.Find("[data-testid=page-error]").TextContent.ShouldContain("Nothing of what you sent was stored");
        app.Get<StorageHealth>().Fault.ShouldNotBeNull();
        await storage.SetAsync(readOnly: false);
        (await ApiClient.OrderCountAsync(app)).ShouldBe(0);
        await page.Find("[data-testid=page-error-retry]").ClickAsync(new());
        page.FindAll("[data-testid=place-order]").Count.ShouldBe(1);
    }
}
