using System.Globalization;
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

/// <summary>The body of <c>POST /api/orders/batch</c>: 1 to 64 orders, each as for <c>POST /api/orders</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PlaceOrderBatchRequest([property: JsonRequired] IReadOnlyList<PlaceOrderRequest> Orders);

/// <summary>
/// What became of one order of a batch: <c>status</c> as POST /api/orders would have answered (201, 200, 422, 503,
/// 500), with the order (and its receipt) when stored, else the field and the reason.
/// </summary>
public sealed record BatchResultDto(
    int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OrderDto? Order,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

/// <summary>The answer to <c>POST /api/orders/batch</c>: one result per order, in order.</summary>
public sealed record BatchResponseDto(IReadOnlyList<BatchResultDto> Results);

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

    /// <summary>The most orders one <c>POST /api/orders/batch</c> carries (a household submission holds up to 1,024 statements).</summary>
    public const int MaxBatchOrders = 64;

    /// <summary>The largest body of a batch: 64 orders with signatures of a 64-statement submission fit in half of it.</summary>
    public const int MaxBatchBodyBytes = 128 * 1024;
    public const string RateLimitPolicy = "api";

    public static IEndpointRouteBuilder MapOrderApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireRateLimiting(RateLimitPolicy);
        var mine = api.MapGroup("").RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());

        mine.MapPost("/orders", PlaceAsync).WithTags("Orders").WithSummary("Post a bid (buy) or an offer (sell) for an open interval")
            .Accepts<PlaceOrderRequest>("application/json")
            .Produces<OrderDto>(StatusCodes.Status201Created).Produces<OrderDto>(StatusCodes.Status200OK).ProducesProblem(400).ProducesProblem(422).ProducesProblem(413).ProducesProblem(415).ProducesProblem(503);
        mine.MapPost("/orders/batch", PlaceBatchAsync).WithTags("Orders").WithSummary("Post up to 64 bids and offers at once (an agent's signed submission)")
            .WithDescription("Body { orders: [ …each as for POST /api/orders… ] }. Each order is checked and answered as by POST /api/orders; " +
                "those accepted are stored together and their receipts share one signature. Answers 200 with { results: [ { status, order | field, error } ] }, " +
                "one per order in order: 201 stored, 200 the order an Idempotency-Key retry names, 422 refused (nothing of it stored), 503 or 500 not stored. " +
                "An Idempotency-Key header (1 to 90 characters) keys order i as the key with \"#i\". The batch counts as one request against the rate limit.")
            .Accepts<PlaceOrderBatchRequest>("application/json")
            .Produces<BatchResponseDto>().ProducesProblem(403).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
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

    private static OrderResult? ReadAuthorization(PlaceOrderRequest request, ref PlaceOrder place)
    {
        if (request.Signature is null && request.Mandate is null)
        {
            return request.Nonce is null ? null : OrderResult.Reject("signature", "A nonce came without a signature or a mandate.");
        }

        if (request.Signature is not null && request.Mandate is not null)
        {
            return OrderResult.Reject("signature", "An order is either signed or made under a mandate, not both.");
        }

        if (ApiInput.Hex(request.Nonce, 16) is not { } nonce)
        {
            return OrderResult.Reject("nonce", "A signed order needs a nonce of 32 hex digits, new for every order.");
        }

        OrderAuthorization authorization;
        if (request.Signature is { } dto)
        {
            if (dto.ToSignature(out var error) is not { } signature)
            {
                return OrderResult.Reject("signature", error!);
            }

            authorization = new SignedOrder(signature);
        }
        else if (ApiInput.Hex(request.Mandate, 32) is { } mandate)
        {
            authorization = new MandateOrder(mandate);
        }
        else
        {
            return OrderResult.Reject("mandate", "A mandate is 64 hex digits.");
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

        var body = await ReadBodyAsync(http.Request, MaxBodyBytes, ct);
        if (body is null)
        {
            return Problem(413, "Body too large", $"An order is at most {MaxBodyBytes} bytes of JSON.");
        }

        if (!ApiInput.TryReadJson<PlaceOrderRequest>(body, "Malformed order", out var request, out var malformed))
        {
            return malformed;
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

        OrderResult result;
        try
        {
            result = await AcceptAsync(household, request, key, orders, keyRing, intake, ct);
        }
        catch (OrderNotStoredException e)
        {
            return StorageFault.Of(e) is { } fault ? StorageFaultResponses.Unavailable(http, fault) : Problem(500, "Order not stored", e.Message);
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

        var dto = await WithReceiptAsync(household, result, receipts, clock, ct);
        return result.Replayed ? Results.Ok(dto) : Results.Created($"/api/orders/{dto.Id}", dto);
    }

    /// <summary>
    /// One order of a request, from its JSON to the writer: its side, authorisation, the market's rules and the
    /// household's key or mandate are checked, then it is queued for the next commit. A refusal changes nothing.
    /// </summary>
    /// <exception cref="OrderNotStoredException">Its commit failed, or the app is stopping.</exception>
    private static async Task<OrderResult> AcceptAsync(Household household, PlaceOrderRequest request, IdempotencyKey? key, OrderService orders, HouseholdKeyRing keyRing, OrderIntake intake, CancellationToken ct)
    {
        var (refusal, accepted) = await CheckAsync(household, request, key, orders, keyRing, ct);
        return refusal ?? await intake.SubmitAsync(accepted!.HouseholdId, accepted.Request, accepted.Idempotency, accepted.Authorized, ct);
    }

    /// <summary>The checks of <see cref="AcceptAsync"/>: the refusal, or the order ready for the writer.</summary>
    private static async Task<(OrderResult? Refusal, IntakeOrder? Accepted)> CheckAsync(Household household, PlaceOrderRequest request, IdempotencyKey? key, OrderService orders, HouseholdKeyRing keyRing, CancellationToken ct)
    {
        OrderSide? side = request.Side switch { "buy" => OrderSide.Buy, "sell" => OrderSide.Sell, _ => null };
        if (side is null)
        {
            return (OrderResult.Reject("side", "Side must be \"buy\" or \"sell\"."), null);
        }

        var place = new PlaceOrder(side.Value, request.EnergyWh, request.LimitPrice, request.IntervalStart.ToUnixTimeSeconds());
        if (ReadAuthorization(request, ref place) is { } badAuthorization)
        {
            return (badAuthorization, null);
        }

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
            return (key is null ? rejection : await orders.FindIdempotentAsync(key, ct) ?? rejection, null);
        }

        return (null, new IntakeOrder(household.Id, place, key, authorized));
    }

    /// <summary>The API's view of a stored order with its acceptance receipt (signed with its commit, or now).</summary>
    private static async Task<OrderDto> WithReceiptAsync(Household household, OrderResult result, ReceiptIssuer receipts, MarketClock clock, CancellationToken ct)
    {
        var dto = OrderDto.From(result.Order!, clock.LengthOf(result.Order!.IntervalStart));
        return (result.Receipt ?? await receipts.ForOrderAsync(household, result.Order!, ct)) is { } receipt
            ? dto with { Receipt = receipt.ToJsonElement() }
            : dto;
    }

    /// <summary>
    /// Several orders in one request (an agent's submission): each is checked and answered as by POST /api/orders,
    /// and those accepted are stored together. The answer is 200 with one result per order, in order.
    /// </summary>
    private static async Task<IResult> PlaceBatchAsync(HttpContext http, HouseholdCache households, OrderService orders, OrderIntake intake, HouseholdKeyRing keyRing, ReceiptIssuer receipts, MarketClock clock, MarketMetrics metrics, CancellationToken ct)
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

        if (http.Request.ContentLength > MaxBatchBodyBytes || await ReadBodyAsync(http.Request, MaxBatchBodyBytes, ct) is not { } body)
        {
            return Problem(413, "Body too large", $"A batch of orders is at most {MaxBatchBodyBytes} bytes of JSON.");
        }

        if (!ApiInput.TryReadJson<PlaceOrderBatchRequest>(body, "Malformed batch of orders", out var request, out var malformed))
        {
            return malformed;
        }

        if (request.Orders is not { Count: >= 1 and <= MaxBatchOrders })
        {
            return Validation("orders", $"A batch holds 1 to {MaxBatchOrders} orders.");
        }

        string? key = null;
        if (http.Request.Headers.TryGetValue("Idempotency-Key", out var values))
        {
            key = values.ToString();
            if (key.Length is 0 or > 90)
            {
                return Validation("Idempotency-Key", "The Idempotency-Key header of a batch must be 1 to 90 characters.");
            }
        }

        // Every order is checked first; those accepted are queued as one item, so the writer stores them in one
        // commit and their receipts share a signature. The key of order i is the batch's key with "#i".
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var bodyHash = SHA256.HashData(body);
        var outcomes = new Task<OrderResult>?[request.Orders.Count];
        var refusals = new OrderResult?[request.Orders.Count];
        var accepted = new List<(int Index, IntakeOrder Order)>();
        for (var i = 0; i < request.Orders.Count; i++)
        {
            var orderKey = key is null ? null : new IdempotencyKey(userId, $"{key}#{i.ToString(CultureInfo.InvariantCulture)}", SHA256.HashData([.. bodyHash, .. BitConverter.GetBytes(i)]));
            var (refusal, order) = await CheckAsync(household, request.Orders[i], orderKey, orders, keyRing, ct);
            if (refusal is not null)
            {
                refusals[i] = refusal;
            }
            else
            {
                accepted.Add((i, order!));
            }
        }

        OrderNotStoredException? notQueued = null;
        try
        {
            var queued = accepted.Count == 0 ? [] : await intake.SubmitManyAsync([.. accepted.Select(a => a.Order)], ct);
            for (var k = 0; k < queued.Count; k++)
            {
                outcomes[accepted[k].Index] = queued[k];
            }
        }
        catch (OrderNotStoredException e)
        {
            notQueued = e;
        }

        var results = new List<BatchResultDto>(request.Orders.Count);
        for (var i = 0; i < request.Orders.Count; i++)
        {
            OrderResult result;
            try
            {
                result = refusals[i] ?? (outcomes[i] is { } outcome ? await outcome : throw notQueued!);
            }
            catch (OrderNotStoredException fault)
            {
                results.Add(new BatchResultDto(StorageFault.Of(fault) is not null ? 503 : 500, null, null, fault.Message));
                continue;
            }

            if (result.Conflict)
            {
                results.Add(new BatchResultDto(422, null, "Idempotency-Key", result.Error));
            }
            else if (!result.Succeeded)
            {
                metrics.OrderRejected(ApiField(result.Field!));
                results.Add(new BatchResultDto(422, null, ApiField(result.Field!), result.Error));
            }
            else
            {
                results.Add(new BatchResultDto(result.Replayed ? 200 : 201, await WithReceiptAsync(household, result, receipts, clock, ct), null, null));
            }
        }

        return Results.Ok(new BatchResponseDto(results));
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

    /// <summary>Reads at most <paramref name="max"/> bytes; null when the body is longer (also for chunked bodies without a length).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        // A pooled buffer: a fresh 16 KB array per order was zeroed and collected thousands of times a second.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(max + 1);
        try
        {
            var total = 0;
            int read;
            while (total <= max && (read = await request.Body.ReadAsync(buffer.AsMemory(total, max + 1 - total), ct)) > 0)
            {
                total += read;
            }

            return total > max ? null : buffer[..total];
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
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
