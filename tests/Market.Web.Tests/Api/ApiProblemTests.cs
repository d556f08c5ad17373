using System.Net;
using System.Text;
using System.Text.Json;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Api;

/// <summary>One app for the table: every case is refused, so none changes what another sees.</summary>
public sealed class ApiProblemFixture : IAsyncLifetime
{
    public MarketFactory App { get; } = new();

    public Task InitializeAsync()
    {
        _ = App.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>
/// Bad requests across the API: each is refused with RFC 7807 problem details (never an HTML page) and changes
/// nothing.
/// </summary>
[Trait("Database", "Independent")]
public sealed class ApiProblemTests(ApiProblemFixture fixture) : IClassFixture<ApiProblemFixture>
{
    private const string Json = "application/json";
    private const string Order = """{"side":"sell","energyWh":1000,"limitPrice":1200,"intervalStart":"2026-06-15T10:15:00Z"}""";
    private readonly MarketFactory _app = fixture.App;

    public static TheoryData<string, string, string, string?, string?, int> BadRequests() => new()
    {
        // caller, method, path, content type, body, status
        { "household", "POST", "/api/orders", Json, """{"side":"sell","energyWh":""", 400 },
        { "household", "POST", "/api/orders", Json, """{"side":"sell","energyWh":"1000","limitPrice":1200,"intervalStart":"2026-06-15T10:15:00Z"}""", 400 },
        { "household", "POST", "/api/orders", Json, """{"side":"sell","energyWh":1000,"limitPrice":1200,"intervalStart":"tomorrow"}""", 400 },
        { "household", "POST", "/api/orders", Json, Order.Replace("}", ""","comment":"hi"}""", StringComparison.Ordinal), 400 },
        { "household", "POST", "/api/orders", Json, "", 400 },
        { "household", "POST", "/api/orders", Json, "null", 400 },
        { "household", "POST", "/api/orders", null, Order, 415 },
        { "household", "POST", "/api/orders", "text/plain", Order, 415 },
        { "household", "POST", "/api/orders", "application/x-www-form-urlencoded", "side=sell&energyWh=1000", 415 },
        { "household", "POST", "/api/orders", Json, "{\"side\":\"" + new string('x', 20_000) + "\"}", 413 },
        { "household", "PUT", "/api/orders", Json, Order, 405 },
        { "household", "PATCH", "/api/orders/1", Json, Order, 405 },
        { "household", "GET", "/api/orders?limit=abc", null, null, 400 },
        { "household", "GET", "/api/orders?cursor=abc&limit=many", null, null, 400 },
        { "household", "GET", "/api/orders?limit=99999999999999999999", null, null, 400 },
        { "household", "GET", "/api/orders?cursor=abc", null, null, 400 },
        { "household", "GET", "/api/trades?limit=201", null, null, 400 },
        { "household", "DELETE", "/api/orders/abc", null, null, 404 },
        { "household", "GET", "/api/trades/latest", null, null, 404 },
        { "anonymous", "GET", "/api/market/intervals?limit=ten", null, null, 400 },
        { "anonymous", "POST", "/api/market/intervals", Json, "{}", 405 },
        { "anonymous", "GET", "/api/no-such-thing", null, null, 404 },
        { "anonymous", "GET", "/api/ledger/blocks?before=yesterday", null, null, 400 },
        { "anonymous", "GET", "/api/ledger/blocks?limit=1.5", null, null, 400 },
        { "anonymous", "GET", "/api/ledger/blocks/abc", null, null, 404 },
        { "anonymous", "GET", "/api/ledger/consistency?from=one&to=2", null, null, 400 },
        { "anonymous", "GET", "/api/ledger/consistency", null, null, 400 },
        { "anonymous", "GET", "/api/ledger/trades/abc/proof", null, null, 404 },
        { "anonymous", "POST", "/api/ledger/checkpoint", Json, "{}", 405 },
        { "anonymous", "DELETE", "/api/ledger/export", null, null, 405 },
        { "operator", "PUT", "/api/ledger/key-rotations", null, null, 405 },
        { "operator", "POST", "/api/meter-readings", null, ReadingParser.Header + "\n", 415 },
        { "operator", "POST", "/api/meter-readings", "application/xml", "<readings/>", 415 },
        { "operator", "POST", "/api/meter-readings", Json, """{"readings":[""", 400 },
        { "operator", "POST", "/api/meter-readings", Json, """{"readings":[{"meterId":7,"intervalStart":"2026-06-15T10:00:00Z","importWh":0,"exportWh":0}]}""", 400 },
        { "operator", "POST", "/api/meter-readings", Json, """{"readings":[],"source":"gateway"}""", 400 },
        { "operator", "POST", "/api/meter-readings", Json, "", 400 },
        { "operator", "PUT", "/api/meter-readings", Json, """{"readings":[]}""", 405 },
        { "anonymous", "POST", "/api/demo/load-households?count=many", null, null, 400 },
        { "anonymous", "POST", "/api/demo/load-households", null, null, 400 },
        { "anonymous", "DELETE", "/api/demo/load-households?count=1", null, null, 405 },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Api_BadRequest_ProblemDetailsWithItsStatusAndNothingChanged(string caller, string method, string path, string? contentType, string? body, int status)
    {
        using var client = caller switch
        {
            "household" => await ApiClient.ForAsync(_app, "anna@demo.energy"),
            "operator" => await ApiClient.ForAsync(_app, "operator@demo.energy"),
            _ => _app.CreateClient(),
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            }
        }

        var before = await CountsAsync();

        using var response = await client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(status, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", text);
        using var problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(status);
        problem.RootElement.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        (await CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Api_BadQueryValue_DetailNamesTheParameterAndTheValue()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        using var response = await anna.GetAsync(new Uri("/api/orders?limit=abc", UriKind.Relative));

        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        detail.ShouldContain("limit");
        detail.ShouldContain("abc");
    }

    [Fact]
    public async Task Page_UnknownPathOutsideTheApi_StillTheNotFoundPage()
    {
        using var client = _app.CreateClient();

        using var response = await client.GetAsync(new Uri("/no-such-page", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldContain("There is no page at this address.");
    }

    private async Task<(int Orders, int Readings, int Users)> CountsAsync()
    {
        await using var db = _app.CreateDb();
        return (await db.Orders.CountAsync(), await db.MeterReadings.CountAsync(), await db.Users.CountAsync());
    }
}
