using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Api;

/// <summary>Orders through the API that store or change something: each test starts its own app.</summary>
public sealed class OrderApiTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();
    private long _interval;

    public Task InitializeAsync()
    {
        _interval = _app.Get<MarketClock>().FirstOpenInterval();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task PostOrder_ValidOffer_Created201WithLocationAndStored()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var response = await anna.PostOrderAsync(ApiClient.Order("sell", 1500, 1200, _interval));

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.Location!.ToString().ShouldStartWith("/api/orders/");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("status").GetString().ShouldBe("open");
        body.GetProperty("energyWh").GetInt64().ShouldBe(1500);
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(1);
    }

    [Fact]
    public async Task PostOrder_SameIdempotencyKeyTwice_OneOrderSameBody()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        var order = ApiClient.Order("sell", 1500, 1200, _interval);

        var first = await anna.PostOrderAsync(order, "key-1");
        var retry = await anna.PostOrderAsync(order, "key-1");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        retry.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64()
            .ShouldBe((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(1);
    }

    [Fact]
    public async Task PostOrder_SameIdempotencyKeyOtherBody_422AndNothingStored()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        await anna.PostOrderAsync(ApiClient.Order("sell", 1500, 1200, _interval), "key-2");

        var response = await anna.PostOrderAsync(ApiClient.Order("sell", 900, 1200, _interval), "key-2");

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(1);
    }

    [Fact]
    public async Task DeleteOrder_AnotherHouseholdsOrder_404AndOrderStaysOpen()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        using var ben = await ApiClient.ForAsync(_app, "ben@demo.energy");
        await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));
        var id = await ApiClient.FirstOrderIdAsync(_app, "anna@demo.energy");

        var response = await ben.DeleteAsync(new Uri($"/api/orders/{id}", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var list = await anna.GetFromJsonAsync<JsonElement>(new Uri("/api/orders", UriKind.Relative));
        list.GetProperty("items")[0].GetProperty("status").GetString().ShouldBe("open");
    }

    [Fact]
    public async Task DeleteOrder_OwnOpenOrder_422AskingForASignedCancellationAndTheOrderStays()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));
        var id = await ApiClient.FirstOrderIdAsync(_app, "anna@demo.energy");

        var response = await anna.DeleteAsync(new Uri($"/api/orders/{id}", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("/api/household/statements");
        await using var db = _app.CreateDb();
        (await db.Orders.SingleAsync(o => o.Id == id)).Status.ShouldBe(OrderStatus.Open);
    }

    [Fact]
    public async Task SignedCancellation_OwnOpenOrder_CancelledWithAReceipt()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));
        var order = await FirstOrderAsync();

        var response = await anna.PostAsJsonAsync(new Uri("/api/household/statements", UriKind.Relative), await CancellationBodyAsync(order));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var receipt = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receipts")[0];
        var parsed = Market.Ledger.AcceptanceReceipt.FromJson(receipt.GetRawText());
        parsed.Verify().ShouldBeNull();
        parsed.Type.ShouldBe(Market.Ledger.StatementType.Cancellation);
        await using var db = _app.CreateDb();
        (await db.Orders.SingleAsync(o => o.Id == order.Id)).Status.ShouldBe(OrderStatus.Cancelled);
    }

    [Fact]
    public async Task SignedCancellation_AfterGateClosure_422AndOrderStays()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));
        var order = await FirstOrderAsync();
        var body = await CancellationBodyAsync(order);
        _app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(_app.Get<MarketClock>().GateClosure(_interval) + 1));

        var response = await anna.PostAsJsonAsync(new Uri("/api/household/statements", UriKind.Relative), body);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        await using var db = _app.CreateDb();
        (await db.Orders.SingleAsync(o => o.Id == order.Id)).Status.ShouldBe(OrderStatus.Open);
    }

    private async Task<OrderEntity> FirstOrderAsync()
    {
        var id = await ApiClient.FirstOrderIdAsync(_app, "anna@demo.energy");
        await using var db = _app.CreateDb();
        return await db.Orders.AsNoTracking().SingleAsync(o => o.Id == id);
    }

    private async Task<object> CancellationBodyAsync(OrderEntity order)
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var signature = (await _app.SignerFor(anna)([(Market.Ledger.StatementType.Cancellation, order.StatementHash)]))[0];
        return new
        {
            statements = new[]
            {
                new
                {
                    type = "cancellation",
                    body = Convert.ToHexStringLower(order.StatementHash),
                    signature = new
                    {
                        keyId = Convert.ToHexStringLower(signature.KeyId),
                        value = Convert.ToHexStringLower(signature.Signature),
                        submissionSize = signature.SubmissionSize,
                        index = signature.Index,
                        path = signature.Path.Select(Convert.ToHexStringLower).ToArray(),
                    },
                },
            },
        };
    }

    [Fact]
    public async Task GetOrders_OtherHousehold_SeesOnlyItsOwn()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        using var ben = await ApiClient.ForAsync(_app, "ben@demo.energy");
        await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));

        var bens = await ben.GetFromJsonAsync<JsonElement>(new Uri("/api/orders", UriKind.Relative));

        bens.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task GetTrades_AfterClearing_BothPartiesSeeTheTradeWithReceiptUrl()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        using var ben = await ApiClient.ForAsync(_app, "ben@demo.energy");
        await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));
        await ben.PostOrderAsync(ApiClient.Order("buy", 1000, 2000, _interval));
        await _app.CloseGateAndClearAsync(_interval);

        var annas = (await anna.GetFromJsonAsync<JsonElement>(new Uri("/api/trades", UriKind.Relative))).GetProperty("items");
        var bens = (await ben.GetFromJsonAsync<JsonElement>(new Uri("/api/trades", UriKind.Relative))).GetProperty("items");

        annas[0].GetProperty("side").GetString().ShouldBe("sell");
        bens[0].GetProperty("side").GetString().ShouldBe("buy");
        var receipt = await anna.GetStringAsync(new Uri(annas[0].GetProperty("receiptUrl").GetString()!, UriKind.Relative));
        Market.Ledger.TradeReceipt.FromJson(receipt).Verify().IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Orders_RevokedToken_401()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        await using (var db = _app.CreateDb())
        {
            var token = db.ApiTokens.Single();
            await _app.Get<ApiTokenService>().RevokeAsync(token.UserId, token.Id);
        }

        var response = await anna.GetAsync(new Uri("/api/orders", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task MarketIntervals_Anonymous_ListsClearedIntervalsWithPrice()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        using var ben = await ApiClient.ForAsync(_app, "ben@demo.energy");
        await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));
        await ben.PostOrderAsync(ApiClient.Order("buy", 1000, 2000, _interval));
        await _app.CloseGateAndClearAsync(_interval);
        using var anonymous = _app.CreateClient();

        var intervals = await anonymous.GetFromJsonAsync<JsonElement>(new Uri("/api/market/intervals", UriKind.Relative));

        intervals[0].GetProperty("price").GetInt64().ShouldBe(1600);
        intervals[0].GetProperty("volumeWh").GetInt64().ShouldBe(1000);
    }
}

/// <summary>
/// Requests the API refuses, or that only read: none stores anything, so they share one app and each still sees no
/// order stored.
/// </summary>
public sealed class OrderApiRefusalTests(SharedMarket market) : IClassFixture<SharedMarket>
{
    private readonly MarketFactory _app = market.App;
    private readonly long _interval = market.App.Get<MarketClock>().FirstOpenInterval();

    [Theory]
    [InlineData("sell", 0, 1200, 0, "energyWh")]
    [InlineData("sell", -5, 1200, 0, "energyWh")]
    [InlineData("sell", 999_999, 1200, 0, "energyWh")]
    [InlineData("sell", 1000, 100, 0, "limitPrice")]
    [InlineData("buy", 1000, 99_999, 0, "limitPrice")]
    [InlineData("sell", 1000, 1200, -900, "intervalStart")]
    [InlineData("sell", 1000, 1200, 7, "intervalStart")]
    [InlineData("sell", 1000, 1200, 7 * 86400, "intervalStart")]
    [InlineData("hold", 1000, 1200, 0, "side")]
    public async Task PostOrder_InvalidValues_422ProblemNamingFieldAndNothingStored(string side, long energy, long price, long intervalOffset, string field)
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var response = await anna.PostOrderAsync(ApiClient.Order(side, energy, price, _interval + intervalOffset));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Fact]
    public async Task PostOrder_PastInterval_422AndNothingStored()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var response = await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval - (4 * 900)));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"side":"sell","energyWh":1000,"limitPrice":1200,"intervalStart":"2026-06-15T10:15:00Z","price":5}""")]
    [InlineData("""{"side":"sell","energyWh":"1000","limitPrice":1200,"intervalStart":"2026-06-15T10:15:00Z"}""")]
    [InlineData("""{"side":"sell","limitPrice":1200,"intervalStart":"2026-06-15T10:15:00Z"}""")]
    [InlineData("""{"side":"sell","energyWh":1000,""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"side":"sell","energyWh":1.5,"limitPrice":1200,"intervalStart":"2026-06-15T10:15:00Z"}""")]
    [InlineData("""{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":1}}}}}}}}}}""")]
    public async Task PostOrder_MalformedJson_400ProblemAndNothingStored(string json)
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var response = await anna.PostAsync(new Uri("/api/orders", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Theory]
    [InlineData("EnergyWH")]
    [InlineData("energyWh")]
    public async Task PostOrder_KeyGivenTwice_400NamingTheKeyAndNothingStored(string repeated)
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        var start = DateTimeOffset.FromUnixTimeSeconds(_interval).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var json = $$"""{"side":"sell","energyWh":500,"{{repeated}}":1,"limitPrice":1200,"intervalStart":"{{start}}"}""";

        var response = await anna.PostAsync(new Uri("/api/orders", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain(repeated, Case.Sensitive);
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Fact]
    public async Task PostOrder_OneMegabyteBody_413AndNothingStored()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        var json = "{\"side\":\"sell\",\"pad\":\"" + new string('x', 1024 * 1024) + "\"}";

        var response = await anna.PostAsync(new Uri("/api/orders", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Fact]
    public async Task PostOrder_ManagerToken_403()
    {
        using var manager = await ApiClient.ForAsync(_app, "manager@demo.energy");

        var response = await manager.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer mkt_not-a-real-token-at-all-xxxxxxxx")]
    [InlineData("Bearer ")]
    [InlineData("Bearer ' OR 1=1 --")]
    [InlineData("Basic YWxhZGRpbjpvcGVuc2VzYW1l")]
    public async Task Orders_MissingOrMalformedToken_401Problem(string? authorization)
    {
        using var client = _app.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.GetAsync(new Uri("/api/orders", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Orders_SignedInCookieWithoutToken_401BecauseTheApiTakesTokensOnly()
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsync(new Uri("/api/orders", UriKind.Relative), JsonContent.Create(ApiClient.Order("sell", 1000, 1200, _interval)));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheOrderEndpoints()
    {
        using var client = _app.CreateClient();

        var json = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        json.ShouldContain("/api/orders");
        json.ShouldContain("/api/market/intervals");
        json.ShouldContain("/api/ledger/trades/{id}/proof");
    }
}
