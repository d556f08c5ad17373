using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>A request to create a standing order.</summary>
public sealed record CreateStandingOrder(OrderSide Side, long EnergyWh, long LimitPrice, int DaysMask, int FromHour, int ToHour);

/// <summary>
/// Standing ("set and forget") orders: each becomes an ordinary order for every open interval whose local day and
/// hour match, until stopped. The orders are validated like any other and are visible and cancellable one by one.
/// </summary>
public sealed class StandingOrderService(IDbContextFactory<MarketDbContext> dbFactory, OrderService orders, HouseholdStatements statements, MarketClock clock)
{
    public const int AllDays = 0b111_1111;

    public async Task<(StandingOrderEntity? Standing, string? Error)> CreateAsync(Household household, CreateStandingOrder request, StatementSigner sign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(request);
        if (request.DaysMask is <= 0 or > AllDays)
        {
            return (null, "Choose at least one day.");
        }

        if (request.FromHour is < 0 or > 23 || request.ToHour is < 1 or > 24 || request.FromHour >= request.ToHour)
        {
            return (null, "Choose hours with the start before the end (0–24).");
        }

        // Validate energy and price exactly as a one-off order for the first open interval would be.
        var probe = orders.Validate(household, new PlaceOrder(request.Side, request.EnergyWh, request.LimitPrice, clock.FirstOpenInterval()));
        if (probe is not null)
        {
            return (null, probe.Error);
        }

        // The household signs the standing order once, as a mandate; every order made from it names that mandate.
        var terms = MandateBuilder.Terms(request.Side == OrderSide.Sell, request.Side == OrderSide.Buy, request.EnergyWh, request.LimitPrice, request.LimitPrice,
            clock.NowSeconds, null, request.DaysMask, request.FromHour, request.ToHour, household.TimeZone);
        var signed = await statements.SignAndSubmitAsync(household.Id, sign, [(Market.Ledger.StatementType.Mandate, terms.EncodeBody())], cancellationToken);
        if (!signed.Succeeded)
        {
            return (null, signed.Error);
        }

        var entity = new StandingOrderEntity
        {
            MandateId = signed.Accepted[0].Record.StatementHash,
            HouseholdId = household.Id,
            Side = request.Side,
            EnergyWh = request.EnergyWh,
            LimitPrice = request.LimitPrice,
            DaysMask = request.DaysMask,
            FromHour = request.FromHour,
            ToHour = request.ToHour,
            Active = true,
            MaterializedUntil = clock.FirstOpenInterval(),
            CreatedAtMs = clock.Now.ToUnixTimeMilliseconds(),
        };
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.StandingOrders.Add(entity);
            await db.SaveChangesAsync(cancellationToken);
        }

        await MaterializeAsync(entity.Id, cancellationToken);
        return (entity, null);
    }

    public async Task<IReadOnlyList<StandingOrderEntity>> ListAsync(long householdId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.StandingOrders.AsNoTracking().Where(s => s.HouseholdId == householdId).OrderByDescending(s => s.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Stops a standing order and cancels the orders it made whose gate is still open.</summary>
    public async Task<bool> StopAsync(long householdId, long standingOrderId, StatementSigner sign, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var mandate = await db.StandingOrders.AsNoTracking().Where(s => s.Id == standingOrderId && s.HouseholdId == householdId && s.Active).Select(s => s.MandateId).SingleOrDefaultAsync(cancellationToken);
        if (mandate is not null)
        {
            // Revoking the mandate is the household's word that nothing more is made from it (its open orders end too).
            var revoked = await statements.SignAndSubmitAsync(householdId, sign, [(Market.Ledger.StatementType.MandateRevocation, mandate)], cancellationToken);
            if (!revoked.Succeeded)
            {
                return false;
            }
        }

        var stopped = await db.StandingOrders
            .Where(s => s.Id == standingOrderId && s.HouseholdId == householdId && s.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Active, false), cancellationToken);
        if (stopped == 0)
        {
            return false;
        }

        var firstOpen = clock.FirstOpenInterval();
        await db.Orders
            .Where(o => o.StandingOrderId == standingOrderId && o.Status == OrderStatus.Open && o.IntervalStart >= firstOpen)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Cancelled), cancellationToken);
        return true;
    }

    /// <summary>Makes the orders of every active standing order up to the horizon. Idempotent.</summary>
    public async Task<int> MaterializeAllAsync(CancellationToken cancellationToken = default)
    {
        List<long> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var open = clock.OpenIntervals();
            var horizon = open.Count > 0 ? open[^1] : 0;
            ids = await db.StandingOrders.Where(s => s.Active && s.MaterializedUntil <= horizon).Select(s => s.Id).ToListAsync(cancellationToken);
        }

        var made = 0;
        foreach (var id in ids)
        {
            made += await MaterializeAsync(id, cancellationToken);
        }

        return made;
    }

    private async Task<int> MaterializeAsync(long standingOrderId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var standing = await db.StandingOrders.SingleAsync(s => s.Id == standingOrderId, cancellationToken);
        var household = await db.Households.AsNoTracking().SingleAsync(h => h.Id == standing.HouseholdId, cancellationToken);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(household.TimeZone);
        var open = clock.OpenIntervals();
        var made = 0;
        foreach (var start in open.Where(s => s >= standing.MaterializedUntil))
        {
            if (!Matches(standing, zone, start))
            {
                continue;
            }

            try
            {
                if (standing.MandateId is null)
                {
                    break;
                }

                var result = await orders.PlaceAsync(household.Id, new PlaceOrder(standing.Side, standing.EnergyWh, standing.LimitPrice, start).Under(standing.MandateId), null, standing.Id, cancellationToken);
                made += result.Succeeded ? 1 : 0;
            }
            catch (DbUpdateException)
            {
                // Already made for this interval (another run got there first): the unique index keeps one.
            }
        }

        if (open.Count > 0 && standing.Active)
        {
            standing.MaterializedUntil = clock.Next(open[^1]);
            await db.SaveChangesAsync(cancellationToken);
        }

        return made;
    }

    /// <summary>Whether an interval falls on a chosen day and hour in the household's time zone.</summary>
    public static bool Matches(StandingOrderEntity standing, TimeZoneInfo zone, long intervalStart)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(intervalStart), zone);
        return (standing.DaysMask & (1 << (int)local.DayOfWeek)) != 0 && local.Hour >= standing.FromHour && local.Hour < standing.ToHour;
    }
}
