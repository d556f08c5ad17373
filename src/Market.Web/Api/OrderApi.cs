using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Market.Web.Api;

/// <summary>The body of <c>POST /api/orders</c>. Unknown fields are rejected.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PlaceOrderRequest(
    [property: JsonRequired] string Side,
    [property: JsonRequired] long EnergyWh,
    [property: JsonRequired] long LimitPrice,
    [property: JsonRequired] DateTimeOffset IntervalStart);

/// <summary>An order as the API shows it to its owner.</summary>
public sealed record OrderDto(
    long Id,
    string Side,
    long EnergyWh,
    long LimitPrice,
    DateTimeOffset IntervalStart,
    DateTimeOffset IntervalEnd,
    string Status,
    long FilledWh,
    string? Outcome,
    long? StandingOrderId,
    DateTimeOffset CreatedAt)
{
    public static OrderDto From(OrderEntity o, long intervalSeconds) => new(
        o.Id,
        o.Side == OrderSide.Buy ? "buy" : "sell",
        o.EnergyWh,
        o.LimitPrice,
        DateTimeOffset.FromUnixTimeSeconds(o.IntervalStart),
        DateTimeOffset.FromUnixTimeSeconds(o.IntervalStart + intervalSeconds),
        StatusName(o.Status),
        o.FilledWh,
        o.Outcome,
        o.StandingOrderId,
        DateTimeOffset.FromUnixTimeMilliseconds(o.CreatedAtMs));

    public static string StatusName(OrderStatus s) => s switch
    {
        OrderStatus.Open => "open",
        OrderStatus.Cancelled => "cancelled",
        OrderStatus.Filled => "filled",
        OrderStatus.PartiallyFilled => "partially-filled",
        OrderStatus.Unmatched => "expired-unmatched",
        _ => "unknown",
    };
}

/// <summary>A trade as the API shows it to one of its parties.</summary>
public sealed record TradeDto(long Id, DateTimeOffset IntervalStart, string Side, long EnergyWh, long Price, long Amount, string Counterparty, long BlockHeight, string ReceiptUrl);

/// <summary>A cleared interval, public.</summary>
public sealed record IntervalDto(DateTimeOffset IntervalStart, DateTimeOffset IntervalEnd, long? Price, long VolumeWh, int Trades);

/// <summary>REST endpoints for households' agents (home batteries, energy managers).</summary>
public static class OrderApi
{
    public const int MaxBodyBytes = 16 * 1024;
    public const string RateLimitPolicy = "api";

    public static IEndpointRouteBuilder MapOrderApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireRateLimiting(RateLimitPolicy);
        var mine = api.MapGroup("").RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());

        mine.MapPost("/orders", PlaceAsync).WithTags("Orders").WithSummary("Post a bid (buy) or an offer (sell) for an open interval")
            .Accepts<PlaceOrderRequest>("application/json")
            .Produces<OrderDto>(StatusCodes.Status201Created).Produces<OrderDto>(StatusCodes.Status200OK).ProducesProblem(400).ProducesProblem(422).ProducesProblem(413).ProducesProblem(415).ProducesProblem(503);
        mine.MapGet("/orders", ListAsync).WithTags("Orders").WithSummary("My orders, newest interval first (the latest 500); with afterId, those after that id in id order (limit 1-1000, default 500)");
        mine.MapDelete("/orders/{id:long}", CancelAsync).WithTags("Orders").WithSummary("Cancel one of my open orders before its gate closes");
        mine.MapGet("/trades", TradesAsync).WithTags("Trades").WithSummary("My trades, newest first");
        api.MapGet("/market/intervals", IntervalsAsync).WithTags("Market").WithSummary("Cleared intervals with price and volume (public)").AllowAnonymous();
        return app;
    }

    private static async Task<IResult> PlaceAsync(HttpContext http, HouseholdCache households, OrderService orders, OrderIntake intake, MarketClock clock, MarketMetrics metrics, CancellationToken ct)
    {
        var household = await FindHouseholdAsync(households, http.User, ct);
        if (household is null)
        {
            return Problem(403, "Not a household", "Only a household's token can trade.");
        }

        if (!ApiInput.Is(http.Request, "application/json"))
        {
            return ApiInput.UnsupportedMediaType("application/json");
        }

        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return Problem(413, "Body too large", $"An order is at most {MaxBodyBytes} bytes of JSON.");
        }

        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return Problem(413, "Body too large", $"An order is at most {MaxBodyBytes} bytes of JSON.");
        }

        if (!ApiInput.TryReadJson<PlaceOrderRequest>(body, "Malformed order", out var request, out var malformed))
        {
            return malformed;
        }

        OrderSide? side = request.Side switch { "buy" => OrderSide.Buy, "sell" => OrderSide.Sell, _ => null };
        if (side is null)
        {
            return Validation("side", "Side must be \"buy\" or \"sell\".");
        }

        IdempotencyKey? key = null;
        if (http.Request.Headers.TryGetValue("Idempotency-Key", out var values))
        {
            var k = values.ToString();
            if (k.Length is 0 or > 100)
            {
                return Validation("Idempotency-Key", "The Idempotency-Key header must be 1 to 100 characters.");
            }

            key = new IdempotencyKey(http.User.FindFirstValue(ClaimTypes.NameIdentifier)!, k, SHA256.HashData(body));
        }

        var place = new PlaceOrder(side.Value, request.EnergyWh, request.LimitPrice, request.IntervalStart.ToUnixTimeSeconds());
        OrderResult result;
        if (orders.Validate(household, place) is { } rejection)
        {
            // A retry of an accepted order is answered with that order even when it would no longer be accepted
            // (its gate has closed since); a reused key with another body is a conflict, as before validation.
            result = key is null ? rejection : await orders.FindIdempotentAsync(key, ct) ?? rejection;
        }
        else
        {
            try
            {
                result = await intake.SubmitAsync(household.Id, place, key, ct);
            }
            catch (OrderNotStoredException e)
            {
                return StorageFault.Of(e) is { } fault ? StorageFaultResponses.Unavailable(http, fault) : Problem(500, "Order not stored", e.Message);
            }
        }

        if (result.Conflict)
        {
            return Problem(422, "Idempotency-Key reused", result.Error!);
        }

        if (!result.Succeeded)
        {
            metrics.OrderRejected(ApiField(result.Field!));
            return Validation(ApiField(result.Field!), result.Error!);
        }

        var dto = OrderDto.From(result.Order!, clock.LengthOf(result.Order!.IntervalStart));
        return result.Replayed ? Results.Ok(dto) : Results.Created($"/api/orders/{dto.Id}", dto);
    }

    private static async Task<IResult> ListAsync(HttpContext http, HouseholdCache households, OrderService orders, MarketClock clock, long? afterId, int? limit, CancellationToken ct)
    {
        var household = await FindHouseholdAsync(households, http.User, ct);
        if (household is null)
        {
            return Problem(403, "Not a household", "Only a household's token has orders.");
        }

        var list = afterId is { } after
            ? await orders.ListAfterAsync(household.Id, after, Math.Clamp(limit ?? 500, 1, 1000), ct)
            : await orders.ListAsync(household.Id, 500, ct);
        return Results.Ok(list.Select(o => OrderDto.From(o, clock.LengthOf(o.IntervalStart))));
    }

    private static async Task<IResult> CancelAsync(long id, HttpContext http, HouseholdCache households, OrderService orders, MarketClock clock, CancellationToken ct)
    {
        var household = await FindHouseholdAsync(households, http.User, ct);
        if (household is null)
        {
            return Problem(403, "Not a household", "Only a household's token has orders.");
        }

        var result = await orders.CancelAsync(household.Id, id, ct);
        if (result.NotFound)
        {
            // Someone else's order looks exactly like a missing one: no hint that it exists.
            return Problem(404, "No such order", $"You have no order {id}.");
        }

        return result.Succeeded ? Results.Ok(OrderDto.From(result.Order!, clock.LengthOf(result.Order!.IntervalStart))) : Problem(409, "Cannot cancel", result.Error!);
    }

    private static async Task<IResult> TradesAsync(HttpContext http, HouseholdCache households, MarketQueries queries, CancellationToken ct)
    {
        var household = await FindHouseholdAsync(households, http.User, ct);
        if (household is null)
        {
            return Problem(403, "Not a household", "Only a household's token has trades.");
        }

        var trades = await queries.TradesOfAsync(household.Id, 1000, ct);
        return Results.Ok(trades.Select(t => new TradeDto(
            t.Id, DateTimeOffset.FromUnixTimeSeconds(t.IntervalStart), t.Side == OrderSide.Buy ? "buy" : "sell", t.EnergyWh, t.Price, t.Amount,
            Convert.ToHexStringLower(t.Counterparty), t.BlockHeight, $"/api/ledger/trades/{t.Id}/proof")));
    }

    private static async Task<IResult> IntervalsAsync(MarketQueries queries, MarketClock clock, int? limit, CancellationToken ct)
    {
        var rows = await queries.RecentIntervalsAsync(Math.Clamp(limit ?? 96, 1, 2000), ct);
        return Results.Ok(rows.Select(r => new IntervalDto(
            DateTimeOffset.FromUnixTimeSeconds(r.IntervalStart), DateTimeOffset.FromUnixTimeSeconds(clock.Next(r.IntervalStart)), r.Price, r.VolumeWh, r.TradeCount)));
    }

    /// <summary>Reads at most <see cref="MaxBodyBytes"/>; null when the body is longer (also for chunked bodies without a length).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var buffer = new byte[MaxBodyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }

        return total > MaxBodyBytes ? null : buffer[..total];
    }

    private static Task<Household?> FindHouseholdAsync(HouseholdCache households, ClaimsPrincipal user, CancellationToken ct) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId ? households.FindAsync(userId, ct) : Task.FromResult<Household?>(null);

    private static string ApiField(string field) => field switch
    {
        "energy" => "energyWh",
        "price" => "limitPrice",
        "interval" => "intervalStart",
        _ => field,
    };

    private static IResult Validation(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "The order was not accepted", statusCode: 422);

    public static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}
