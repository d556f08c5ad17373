using Bunit;
using Market.Web.Components.Layout;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace Market.Web.Tests.Components;

/// <summary>The frame around every page: its landmarks and what it tells everyone.</summary>
[Trait("Database", "Independent")]
public sealed class MainLayoutTests : IAsyncDisposable
{
    private readonly BunitContext _context = new();
    private readonly MarketEvents _events = new(NullLogger<MarketEvents>.Instance);

    public MainLayoutTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
        _context.Services.AddSingleton(_events);
        _context.Services.AddSingleton(new StorageHealth(NullLogger<StorageHealth>.Instance));
        var community = Options.Create(new CommunityOptions());
        _context.Services.AddSingleton(new MarketClock(TimeProvider.System, community, new RulesBook(community)));
        _context.AddAuthorization();
    }

    [Fact]
    public async Task Layout_IntervalClearedWithNoTrade_NoNoticeForEveryone()
    {
        var layout = Render();

        await layout.InvokeAsync(() => _events.IntervalCleared.Raise(new IntervalCleared(1_781_517_600, null, 0, 0, 7)));

        _context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.ShouldBeEmpty();
        _events.IntervalCleared.Count.ShouldBe(0);
    }

    [Fact]
    public void Layout_AnyPage_PageInsideTheMainLandmarkAndASkipLinkToIt()
    {
        var layout = Render();

        layout.Find("main#main-content [data-testid=the-page]").TextContent.ShouldBe("the page");
        layout.FindAll("main").Count.ShouldBe(1);
        layout.Find("[data-testid=skip-link]").GetAttribute("href").ShouldBe("#main-content");
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private IRenderedComponent<MainLayout> Render() =>
        _context.Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b =>
        {
            b.OpenElement(0, "p");
            b.AddAttribute(1, "data-testid", "the-page");
            b.AddContent(2, "the page");
            b.CloseElement();
        })));
}
