using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Support;

/// <summary>Creates API clients that authenticate as a given user with a fresh personal access token.</summary>
public static class ApiClient
{
    public static async Task<HttpClient> ForAsync(MarketFactory app, string email)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(app, email));
        await SignedOrders.RememberAsync(client, app.Services, email);
        return client;
    }

    /// <summary>A fresh personal access token of <paramref name="email"/>'s account.</summary>
    public static async Task<string> TokenAsync(MarketFactory app, string email)
    {
        string userId;
        await using (var db = app.CreateDb())
        {
            userId = (await db.Users.SingleAsync(u => u.Email == email)).Id;
        }

        var (_, secret) = await app.Get<ApiTokenService>().CreateAsync(userId, "test");
        return secret;
    }

    public static object Order(string side, long energyWh, long limitPrice, long intervalStart) =>
        new { side, energyWh, limitPrice, intervalStart = DateTimeOffset.FromUnixTimeSeconds(intervalStart) };

    /// <summary>Posts an order, signed by the client's household's device when the body is a well-formed unsigned order.</summary>
    public static async Task<HttpResponseMessage> PostOrderAsync(this HttpClient client, object body, string? idempotencyKey = null, bool sign = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/orders", UriKind.Relative))
        {
            Content = JsonContent.Create(sign ? await SignedOrders.SignBodyAsync(client, body, idempotencyKey) : body),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public static async Task<int> OrderCountAsync(MarketFactory app)
    {
        await using var db = app.CreateDb();
        return await db.Orders.CountAsync();
    }

    public static async Task<long> FirstOrderIdAsync(MarketFactory app, string email)
    {
        var household = await app.HouseholdAsync(email);
        await using var db = app.CreateDb();
        return await db.Orders.Where(o => o.HouseholdId == household.Id).Select(o => o.Id).FirstAsync();
    }

    public static OrderSide Side(string side) => side == "buy" ? OrderSide.Buy : OrderSide.Sell;
}
