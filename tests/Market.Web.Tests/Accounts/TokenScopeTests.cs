using System.Net;
using System.Net.Http.Headers;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests.Accounts;

/// <summary>
/// A personal access token reaches the API and the metrics scrape and nothing else: not a page, not Blazor's hub
/// (which would drive the pages), not a download, and no endpoint makes it another token.
/// </summary>
[Trait("Database", "Independent")]
public sealed class TokenScopeTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Theory]
    [InlineData("/_blazor")]
    [InlineData("/_blazor/negotiate")]
    [InlineData("/account")]
    [InlineData("/account/password")]
    [InlineData("/account/logout")]
    [InlineData("/statement/2026/6.csv")]
    [InlineData("/market")]
    [InlineData("/hangfire")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/apis")]
    public async Task Authenticate_TokenOutsideTheApi_NobodySignedIn(string path)
    {
        var token = await ApiClient.TokenAsync(_app, "operator@demo.energy");

        var result = await AuthenticateAsync(path, token);

        result.Succeeded.ShouldBeFalse();
    }

    [Theory]
    [InlineData("/api/orders")]
    [InlineData("/API/trades")]
    [InlineData("/metrics")]
    public async Task Authenticate_TokenOnTheApiOrMetrics_ItsOwner(string path)
    {
        var token = await ApiClient.TokenAsync(_app, "operator@demo.energy");

        var result = await AuthenticateAsync(path, token);

        result.Succeeded.ShouldBeTrue();
        result.Principal!.IsInRole(Roles.Operator).ShouldBeTrue();
    }

    [Fact]
    public async Task Api_EveryWritingEndpointCalledWithAToken_ItsOwnerGetsNoSecondToken()
    {
        using var agent = await ApiClient.ForAsync(_app, "anna@demo.energy");
        var writing = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => TokenPaths.Accepts("/" + (e.RoutePattern.RawText ?? "").TrimStart('/')))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE")
                .Select(m => (Method: m, Path: System.Text.RegularExpressions.Regex.Replace("/" + e.RoutePattern.RawText!.TrimStart('/'), @"\{[^}]+\}", "1"))))
            .ToList();

        foreach (var (method, path) in writing)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            using var response = await agent.SendAsync(request);
            response.StatusCode.ShouldNotBe(HttpStatusCode.InternalServerError, $"{method} {path}");
        }

        writing.Count.ShouldBeGreaterThan(3);
        await using var db = _app.CreateDb();
        var anna = await db.Users.SingleAsync(u => u.Email == "anna@demo.energy");
        (await db.ApiTokens.CountAsync(t => t.UserId == anna.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task AccountPage_TokenOnly_SentToSignInAndNoTokenListed()
    {
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await ApiClient.TokenAsync(_app, "anna@demo.energy"));

        var response = await client.GetAsync(new Uri("/account", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/login");
    }

    private async Task<AuthenticateResult> AuthenticateAsync(string path, string token)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Path = path;
        http.Request.Headers.Authorization = "Bearer " + token;
        return await http.AuthenticateAsync();
    }
}
