using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Market.Ledger;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Api;

/// <summary>
/// POST /api/orders/batch: an agent's signed submission in one request. Each order is answered as POST /api/orders
/// would answer it, those accepted are stored together, and their receipts share one signature.
/// </summary>
public sealed class OrderBatchApiTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();
    private HttpClient _anna = null!;
    private long _interval;

    public async Task InitializeAsync()
    {
        _ = _app.Server;
        _interval = _app.Get<MarketClock>().FirstOpenInterval();
        _anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
    }

    public async Task DisposeAsync()
    {
        _anna.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task PostBatch_ThreeSignedOrders_All201StoredInOrderWithReceiptsUnderOneSignature()
    {
        var body = await SignedOrders.SignBatchBodyAsync(_anna, [Sell(1000, 1200), Sell(1500, 1300), Buy(500, 2500)]);

        var results = await PostAsync(body);

        results.Select(r => r.GetProperty("status").GetInt32()).ShouldBe([201, 201, 201]);
        var orders = results.Select(r => r.GetProperty("order")).ToList();
        orders.Select(o => o.GetProperty("energyWh").GetInt64()).ShouldBe([1000L, 1500, 500]);
        var ids = orders.Select(o => o.GetProperty("id").GetInt64()).ToList();
        ids.ShouldBe([.. ids.Order()]);
        var receipts = orders.Select(o => AcceptanceReceipt.FromJson(o.GetProperty("receipt").GetRawText())).ToList();
        receipts.ShouldAllBe(r => r.Verify(null) == null);
        receipts.Select(r => r.Sequence).ShouldBe(ids);
        receipts.Select(r => Convert.ToHexString(r.Signature)).Distinct().Count().ShouldBe(1);
        receipts.Select(r => r.BatchSize).ShouldBe([3L, 3, 3]);
        (await StoredAsync()).ShouldBe(ids);
    }

    [Fact]
    public async Task PostBatch_OneOrderOutsideThePriceBand_ThatOne422NothingOfItStoredTheOthers201()
    {
        var body = await SignedOrders.SignBatchBodyAsync(_anna, [Sell(1000, 1200), Sell(1000, 99_999), Buy(500, 2500)]);

        var results = await PostAsync(body);

        results.Select(r => r.GetProperty("status").GetInt32()).ShouldBe([201, 422, 201]);
        results[1].GetProperty("field").GetString().ShouldBe("limitPrice");
        results[1].GetProperty("error").GetString().ShouldNotBeNullOrWhiteSpace();
        results[1].TryGetProperty("order", out _).ShouldBeFalse();
        (await StoredAsync()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task PostBatch_SameBatchAgainWithItsKey_SameOrders200AndNothingNew_AnotherBodyWithTheKeyConflicts()
    {
        var body = await SignedOrders.SignBatchBodyAsync(_anna, [Sell(1000, 1200), Buy(500, 2500)]);
        var first = await PostAsync(body, "agent-run-7");

        var again = await PostAsync(body, "agent-run-7");
        var other = await PostAsync(await SignedOrders.SignBatchBodyAsync(_anna, [Sell(700, 1200), Buy(500, 2500)]), "agent-run-7");

        again.Select(r => r.GetProperty("status").GetInt32()).ShouldBe([200, 200]);
        again.Select(Id).ShouldBe(first.Select(Id));
        other.Select(r => r.GetProperty("status").GetInt32()).ShouldBe([422, 422]);
        other[0].GetProperty("field").GetString().ShouldBe("Idempotency-Key");
        (await StoredAsync()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task PostBatch_AnOrderReplayedFromAnEarlierBatch_RefusedAsReplayedTheOtherStored()
    {
        var body = JsonSerializer.SerializeToElement(await SignedOrders.SignBatchBodyAsync(_anna, [Sell(1000, 1200), Buy(500, 2500)]), Market.Web.Api.ApiInput.Json);
        (await PostAsync(body)).Select(r => r.GetProperty("status").GetInt32()).ShouldBe([201, 201]);
        var fresh = JsonSerializer.SerializeToElement(await SignedOrders.SignBatchBodyAsync(_anna, [Sell(800, 1200)]), Market.Web.Api.ApiInput.Json);
        var replay = new { orders = new[] { body.GetProperty("orders")[0], fresh.GetProperty("orders")[0] } };

        var results = await PostAsync(replay);

        results.Select(r => r.GetProperty("status").GetInt32()).ShouldBe([422, 201]);
        results[0].GetProperty("field").GetString().ShouldBe("nonce");
        (await StoredAsync()).Count.ShouldBe(3);
    }

    [Theory]
    [InlineData("no orders", 422)]
    [InlineData("65 orders", 422)]
    [InlineData("unknown field", 400)]
    [InlineData("not JSON", 400)]
    [InlineData("too large", 413)]
    [InlineData("text/plain", 415)]
    public async Task PostBatch_BadRequest_RefusedAndNothingStored(string what, int status)
    {
        var one = JsonSerializer.Serialize(await SignedOrders.SignBatchBodyAsync(_anna, [Sell(1000, 1200)]), Market.Web.Api.ApiInput.Json);
        var order = JsonDocument.Parse(one).RootElement.GetProperty("orders")[0].GetRawText();
        var text = what switch
        {
            "no orders" => """{"orders":[]}""",
            "65 orders" => $$"""{"orders":[{{string.Join(',', Enumerable.Repeat(order, 65))}}]}""",
            "unknown field" => one.Replace("{\"orders\"", "{\"extra\":1,\"orders\"", StringComparison.Ordinal),
            "not JSON" => one[..^1],
            "too large" => $$"""{"orders":[{{order}}],"pad":"{{new string('x', Market.Web.Api.OrderApi.MaxBatchBodyBytes)}}"}""",
            _ => one,
        };
        using var content = new StringContent(text, System.Text.Encoding.UTF8, new System.Net.Http.Headers.MediaTypeHeaderValue(what == "text/plain" ? "text/plain" : "application/json"));

        using var response = await _anna.PostAsync(new Uri("/api/orders/batch", UriKind.Relative), content);

        ((int)response.StatusCode).ShouldBe(status, await response.Content.ReadAsStringAsync());
        (await StoredAsync()).ShouldBeEmpty();
    }

    private PlaceOrder Sell(long wh, long price) => new(OrderSide.Sell, wh, price, _interval);

    private PlaceOrder Buy(long wh, long price) => new(OrderSide.Buy, wh, price, _interval);

    private static long Id(JsonElement result) => result.GetProperty("order").GetProperty("id").GetInt64();

    private async Task<List<JsonElement>> PostAsync(object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/orders/batch", UriKind.Relative)) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await _anna.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        return [.. document.RootElement.GetProperty("results").EnumerateArray().Select(e => e.Clone())];
    }

    private async Task<List<long>> StoredAsync()
    {
        await using var db = _app.CreateDb();
        return await db.Orders.OrderBy(o => o.Id).Select(o => o.Id).ToListAsync();
    }
}
