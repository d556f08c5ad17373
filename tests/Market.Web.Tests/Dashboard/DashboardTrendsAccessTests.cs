using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Market.Web.Tests.Dashboard;

/// <summary>The dashboard is public; its 30-day trends are rendered for managers and operators only.</summary>
[Trait("Database", "Independent")]
public sealed class DashboardTrendsAccessTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    private async Task<string> DashboardAsync(string? email)
    {
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (email is not null)
        {
            await CookieSignIn.SignInAsync(client, email);
        }

        return await client.GetStringAsync(new Uri("/dashboard", UriKind.Relative));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("anna@demo.energy")]
    [InlineData("auditor@demo.energy")]
    public async Task Dashboard_NotAManager_NoTrends(string? email)
    {
        var html = await DashboardAsync(email);

        html.ShouldContain("data-testid=\"price-chart\"");
        html.ShouldNotContain("data-testid=\"trends\"");
    }

    [Theory]
    [InlineData("manager@demo.energy")]
    [InlineData("operator@demo.energy")]
    public async Task Dashboard_ManagerOrOperator_TrendsShown(string email)
    {
        var html = await DashboardAsync(email);

        html.ShouldContain("data-testid=\"trends\"");
        html.ShouldContain("Money kept in the community");
    }
}
