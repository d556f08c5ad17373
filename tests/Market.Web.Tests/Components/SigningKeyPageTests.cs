using Bunit;
using Market.Web.Components.Pages.Operator;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Market.Web.Tests.Components;

/// <summary>The operators' signing-key page, rendered with bUnit over the services of a hosted app.</summary>
[Trait("Database", "Independent")]
public sealed class SigningKeyPageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Rotate_ConfirmedOnThePage_SealsAKeyEventAndShowsTheNewKeyAndItsHistory()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(app.Get<LedgerReader>());
        context.Services.AddSingleton(app.Get<SigningKeyStore>());
        context.Services.AddSingleton(app.Get<KeyRotationService>());
        context.Services.AddSingleton(app.Get<MarketClock>());
        context.AddAuthorization().SetAuthorized("operator@demo.energy").SetRoles(Roles.Operator);
        var keys = app.Get<SigningKeyStore>();
        var old = Convert.ToHexStringLower(keys.Key.KeyId);
        var page = context.Render<SigningKey>();
        page.WaitForAssertion(() => page.FindAll("[data-testid=key-history] tbody tr").Count.ShouldBe(1), Wait);
        page.Find("[data-testid=current-key]").TextContent.ShouldContain(old);

        // The first click only asks; nothing is sealed until "Rotate now".
        page.Find("[data-testid=rotate]").Click();
        page.WaitForAssertion(() => page.Find("[data-testid=rotate-confirm]").TextContent.ShouldContain("cannot be undone"), Wait);
        await using (var db = app.CreateDb())
        {
            (await db.Blocks.CountAsync(b => b.Kind == (byte)Market.Ledger.BlockKind.KeyEvent)).ShouldBe(1);
        }

        page.Find("[data-testid=rotate-now]").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=rotated]").TextContent.ShouldContain("Back up the key file"), Wait);
        var current = Convert.ToHexStringLower(keys.Key.KeyId);
        current.ShouldNotBe(old);
        page.Find("[data-testid=current-key]").TextContent.ShouldContain(current);
        // Genesis introduced the first key; the rotation introduced the new one and retired the old one.
        page.FindAll("[data-testid=key-history] tbody tr").Count.ShouldBe(3);
        await using var after = app.CreateDb();
        (await after.Blocks.CountAsync(b => b.Kind == (byte)Market.Ledger.BlockKind.KeyEvent)).ShouldBe(2);
    }
}
