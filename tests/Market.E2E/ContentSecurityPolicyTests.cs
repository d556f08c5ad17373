using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>The third-party dashboards work under their own, looser policy; nothing they load is blocked.</summary>
public sealed class ContentSecurityPolicyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task ApiReference_Anonymous_RendersWithoutPolicyViolations()
    {
        var page = await fixture.NewPageAsync();

        await BrowserFixture.OpenApiReferenceAsync(page, "Community energy market API");

        await BrowserFixture.AssertNoPolicyViolationsAsync(page);
    }

    [Fact]
    public async Task JobDashboard_Operator_ShowsTheClearingJobWithoutPolicyViolations()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "operator@demo.energy");

        await page.GotoAsync("hangfire/recurring");

        await Assertions.Expect(page.GetByText("clear-due-intervals").First).ToBeVisibleAsync();
        await BrowserFixture.AssertNoPolicyViolationsAsync(page);
    }
}
