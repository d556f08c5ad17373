using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Api;

/// <summary>GET /api/orders and /api/trades a page at a time: a cursor, never a silent cap (docs/adr/0026).</summary>
public sealed class CursorPagingTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();
    private long _interval;
    private long _length;

    public Task InitializeAsync()
    {
        var clock = _app.Get<MarketClock>();
        _interval = clock.FirstOpenInterval();
        _length = clock.LengthOf(_interval);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task GetOrders_PagesOfThree_EveryOrderExactlyOnceNewestIntervalFirst()
    {
        var mine = await SeedAnnaAsync();
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var (items, pages) = await AllAsync(anna, "/api/orders?limit=3");

        items.Select(i => i.GetProperty("id").GetInt64()).ShouldBe(mine.OrderByDescending(o => o.IntervalStart).ThenByDescending(o => o.Id).Select(o => o.Id));
        pages.ShouldBe(4);
    }

    [Fact]
    public async Task GetOrders_StatusAndSideFilters_OnlyMatchingOrdersAcrossPages()
    {
        var mine = await SeedAnnaAsync();
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var (items, _) = await AllAsync(anna, "/api/orders?limit=2&status=filled,cancelled&side=sell");

        var expected = mine.Where(o => o.Side == OrderSide.Sell && o.Status is OrderStatus.Filled or OrderStatus.Cancelled).Select(o => o.Id).Order();
        items.Select(i => i.GetProperty("id").GetInt64()).Order().ShouldBe(expected);
        items.ShouldAllBe(i => i.GetProperty("side").GetString() == "sell");
    }

    [Fact]
    public async Task GetOrders_OrdersAddedWhilePaging_NoRepeatsAndNoneOfTheOldMissed()
    {
        var mine = await SeedAnnaAsync();
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        var first = await anna.GetFromJsonAsync<JsonElement>(new Uri("/api/orders?limit=4", UriKind.Relative));
        var seen = first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();

        // One newer than every page (a later interval), one in the middle of what is still to come.
        await InsertAsync("anna@demo.energy", [(_interval + (10 * _length), OrderStatus.Open, OrderSide.Sell), (_interval - (3 * _length), OrderStatus.Filled, OrderSide.Buy)]);
        var (rest, _) = await AllAsync(anna, "/api/orders?limit=4", first.GetProperty("next").GetString());
        seen.AddRange(rest.Select(i => i.GetProperty("id").GetInt64()));

        seen.Count.ShouldBe(seen.Distinct().Count());
        mine.Select(o => o.Id).ShouldBeSubsetOf(seen);
    }

    [Theory]
    [InlineData("/api/orders?limit=0", "limit")]
    [InlineData("/api/orders?limit=201", "limit")]
    [InlineData("/api/orders?cursor=abc", "cursor")]
    [InlineData("/api/orders?cursor=AQAAAABpWfTAAAAAAAAAAAE=", "cursor")]
    [InlineData("/api/orders?status=done", "status")]
    [InlineData("/api/orders?side=hold", "side")]
    [InlineData("/api/orders?afterId=5", "cursor")]
    [InlineData("/api/trades?limit=1000", "limit")]
    [InlineData("/api/trades?cursor=%2F%2F%2F", "cursor")]
    [InlineData("/api/trades?side=both", "side")]
    public async Task GetList_BadPagingOrFilter_400ProblemNamingIt(string path, string named)
    {
        await SeedAnnaAsync();
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        using var response = await anna.GetAsync(new Uri(path, UriKind.Relative));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("detail").GetString()!.ShouldContain(named);
    }

    [Fact]
    public async Task GetOrders_AnotherHouseholdsCursor_OnlyOwnOrders()
    {
        var annas = await SeedAnnaAsync();
        var bens = await InsertAsync("ben@demo.energy", [(_interval - (20 * _length), OrderStatus.Filled, OrderSide.Buy)]);
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        using var ben = await ApiClient.ForAsync(_app, "ben@demo.energy");
        var annasNext = (await anna.GetFromJsonAsync<JsonElement>(new Uri("/api/orders?limit=2", UriKind.Relative))).GetProperty("next").GetString()!;

        var (items, _) = await AllAsync(ben, "/api/orders?limit=2", annasNext);

        items.Select(i => i.GetProperty("id").GetInt64()).ShouldBe(bens.Select(o => o.Id));
        items.Select(i => i.GetProperty("id").GetInt64()).ShouldNotContain(id => annas.Any(a => a.Id == id));
    }

    [Fact]
    public async Task GetTrades_PagesOfOne_EveryTradeOnceAndTheSideFilterApplies()
    {
        for (var k = 0; k < 3; k++)
        {
            await _app.AnnaSellsToBenAsync(_interval + (k * _length));
            await _app.CloseGateAndClearAsync(_interval + (k * _length));
        }

        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var (sold, pages) = await AllAsync(anna, "/api/trades?limit=1");
        var (bought, _) = await AllAsync(anna, "/api/trades?side=buy");

        sold.Count.ShouldBe(3);
        pages.ShouldBe(3);
        sold.Select(i => i.GetProperty("id").GetInt64()).Distinct().Count().ShouldBe(3);
        sold.Select(i => i.GetProperty("intervalStart").GetDateTimeOffset()).ShouldBeInOrder(SortDirection.Descending);
        bought.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetOrders_NoLimit_FiftyAndANextCursor()
    {
        await InsertAsync("anna@demo.energy", Enumerable.Range(1, 51).Select(i => (_interval - (i * _length), OrderStatus.Filled, OrderSide.Sell)));
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var page = await anna.GetFromJsonAsync<JsonElement>(new Uri("/api/orders", UriKind.Relative));

        page.GetProperty("items").GetArrayLength().ShouldBe(50);
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.String);
    }

    /// <summary>Follows <c>next</c> from <paramref name="path"/> (at <paramref name="cursor"/>) to the end; the items in order and the number of pages.</summary>
    private static async Task<(List<JsonElement> Items, int Pages)> AllAsync(HttpClient client, string path, string? cursor = null)
    {
        var items = new List<JsonElement>();
        var pages = 0;
        var next = cursor is null ? path : path + "&cursor=" + Uri.EscapeDataString(cursor);
        while (next is not null && pages < 100)
        {
            var page = await client.GetFromJsonAsync<JsonElement>(new Uri(next, UriKind.Relative));
            pages++;
            items.AddRange(page.GetProperty("items").EnumerateArray());
            next = page.GetProperty("next").GetString() is { } following
                ? path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "cursor=" + Uri.EscapeDataString(following)
                : null;
        }

        return (items, pages);
    }

    /// <summary>Ten orders of Anna's over six intervals, two intervals holding two (the id breaks the tie).</summary>
    private Task<List<OrderEntity>> SeedAnnaAsync() => InsertAsync("anna@demo.energy",
    [
        (_interval, OrderStatus.Open, OrderSide.Sell),
        (_interval, OrderStatus.Open, OrderSide.Buy),
        (_interval - _length, OrderStatus.Filled, OrderSide.Sell),
        (_interval - (2 * _length), OrderStatus.Cancelled, OrderSide.Sell),
        (_interval - (2 * _length), OrderStatus.PartiallyFilled, OrderSide.Sell),
        (_interval - (4 * _length), OrderStatus.Unmatched, OrderSide.Buy),
        (_interval - (5 * _length), OrderStatus.Filled, OrderSide.Buy),
        (_interval - (6 * _length), OrderStatus.Filled, OrderSide.Sell),
        (_interval - (7 * _length), OrderStatus.Cancelled, OrderSide.Buy),
        (_interval - (8 * _length), OrderStatus.Filled, OrderSide.Sell),
    ]);

    private async Task<List<OrderEntity>> InsertAsync(string email, IEnumerable<(long Start, OrderStatus Status, OrderSide Side)> orders)
    {
        var household = await _app.HouseholdAsync(email);
        await using var db = _app.CreateDb();
        var rows = orders.Select(o =>
        {
            var e = OrderEntity.Open(household.Id, o.Side, 1000, 1500, o.Start, 0);
            e.Status = o.Status;
            return e;
        }).ToList();
        db.Orders.AddRange(rows);
        await db.SaveChangesAsync();
        return rows;
    }
}
