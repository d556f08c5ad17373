using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests.Support;

/// <summary>
/// Orders signed the way a household's device signs them (docs/ledger-format.md §3.1): the test households' keys are
/// simulated devices (<see cref="DemoDeviceKeys"/>, enrolled on first use), so every order a test places goes through
/// the same signature check as a browser's or an agent's.
/// </summary>
public static class SignedOrders
{
    private static readonly ConditionalWeakTable<HttpClient, Owner> Owners = new();

    /// <summary>The signed form of <paramref name="order"/> for <paramref name="household"/>.</summary>
    public static async Task<PlaceOrder> SignAsync(this MarketFactory app, Household household, PlaceOrder order) =>
        (await app.Get<DemoDeviceKeys>().SignOrdersAsync(household, [order], app.Get<MarketClock>()))[0];

    /// <summary>Signs and places an order through <see cref="OrderService"/>.</summary>
    public static async Task<OrderResult> PlaceSignedAsync(this MarketFactory app, Household household, PlaceOrder order) =>
        await app.Get<OrderService>().PlaceAsync(household.Id, await app.SignAsync(household, order));

    /// <summary>Signs and places an order of the household with this id.</summary>
    public static async Task<OrderResult> PlaceSignedAsync(this MarketFactory app, long householdId, PlaceOrder order)
    {
        Household household;
        await using (var db = app.CreateDb())
        {
            household = db.Households.Single(h => h.Id == householdId);
        }

        return await app.PlaceSignedAsync(household, order);
    }

    /// <summary>The batch with each known household's orders signed (one submission per household).</summary>
    public static async Task<BatchOrder[]> SignAsync(this MarketFactory app, params BatchOrder[] batch)
    {
        var signed = (BatchOrder[])batch.Clone();
        foreach (var group in batch.Select((b, i) => (b, i)).GroupBy(x => x.b.HouseholdId))
        {
            await using var db = app.CreateDb();
            if (db.Households.SingleOrDefault(h => h.Id == group.Key) is not { } household)
            {
                continue; // unknown on purpose: the market's answer is what the test wants
            }

            var orders = await app.Get<DemoDeviceKeys>().SignOrdersAsync(household, group.Select(x => x.b.Request).ToList(), app.Get<MarketClock>());
            var k = 0;
            foreach (var (b, i) in group)
            {
                signed[i] = b with { Request = orders[k++] };
            }
        }

        return signed;
    }

    /// <summary>Cancels an order with the household's signed cancellation.</summary>
    public static Task<StatementsResult> CancelSignedAsync(this MarketFactory app, Household household, OrderEntity order) =>
        app.Get<HouseholdStatements>().SignAndSubmitAsync(household.Id, app.SignerFor(household), [(StatementType.Cancellation, order.StatementHash)]);

    /// <summary>A <see cref="StatementSigner"/> for the household's simulated device.</summary>
    public static StatementSigner SignerFor(this MarketFactory app, Household household) => app.Get<DemoDeviceKeys>().For(household);

    /// <summary>
    /// Remembers whose token a client carries, so the order helpers can sign its orders, and enrols the household's
    /// simulated device now (while the database is surely writable).
    /// </summary>
    internal static async Task RememberAsync(HttpClient client, IServiceProvider services, string email)
    {
        Owners.AddOrUpdate(client, new Owner(services, email));
        await using var db = await services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContextAsync();
        var household = await db.Households.AsNoTracking().SingleOrDefaultAsync(h => db.Users.Any(u => u.Id == h.UserId && u.Email == email));
        if (household is not null)
        {
            await services.GetRequiredService<DemoDeviceKeys>().EnsureEnrolledAsync([household]);
        }
    }


    /// <summary>
    /// The API body of an order signed by the client's household: nonce and signature added. A retry with the same
    /// idempotency key and body gets the same signed body, as a real client's retry would.
    /// </summary>
    internal static async Task<object> SignBodyAsync(HttpClient client, object body, string? idempotencyKey = null)
    {
        if (!Owners.TryGetValue(client, out var owner))
        {
            return body;
        }

        var cacheKey = idempotencyKey is null ? null : $"{owner.Email}|{idempotencyKey}|{JsonSerializer.Serialize(body, Market.Web.Api.ApiInput.Json)}";
        if (cacheKey is not null && owner.Signed.TryGetValue(cacheKey, out var earlier))
        {
            return earlier;
        }

        var signedBody = await SignNewBodyAsync(owner, body);
        if (cacheKey is not null)
        {
            owner.Signed[cacheKey] = signedBody;
        }

        return signedBody;
    }

    private static async Task<object> SignNewBodyAsync(Owner owner, object body)
    {
        var json = JsonSerializer.SerializeToElement(body, Market.Web.Api.ApiInput.Json);
        if (json.TryGetProperty("signature", out _) || json.TryGetProperty("mandate", out _)
            || !json.TryGetProperty("side", out var sideText) || !json.TryGetProperty("energyWh", out var energy)
            || !json.TryGetProperty("limitPrice", out var price) || !json.TryGetProperty("intervalStart", out var start)
            || sideText.GetString() is not ("buy" or "sell") || energy.ValueKind != JsonValueKind.Number || price.ValueKind != JsonValueKind.Number
            || !start.TryGetDateTimeOffset(out var startAt) || !energy.TryGetInt64(out var wh) || !price.TryGetInt64(out var limit))
        {
            return body; // malformed on purpose: the test wants the market's answer to it
        }

        Household? household;
        await using (var db = await owner.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContextAsync())
        {
            household = db.Households.AsNoTracking().SingleOrDefault(h => db.Users.Any(u => u.Id == h.UserId && u.Email == owner.Email));
        }

        if (household is null)
        {
            return body; // not a household's token: the market refuses it before any signature matters
        }

        var side = sideText.GetString() == "buy" ? OrderSide.Buy : OrderSide.Sell;
        var signed = (await owner.Services.GetRequiredService<DemoDeviceKeys>().SignOrdersAsync(household, [new PlaceOrder(side, wh, limit, startAt.ToUnixTimeSeconds())], owner.Services.GetRequiredService<MarketClock>()))[0];
        var signature = ((SignedOrder)signed.Authorization!).Signature;
        var fields = json.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        fields["nonce"] = Convert.ToHexStringLower(signed.Nonce!);
        fields["signature"] = SignatureBody(signature);
        return fields;
    }

    /// <summary>
    /// The body of POST /api/orders/batch for the client's household: the orders signed as one submission, as an
    /// agent sends them.
    /// </summary>
    internal static async Task<object> SignBatchBodyAsync(HttpClient client, IReadOnlyList<PlaceOrder> orders)
    {
        var unsigned = new
        {
            orders = orders.Select(o => new { side = o.Side == OrderSide.Buy ? "buy" : "sell", energyWh = o.EnergyWh, limitPrice = o.LimitPrice, intervalStart = DateTimeOffset.FromUnixTimeSeconds(o.IntervalStart) }).ToArray(),
        };
        if (!Owners.TryGetValue(client, out var owner))
        {
            return unsigned;
        }

        Household? household;
        await using (var db = await owner.Services.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContextAsync())
        {
            household = await db.Households.AsNoTracking().SingleOrDefaultAsync(h => db.Users.Any(u => u.Id == h.UserId && u.Email == owner.Email));
        }

        if (household is null)
        {
            return unsigned; // not a household's token: the market refuses it before any signature matters
        }

        var signed = await owner.Services.GetRequiredService<DemoDeviceKeys>().SignOrdersAsync(household, orders, owner.Services.GetRequiredService<MarketClock>());
        return new
        {
            orders = signed.Select(o =>
            {
                var signature = ((SignedOrder)o.Authorization!).Signature;
                return new
                {
                    side = o.Side == OrderSide.Buy ? "buy" : "sell",
                    energyWh = o.EnergyWh,
                    limitPrice = o.LimitPrice,
                    intervalStart = DateTimeOffset.FromUnixTimeSeconds(o.IntervalStart),
                    nonce = Convert.ToHexStringLower(o.Nonce!),
                    signature = SignatureBody(signature),
                };
            }).ToArray(),
        };
    }

    /// <summary>A signature as the API takes it (docs/ledger-format.md §3.1).</summary>
    private static object SignatureBody(HouseholdSignature signature) => new
    {
        keyId = Convert.ToHexStringLower(signature.KeyId),
        value = Convert.ToHexStringLower(signature.Signature),
        submissionSize = signature.SubmissionSize,
        index = signature.Index,
        path = signature.Path.Select(Convert.ToHexStringLower).ToArray(),
    };

    private sealed record Owner(IServiceProvider Services, string Email)
    {
        /// <summary>Bodies signed for an idempotency key: this client's, in this market.</summary>
        public ConcurrentDictionary<string, object> Signed { get; } = new();
    }
}
