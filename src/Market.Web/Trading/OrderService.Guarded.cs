using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>
/// Lets the caller check a condition and add rows of its own in the transaction that stores the order: returns the
/// refusal, or null to store. It runs after the order passed validation and before anything is saved.
/// </summary>
/// <param name="db">The context the order is stored with; rows added to it are saved with the order.</param>
/// <param name="order">The validated order, not yet stored (its id is assigned on save).</param>
/// <param name="cancellationToken">Cancels the placing.</param>
public delegate Task<string?> OrderGuard(MarketDbContext db, OrderEntity order, CancellationToken cancellationToken);

public sealed partial class OrderService
{
    /// <summary>
    /// Validates an order exactly as <see cref="PlaceAsync(long, PlaceOrder, CancellationToken)"/> does, then, in one
    /// transaction, runs <paramref name="guard"/> and stores the order with whatever the guard added. A refusal by
    /// the guard stores nothing. Used by automated traders (the autopilot) whose order and its explanation must be
    /// stored together, or not at all when their settings changed meanwhile.
    /// </summary>
    public async Task<OrderResult> PlaceGuardedAsync(long householdId, PlaceOrder request, OrderGuard guard, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(guard);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
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

        var order = OrderEntity.Open(householdId, request.Side, request.EnergyWh, request.LimitPrice, request.IntervalStart, clock.Now.ToUnixTimeMilliseconds()).With(authorized);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var refusal = await guard(db, order, cancellationToken);
        if (refusal is not null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return OrderResult.Reject("guard", refusal);
        }

        db.Orders.Add(order);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return OrderResult.Ok(order);
    }
}
