using System.Net;
using Market.Web.Tests.Support;

namespace Market.Web.Tests;

/// <summary>Pages the app serves without a page of their own (unknown addresses, refusals, the API reference) still
/// look like the app and lead back to it.</summary>
[Trait("Database", "Independent")]
public sealed class PageFrameTests(SharedMarket market) : IClassFixture<SharedMarket>
{
    [Fact]
    public async Task UnknownPage_Requested_NotFoundInsideTheLayoutAndStatic()
    {
        using var client = market.App.CreateClient();

        using var response = await client.GetAsync(new Uri("/no-such-page", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("There is no page at this address.");
        html.ShouldContain("<main id=\"main-content\"");
        html.ShouldContain("data-testid=\"sign-in\"");
        // No circuit starts: at this address an interactive router finds no page and would replace the whole layout
        // with its bare default text.
        html.ShouldContain("data-interactive=\"static\"");
        html.ShouldNotContain("<!--Blazor:{\"type\":\"server\"");
    }

    [Fact]
    public async Task JobDashboard_Anonymous_NoAccessInsideTheLayout()
    {
        using var client = market.App.CreateClient();

        using var response = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("You do not have access to that page.");
        html.ShouldNotContain("There is no page at this address.");
        html.ShouldContain("<main id=\"main-content\"");
    }

    [Fact]
    public async Task DeniedPage_Requested_HeadingInsideTheLayout()
    {
        using var client = market.App.CreateClient();

        var html = await client.GetStringAsync(new Uri("/account/denied", UriKind.Relative));

        html.ShouldMatch("<h1[^>]*>No access</h1>");
        html.ShouldContain("<main id=\"main-content\"");
    }

    [Fact]
    public async Task ApiReference_Requested_NoVendorChatOrToolbarAndALinkBack()
    {
        using var client = market.App.CreateClient();

        var html = await client.GetStringAsync(new Uri("/api/docs/", UriKind.Relative));

        html.ShouldContain("\"showDeveloperTools\":\"never\"");
        html.ShouldMatch("\"agent\":\\{[^}]*\"disabled\":true");
        html.ShouldContain("<a href=\"/\" data-testid=\"back-to-app\">");
    }
}
