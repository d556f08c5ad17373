using System.Security.Claims;
using Bunit;
using Market.Web.Components.Pages;
using Market.Web.Components.Shared;
using Market.Web.Notifications;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace Market.Web.Tests.Components;

/// <summary>The bell in the app bar and the notifications page, rendered with bUnit over a hosted app's services.</summary>
[Trait("Database", "Independent")]
public sealed class NotificationComponentsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private readonly MarketFactory _app = new();
    private readonly BunitContext _context = new();
    private Household _anna = default!;
    private Household _ben = default!;

    public async Task InitializeAsync()
    {
        _ = _app.Server;
        _anna = await _app.HouseholdAsync("anna@demo.energy");
        _ben = await _app.HouseholdAsync("ben@demo.energy");
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
        _context.Services.AddSingleton(_app.Get<NotificationService>());
        _context.Services.AddSingleton(_app.Get<NotificationEvents>());
        _context.Services.AddSingleton(_app.Get<MarketClock>());
        _context.Services.AddSingleton(_app.Get<VapidKeyStore>());
        _context.Services.AddSingleton(_app.Get<IOptions<CommunityOptions>>());
        _context.Services.AddSingleton(new HouseholdAccessor(_app.Get<IDbContextFactory<MarketDbContext>>()));
        _context.Services.AddSingleton(new NotificationCircuit());
        _context.AddAuthorization().SetAuthorized("anna@demo.energy").SetRoles(Roles.Prosumer).SetClaims(new Claim(ClaimTypes.NameIdentifier, _anna.UserId));
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Bell_TwoUnread_BadgeCountsThemAndTheLabelSaysSo()
    {
        await AddAsync(_anna.Id, NotificationKind.Filled, 1);
        await AddAsync(_anna.Id, NotificationKind.Expired, 2);
        await AddAsync(_ben.Id, NotificationKind.Filled, 3);

        var bell = _context.Render<NotificationBell>();

        bell.WaitForAssertion(() => bell.Find("[data-testid=bell]").GetAttribute("aria-label").ShouldBe("Notifications, 2 unread"), Wait);
        bell.Find(".mud-badge").TextContent.ShouldContain("2");
    }

    [Fact]
    public async Task Bell_NewNoticeForMyHousehold_OneToastAndTheCountGoesUp()
    {
        var bell = _context.Render<NotificationBell>();
        bell.WaitForAssertion(() => bell.Find("[data-testid=bell]").GetAttribute("aria-label").ShouldBe("Notifications"), Wait);
        await AddAsync(_anna.Id, NotificationKind.Filled, 1);

        await bell.InvokeAsync(() => _app.Get<NotificationEvents>().Added.Raise(new NotificationsAdded(new HashSet<long> { _anna.Id })));

        bell.WaitForAssertion(() => bell.Find("[data-testid=bell]").GetAttribute("aria-label").ShouldBe("Notifications, 1 unread"), Wait);
        var toast = _context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.ShouldHaveSingleItem();
        toast.Message.ShouldStartWith("Your offer for");
        toast.Message.ShouldContain("filled: 0.400 kWh for €0.11.");
    }

    [Fact]
    public async Task Bell_NewNoticeForAnotherHousehold_NoToast()
    {
        var bell = _context.Render<NotificationBell>();
        bell.WaitForAssertion(() => bell.Find("[data-testid=bell]"), Wait);
        await AddAsync(_ben.Id, NotificationKind.Filled, 1);

        await bell.InvokeAsync(() => _app.Get<NotificationEvents>().Added.Raise(new NotificationsAdded(new HashSet<long> { _ben.Id })));

        _context.Services.GetRequiredService<ISnackbar>().ShownSnackbars.ShouldBeEmpty();
        bell.Find("[data-testid=bell]").GetAttribute("aria-label").ShouldBe("Notifications");
    }

    [Fact]
    public async Task Page_MyNotices_ListedNewestFirstAndMarkAllReadClearsThem()
    {
        await AddAsync(_anna.Id, NotificationKind.Filled, 1);
        await AddAsync(_anna.Id, NotificationKind.Expired, 2);
        await AddAsync(_ben.Id, NotificationKind.Cancelled, 3);

        var page = _context.Render<NotificationsPage>();
        page.WaitForAssertion(() => page.FindAll("[data-testid=notification]").Count.ShouldBe(2), Wait);
        var items = page.FindAll("[data-testid=notification]");
        items[0].GetAttribute("data-kind").ShouldBe(nameof(NotificationKind.Expired));
        items[1].TextContent.ShouldContain("0.400 kWh for €0.11");
        page.FindAll("[data-unread=yes]").Count.ShouldBe(2);

        page.Find("[data-testid=mark-all-read] button, button[data-testid=mark-all-read]").Click();

        page.WaitForAssertion(() => page.FindAll("[data-unread=yes]").Count.ShouldBe(0), Wait);
        (await _app.Get<NotificationService>().UnreadCountAsync(_ben.Id)).ShouldBe(1);
    }

    [Fact]
    public void Page_PriceAlertNotANumber_ErrorShownAndNothingSaved()
    {
        var page = _context.Render<NotificationsPage>();
        page.WaitForAssertion(() => page.Find("#alert-above"), Wait);

        page.Find("#alert-above").Input("thirty");
        page.Find("button[data-testid=save-notification-settings]").Click();

        page.WaitForAssertion(() => page.Markup.ShouldContain("Enter the price in ct/kWh"), Wait);
        using var db = _app.CreateDb();
        db.NotificationPreferences.Count().ShouldBe(0);
    }

    private async Task AddAsync(long householdId, NotificationKind kind, long orderId)
    {
        await using var db = _app.CreateDb();
        db.Notifications.Add(new NotificationEntity
        {
            HouseholdId = householdId,
            Kind = kind,
            IntervalStart = 1_781_542_800,
            OrderId = orderId,
            Side = (byte)OrderSide.Sell,
            EnergyWh = kind == NotificationKind.Filled ? 400 : 0,
            OrderEnergyWh = 400,
            Amount = kind == NotificationKind.Filled ? 1100 : 0,
            CreatedAtMs = _app.Clock.GetUtcNow().ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync();
    }
}
