using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>One order of a batch: whose it is and what it asks for.</summary>
public sealed record BatchOrder(long HouseholdId, PlaceOrder Request);

public sealed partial class OrderService
{
    /// <summary>
    /// Validates every request exactly as <see cref="PlaceAsync(long, PlaceOrder, CancellationToken)"/> does and stores
    /// the accepted ones together in one <c>SaveChanges</c>, in request order (so their ids, which are their sequence
    /// numbers, follow the list). A rejected request changes nothing and does not stop the others.
    /// </summary>
    /// <returns>One result per request, in request order.</returns>
    public async Task<IReadOnlyList<OrderResult>> PlaceBatchAsync(IReadOnlyList<BatchOrder> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ids = requests.Select(r => r.HouseholdId).Distinct().ToList();
        var households = await db.Households.AsNoTracking().Where(h => ids.Contains(h.Id)).ToDictionaryAsync(h => h.Id, cancellationToken);
        var createdAtMs = clock.Now.ToUnixTimeMilliseconds();
        // Read once for the whole batch, not once per order.
        var network = await NetworkIfGridAsync(db, requests.Select(r => r.Request.IntervalStart), cancellationToken);
        var results = new OrderResult[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var (householdId, request) = requests[i];
            if (!households.TryGetValue(householdId, out var household))
            {
                results[i] = OrderResult.Reject("household", "Unknown household.");
                continue;
            }

            var rejection = Validate(household, request) ?? NotConnected(network, household, request.IntervalStart);
            if (rejection is not null)
            {
                results[i] = rejection;
                continue;
            }

            var authorized = await keyRing.AuthorizeAsync(household, request, cancellationToken);
            if (authorized.Rejection is { } refused)
            {
                results[i] = refused;
                continue;
            }

            var order = OrderEntity.Open(householdId, request.Side, request.EnergyWh, request.LimitPrice, request.IntervalStart, createdAtMs).With(authorized);
            db.Orders.Add(order);
            results[i] = OrderResult.Ok(order);
        }

        // A nonce its household used before (here or stored) is refused, and only that order.
        var added = db.ChangeTracker.Entries<OrderEntity>().Select(e => e.Entity).ToList();
        var used = await NonceCheck.UsedAsync(db, [.. added.Select(o => (o.HouseholdId, o.Nonce))], cancellationToken);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Order is { } order && !used.Add(NonceCheck.Key(order.HouseholdId, order.Nonce)))
            {
                db.Orders.Remove(order);
                results[i] = NonceCheck.Replayed();
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return results;
    }
}
