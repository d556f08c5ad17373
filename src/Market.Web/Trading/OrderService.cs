using Market.Ledger;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Trading;

/// <summary>
/// A request to post a bid or an offer. A signed order carries the household's 16-byte <see cref="Nonce"/> and its
/// <see cref="Authorization"/>: the device key's signature over the order statement, or the mandate it is made under
/// (docs/ledger-format.md §3.1). Without them it is an unsigned order.
/// </summary>
public sealed record PlaceOrder(OrderSide Side, long EnergyWh, long LimitPrice, long IntervalStart)
{
    public byte[]? Nonce { get; init; }

    public OrderAuthorization? Authorization { get; init; }
}

/// <summary>A business outcome: the stored order, or a rejection naming the field and the reason.</summary>
public sealed record OrderResult(OrderEntity? Order, string? Field, string? Error)
{
    public bool Succeeded => Order is not null;

    /// <summary>True when an <c>Idempotency-Key</c> matched an earlier request: this is that request's order.</summary>
    public bool Replayed { get; init; }

    /// <summary>The acceptance receipt signed with the batch that stored the order (order intake); null otherwise.</summary>
    public Market.Ledger.AcceptanceReceipt? Receipt { get; init; }

    /// <summary>True when the household does not own the order (or it does not exist): 404 in the API.</summary>
    public bool NotFound { get; init; }

    /// <summary>True when the key was used before with a different request body.</summary>
    public bool Conflict { get; init; }

    public static OrderResult Ok(OrderEntity order) => new(order, null, null);

    public static OrderResult Reject(string field, string error) => new(null, field, error);

    /// <summary>The key was used before with another body: 422 in the API, and nothing is stored.</summary>
    public static OrderResult KeyConflict() => new(null, "Idempotency-Key", "This Idempotency-Key was already used with a different request.") { Conflict = true };
}

/// <summary>An idempotency key as sent by a client, with the hash of the request it came with.</summary>
public sealed record IdempotencyKey(string UserId, string Key, byte[] RequestHash);

/// <summary>Accepts, validates, stores and cancels orders. Every accepted order is durably stored before it is acknowledged.</summary>
public sealed partial class OrderService(IDbContextFactory<MarketDbContext> dbFactory, MarketClock clock, IOptions<CommunityOptions> options, RulesBook rules, HouseholdKeyRing keyRing)
{
    private readonly CommunityOptions _community = options.Value;

    public async Task<OrderResult> PlaceAsync(long householdId, PlaceOrder request, CancellationToken cancellationToken = default) =>
        await PlaceAsync(householdId, request, idempotency: null, standingOrderId: null, cancellationToken);

    /// <summary>
    /// Validates and stores an order. With an idempotency key, a retry of the same request returns the first
    /// order instead of creating another; the key and the order are committed together.
    /// </summary>
    public async Task<OrderResult> PlaceAsync(long householdId, PlaceOrder request, IdempotencyKey? idempotency, long? standingOrderId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (idempotency is not null)
        {
            var earlier = await FindIdempotentAsync(db, idempotency, cancellationToken);
            if (earlier is not null)
            {
                return earlier;
            }
        }

        var household = await db.Households.AsNoTracking().SingleOrDefaultAsync(h => h.Id == householdId, cancellationToken);
        if (household is null)
        {
            return OrderResult.Reject("household", "Unknown household.");
        }

        var rejection = Validate(household, request) ?? NotConnected(await NetworkIfGridAsync(db, [request.IntervalStart], cancellationToken), household, request.IntervalStart);
        if (rejection is not null)
        {
            return rejection;
        }

        var authorized = await keyRing.AuthorizeAsync(household, request, cancellationToken);
        if (authorized.Rejection is { } refused)
        {
            return refused;
        }

        if ((await NonceCheck.UsedAsync(db, [(householdId, authorized.Nonce)], cancellationToken)).Count > 0)
        {
            return NonceCheck.Replayed();
        }

        var order = OrderEntity.Open(householdId, request.Side, request.EnergyWh, request.LimitPrice, request.IntervalStart, clock.Now.ToUnixTimeMilliseconds(), standingOrderId).With(authorized);
        db.Orders.Add(order);
        if (idempotency is null)
        {
            await db.SaveChangesAsync(cancellationToken);
            return OrderResult.Ok(order);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        db.IdempotencyKeys.Add(new IdempotencyEntity
        {
            UserId = idempotency.UserId,
            Key = idempotency.Key,
            RequestHash = idempotency.RequestHash,
            OrderId = order.Id,
            CreatedAtMs = order.CreatedAtMs,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return OrderResult.Ok(order);
        }
        catch (DbUpdateException)
        {
            // A concurrent retry with the same key won: roll back ours and answer with its order.
            await transaction.RollbackAsync(cancellationToken);
            await using var fresh = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await FindIdempotentAsync(fresh, idempotency, cancellationToken) ?? throw new InvalidOperationException("Idempotency key conflict without a stored key.");
        }
    }

    /// <summary>The earlier outcome of this idempotency key (a replay or a conflict), or null when the key is new.</summary>
    public async Task<OrderResult?> FindIdempotentAsync(IdempotencyKey idempotency, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await FindIdempotentAsync(db, idempotency, cancellationToken);
    }

    private static async Task<OrderResult?> FindIdempotentAsync(MarketDbContext db, IdempotencyKey idempotency, CancellationToken cancellationToken)
    {
        var earlier = await db.IdempotencyKeys.AsNoTracking()
            .SingleOrDefaultAsync(k => k.UserId == idempotency.UserId && k.Key == idempotency.Key, cancellationToken);
        if (earlier is null)
        {
            return null;
        }

        if (!earlier.RequestHash.AsSpan().SequenceEqual(idempotency.RequestHash))
        {
            return OrderResult.KeyConflict();
        }

        var order = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == earlier.OrderId, cancellationToken);
        return new OrderResult(order, null, null) { Replayed = true };
    }

    /// <summary>The most energy one order of this household may carry per interval, in Wh.</summary>
    public long MaxEnergyWh(Household household, OrderSide side) => MaxEnergyWh(household, side, clock.IntervalSeconds);

    /// <summary>The most energy one order may carry in an interval of <paramref name="intervalSeconds"/>, in Wh.</summary>
    public static long MaxEnergyWh(Household household, OrderSide side, long intervalSeconds) =>
        checked((side == OrderSide.Sell ? household.PvPeakW : household.MaxImportW) * intervalSeconds / 3600);

    /// <summary>The rejection for this request, or null when it is acceptable now.</summary>
    public OrderResult? Validate(Household household, PlaceOrder request)
    {
        if (request.Side is not (OrderSide.Buy or OrderSide.Sell))
        {
            return OrderResult.Reject("side", "Side must be buy or sell.");
        }

        if (request.EnergyWh <= 0)
        {
            return OrderResult.Reject("energy", "Energy must be more than 0 Wh.");
        }

        var inEffect = rules.At(request.IntervalStart);
        var max = MaxEnergyWh(household, request.Side, inEffect.IntervalLengthSeconds);
        if (request.EnergyWh > max)
        {
            var what = request.Side == OrderSide.Sell ? $"your PV peak of {Units.Power(household.PvPeakW, CultureInfo.CurrentCulture)}" : $"your maximum import of {Units.Power(household.MaxImportW, CultureInfo.CurrentCulture)}";
            return OrderResult.Reject("energy", $"At most {Units.Energy(max, CultureInfo.CurrentCulture)} per interval ({what}).");
        }

        if (request.LimitPrice < inEffect.PriceFloor || request.LimitPrice > inEffect.PriceCeiling)
        {
            return OrderResult.Reject("price", $"The price must lie between {Units.Price(inEffect.PriceFloor, CultureInfo.CurrentCulture)} (feed-in tariff) and {Units.Price(inEffect.PriceCeiling, CultureInfo.CurrentCulture)} (retail price).");
        }

        if (!clock.IsAligned(request.IntervalStart))
        {
            return OrderResult.Reject("interval", $"An interval must start on a {inEffect.IntervalLengthSeconds / 60}-minute boundary.");
        }

        if (!clock.IsGateOpen(request.IntervalStart))
        {
            return OrderResult.Reject("interval", "This interval is closed for orders (its gate has closed).");
        }

        if (request.IntervalStart >= clock.NowSeconds + (_community.HorizonHours * 3600L))
        {
            return OrderResult.Reject("interval", $"Orders are accepted at most {_community.HorizonHours} h ahead.");
        }

        return null;
    }

    /// <summary>The network in force when any of <paramref name="intervals"/> clears under the grid's limits; else null (not read).</summary>
    private async Task<SealedNetwork?> NetworkIfGridAsync(MarketDbContext db, IEnumerable<long> intervals, CancellationToken cancellationToken) =>
        intervals.Any(i => rules.At(i).Mechanism == (byte)Market.Matching.Mechanism.GridZonal)
            ? await SealedNetworks.InForceAsync(db, cancellationToken)
            : null;

    /// <summary>What a household gets that the network in force places at no connection, for an interval cleared under
    /// the grid's limits (its orders could not be cleared); null otherwise.</summary>
    private OrderResult? NotConnected(SealedNetwork? network, Household household, long intervalStart) =>
        rules.At(intervalStart).Mechanism != (byte)Market.Matching.Mechanism.GridZonal
            || (network is not null && network.Topology.ConnectionOf(PartyId.FromBytes(household.Pseudonym)) >= 0)
            ? null
            : OrderResult.Reject("household", "Your meter is at no connection of the community's network, so the market cannot clear your orders within the grid's limits. Ask your community manager to add it.");

    /// <summary>One of the household's orders, or null (also when it is another household's).</summary>
    public async Task<OrderEntity?> FindAsync(long householdId, long orderId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId && o.HouseholdId == householdId, cancellationToken);
    }

    public async Task<IReadOnlyList<OrderEntity>> ListAsync(long householdId, int take = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Orders.AsNoTracking()
            .Where(o => o.HouseholdId == householdId)
            .OrderByDescending(o => o.IntervalStart).ThenByDescending(o => o.Id)
            .Take(take)
            .ToListAsync(cancellationToken);
    }
}
