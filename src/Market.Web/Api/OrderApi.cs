using Market.Ledger;
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
    [property: JsonRequired] DateTimeOffset IntervalStart)
{
    /// <summary>The household's nonce of a signed order, 32 hex digits.</summary>
    public string? Nonce { get; init; }

    /// <summary>The household key's signature over the order statement (docs/ledger-format.md §3.1).</summary>
    public SignatureDto? Signature { get; init; }

    /// <summary>The mandate (64 hex digits) an order made without a signature falls under.</summary>
    public string? Mandate { get; init; }
}

/// <summary>
/// A household key's signature of a submission, and where one statement sits in it: the key id, the 64-byte
/// signature, the submission's size, the statement's index and its inclusion path (hex).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SignatureDto(
    [property: JsonRequired] string KeyId,
    [property: JsonRequired] string Value,
    int SubmissionSize = 1,
    int Index = 0,
    IReadOnlyList<string>? Path = null)
{
    /// <summary>The signature, or the reason it cannot be read.</summary>
    public HouseholdSignature? ToSignature(out string? error)
    {
        error = null;
        var keyId = ApiInput.Hex(KeyId, 32);
        var value = ApiInput.Hex(Value, 64);
        var path = (Path ?? []).Select(p => ApiInput.Hex(p, 32)).ToArray();
        if (keyId is null || value is null || Array.Exists(path, p => p is null))
        {
            error = "keyId is 64 hex digits, value 128 and each path element 64.";
            return null;
        }

        if (SubmissionSize is < 1 or > 1024 || Index < 0 || Index >= SubmissionSize)
        {
            error = "submissionSize is 1 to 1024 and index below it.";
            return null;
        }

        return new HouseholdSignature(keyId, value, SubmissionSize, Index, path!);
    }
}

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
    /// <summary>The operator's signed acceptance receipt of a signed order (docs/ledger-format.md §11.1); keep it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public System.Text.Json.JsonElement? Receipt { get; init; }

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

/// <summary>
/// One page of a list: <c>items</c>, newest delivery interval first, and <c>next</c>, the cursor for the following
/// (older) page, null when this page is the last (docs/adr/0026).
/// </summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, string? Next);

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
        mine.MapGet("/orders", ListAsync).WithTags("Orders")
            .WithSummary("My orders, newest interval first, a page at a time")
            .WithDescription("Answers { items, next }: up to `limit` orders (1 to 200, default 50), newest delivery interval first, then newest id. " +
                "Pass `next` back as `cursor` for the following page; `next` is null on the last page. Filters: `status` (one or more of " +
                "open, filled, partially-filled, expired-unmatched, cancelled, comma-separated) and `side` (buy or sell). A limit out of range, " +
                "an unknown filter value or a cursor this API did not give out is a 400 problem; nothing is cut silently.")
            .Produces<PageDto<OrderDto>>().ProducesProblem(400).ProducesProblem(403);
        mine.MapDelete("/orders/{id:long}", CancelAsync).WithTags("Orders").WithSummary("Cancel one of my open orders before its gate closes");
        mine.MapGet("/trades", TradesAsync).WithTags("Trades")
            .WithSummary("My trades, newest interval first, a page at a time")
            .WithDescription("Answers { items, next } like GET /api/orders: `limit` 1 to 200 (default 50), `cursor` from the previous page's `next`, " +
                "`side` buy (I bought) or sell (I sold). Bad values are a 400 problem.")
            .Produces<PageDto<TradeDto>>().ProducesProblem(400).ProducesProblem(403);
        api.MapGet("/market/intervals", IntervalsAsync).WithTags("Market").WithSummary("Cleared intervals with price and volume (public)").AllowAnonymous();
        return app;
    }

    private static IResult? ReadAuthorization(PlaceOrderRequest request, ref PlaceOrder place)
    {
        if (request.Signature is null && request.Mandate is null)
        {
            return request.Nonce is null ? null : Validation("signature", "A nonce came without a signature or a mandate.");
        }

        if (request.Signature is not null && request.Mandate is not null)
        {
            return Validation("signature", "An order is either signed or made under a mandate, not both.");
        }

        if (ApiInput.Hex(request.Nonce, 16) is not { } nonce)
        {
            return Validation("nonce", "A signed order needs a nonce of 32 hex digits, new for every order.");
        }

        OrderAuthorization authorization;
        if (request.Signature is { } dto)
        {
            if (dto.ToSignature(out var error) is not { } signature)
            {
                return Validation("signature", error!);
            }

            authorization = new SignedOrder(signature);
        }
        else if (ApiInput.Hex(request.Mandate, 32) is { } mandate)
        {
            authorization = new MandateOrder(mandate);
        }
        else
        {
            return Validation("mandate", "A mandate is 64 hex digits.");
        }

        place = place with { Nonce = nonce, Authorization = authorization };
        return null;
    }

    private static async Task<IResult> PlaceAsync(HttpContext http, HouseholdCache households, OrderService orders, OrderIntake intake, HouseholdKeyRing keyRing, ReceiptIssuer receipts, MarketClock clock, MarketMetrics metrics, CancellationToken ct)
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
        if (ReadAuthorization(request, ref place) is { } badAuthorization)
        {
            return badAuthorization;
        }

        OrderResult result;
        var authorized = AuthorizedOrder.None;
        var rejection = orders.Validate(household, place);
        if (rejection is null)
        {
            authorized = await keyRing.AuthorizeAsync(household, place, ct);
            rejection = authorized.Rejection;
        }

        if (rejection is not null)
        {
            // A retry of an accepted order is answered with that order even when it would no longer be accepted
            // (its gate has closed since); a reused key with another body is a conflict, as before validation.
            result = key is null ? rejection : await orders.FindIdempotentAsync(key, ct) ?? rejection;
        }
        else
        {
            try
            {
                result = await intake.SubmitAsync(household.Id, place, key, authorized, ct);
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
        if ((result.Receipt ?? await receipts.ForOrderAsync(household, result.Order!, ct)) is { } receipt)
        {
            dto = dto with { Receipt = receipt.ToJsonElement() };
        }

        return result.Replayed ? Results.Ok(dto) : Results.Created($"/api/orders/{dto.Id}", dto);
    }

    private static async Task<IResult> ListAsync(HttpContext http, HouseholdCache households, MarketQueries queries, MarketClock clock, string? status, string? side, string? cursor, int? limit, CancellationToken ct)
    {
        var household = await FindHouseholdAsync(households, http.User, ct);
        if (household is null)
        {
            return Problem(403, "Not a household", "Only a household's token has orders.");
        }

        if (ReadPaging(http.Request, cursor, limit, out var after, out var take) is { } bad)
        {
            return bad;
        }

        if (ReadSide(side, out var orderSide) is { } badSide)
        {
            return badSide;
        }

        List<OrderStatus>? statuses = null;
        if (status is not null)
        {
            statuses = [];
            foreach (var name in status.Split(',', StringSplitOptions.TrimEntries))
            {
                if (StatusOf(name) is not { } s)
                {
                    return Problem(400, "Unknown status", $"status \"{Clip(name)}\" is not one of open, filled, partially-filled, expired-unmatched, cancelled (comma-separated for several).");
                }

                statuses.Add(s);
            }
        }

        var page = await queries.OrdersPageAsync(household.Id, new OrderFilter(statuses, orderSide), after, take, ct);
        return Results.Ok(new PageDto<OrderDto>(page.Items.Select(o => OrderDto.From(o, clock.LengthOf(o.IntervalStart))).ToList(), page.Next?.Encode()));
    }

    private static async Task<IResult> CancelAsync(long id, HttpContext http, HouseholdCache households, OrderService orders, MarketClock clock, CancellationToken ct)
    {
        var household = await FindHouseholdAsync(households, http.User, ct);
        if (household is null)
        {
            return Problem(403, "Not a household", "Only a household's token has orders.");
        }

        var order = await orders.FindAsync(household.Id, id, ct);
        if (order is null)
        {
            // Someone else's order looks exactly like a missing one: no hint that it exists.
            return Problem(404, "No such order", $"You have no order {id}.");
        }

        // The market never cancels a household's order on its own word: the household signs the cancellation.
        return Problem(422, "Sign the cancellation",
            $"A cancellation is a signed statement: POST it to /api/household/statements (type cancellation, body {Convert.ToHexStringLower(order.StatementHash)}, the order's statement hash).");
    }

    private static async Task<IResult> TradesAsync(HttpContext http, HouseholdCache households, MarketQueries queries, string? side, string? cursor, int? limit, CancellationToken ct)
    {
        var household = await FindHouseholdAsync(households, http.User, ct);
        if (household is null)
        {
            return Problem(403, "Not a household", "Only a household's token has trades.");
        }

        if (ReadPaging(http.Request, cursor, limit, out var after, out var take) is { } bad)
        {
            return bad;
        }

        if (ReadSide(side, out var tradeSide) is { } badSide)
        {
            return badSide;
        }

        var page = await queries.TradesPageAsync(household.Id, tradeSide, after, take, ct);
        return Results.Ok(new PageDto<TradeDto>(page.Items.Select(t => new TradeDto(
            t.Id, DateTimeOffset.FromUnixTimeSeconds(t.IntervalStart), t.Side == OrderSide.Buy ? "buy" : "sell", t.EnergyWh, t.Price, t.Amount,
            Convert.ToHexStringLower(t.Counterparty), t.BlockHeight, $"/api/ledger/trades/{t.Id}/proof")).ToList(), page.Next?.Encode()));
    }

    /// <summary>The cursor and page size of a list request, or the problem that refuses it (never a silent cut).</summary>
    private static IResult? ReadPaging(HttpRequest request, string? cursor, int? limit, out PageCursor? after, out int take)
    {
        after = null;
        take = limit ?? Paging.DefaultLimit;
        if (request.Query.ContainsKey("afterId"))
        {
            return Problem(400, "afterId is no longer read", "Lists are paged with cursor: pass the previous page's \"next\" as cursor (docs/adr/0026).");
        }

        if (take is < 1 or > Paging.MaxLimit)
        {
            return Problem(400, "Limit out of range", $"limit must be from 1 to {Paging.MaxLimit}; follow \"next\" for more.");
        }

        if (cursor is not null)
        {
            if (!PageCursor.TryDecode(cursor, out var c))
            {
                return Problem(400, "Unknown cursor", "cursor must be the \"next\" of a previous page, unchanged; start without one for the first page.");
            }

            after = c;
        }

        return null;
    }

    private static IResult? ReadSide(string? side, out OrderSide? value)
    {
        value = side switch { null => null, "buy" => OrderSide.Buy, "sell" => OrderSide.Sell, _ => null };
        return side is null or "buy" or "sell" ? null : Problem(400, "Unknown side", $"side \"{Clip(side)}\" must be buy or sell.");
    }

    private static OrderStatus? StatusOf(string name) => name switch
    {
        "open" => OrderStatus.Open,
        "filled" => OrderStatus.Filled,
        "partially-filled" => OrderStatus.PartiallyFilled,
        "expired-unmatched" => OrderStatus.Unmatched,
        "cancelled" => OrderStatus.Cancelled,
        _ => null,
    };

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;

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
