using System.Globalization;
using Bunit;
using Market.Web.Components.Pages.Operator;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Market.Web.Tests.Metering;

/// <summary>The operators' page of corrections that wait, rendered with bUnit over the services of a hosted app.</summary>
[Trait("Database", "Independent")]
public sealed class CorrectionsPageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static (IRenderedComponent<Corrections> Page, BunitContext Context) Render(MarketFactory app)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(app.Get<CorrectionReview>());
        context.Services.AddSingleton(app.Get<MarketClock>());
        context.Services.AddSingleton(app.Get<IOptions<CommunityOptions>>());
        context.Services.AddSingleton(app.Get<IOptions<MeteringOptions>>());
        context.AddAuthorization().SetAuthorized("operator@demo.energy").SetRoles(Roles.Operator);
        return (context.Render<Corrections>(), context);
    }

    // The operator's page shows every unit of the money a correction moves, in the operator's culture.
    [Theory]
    [InlineData("en-GB", "−€0.3176", "−€0.3970", "−€0.0794")]
    [InlineData("de-DE", "−0,3176\u00a0€", "−0,3970\u00a0€", "−0,0794\u00a0€")]
    public async Task Open_ACorrectionWaits_ShowsTheMoveAndConfirmSealsIt(string culture, string before, string after, string change)
    {
        var (s, id) = await CorrectionReviewTests.PendingAsync();
        await using var _ = s;
        var previous = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var (page, context) = Render(s.App);
            await using var disposeContext = context;

            page.WaitForAssertion(() => page.Find("[data-testid=pending-correction]"), Wait);
            var moves = page.Find("[data-testid=moves] tbody tr").TextContent;
            page.Find($"[data-testid=confirm-{id}]").Click();

            moves.ShouldContain("Anna's house");
            moves.ShouldContain(before);
            moves.ShouldContain(after);
            moves.ShouldContain(change);
            page.WaitForAssertion(() => page.Find("[data-testid=review-result]").TextContent.ShouldContain("reconciliation version 2"), Wait);
            page.Find("[data-testid=pending-none]");
            page.Find("[data-testid=decided]").TextContent.ShouldContain("confirmed");
            await using var db = s.App.CreateDb();
            (await db.Reconciliations.CountAsync()).ShouldBe(2);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = previous;
        }
    }

    [Fact]
    public async Task Reject_WithoutAReason_AsksForOneAndKeepsItWaiting()
    {
        var (s, id) = await CorrectionReviewTests.PendingAsync();
        await using var _ = s;
        var (page, context) = Render(s.App);
        await using var disposeContext = context;
        page.WaitForAssertion(() => page.Find("[data-testid=pending-correction]"), Wait);

        page.Find($"[data-testid=reject-{id}]").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=review-result]").TextContent.ShouldContain("Say why you reject it"), Wait);
        page.FindAll("[data-testid=pending-correction]").Count.ShouldBe(1);
    }
}
