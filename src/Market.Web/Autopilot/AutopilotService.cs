using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Autopilot;

/// <summary>What a household asks its autopilot to do; prices in 1/10,000 of the currency per kWh, energy in Wh.</summary>
/// <param name="IsOn">On (trading) or paused.</param>
/// <param name="Sell">Offer expected surplus.</param>
/// <param name="Buy">Bid for expected need.</param>
/// <param name="MinSellPrice">Lowest price to sell at.</param>
/// <param name="MaxBuyPrice">Highest price to buy at.</param>
/// <param name="MaxEnergyWh">Most energy per interval, Wh.</param>
/// <param name="FromHour">First local hour (0–23).</param>
/// <param name="ToHour">End local hour (1–24, exclusive).</param>
/// <param name="Until">No orders for intervals from this instant on (Unix seconds); null: no end.</param>
public sealed record AutopilotInput(bool IsOn, bool Sell, bool Buy, long MinSellPrice, long MaxBuyPrice, long MaxEnergyWh, int FromHour, int ToHour, long? Until)
{
    /// <summary>The input that keeps <paramref name="settings"/> as they are.</summary>
    public static AutopilotInput Of(AutopilotSettingsEntity settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(settings.IsOn, settings.Sell, settings.Buy, settings.MinSellPrice, settings.MaxBuyPrice, settings.MaxEnergyWh, settings.FromHour, settings.ToHour, settings.Until);
    }
}

/// <summary>A refusal naming the field it is about (<c>sides</c>, <c>minSellPrice</c>, <c>maxBuyPrice</c>, <c>maxEnergy</c>, <c>hours</c>, <c>until</c>, <c>settings</c>).</summary>
public sealed record AutopilotError(string Field, string Message);

/// <summary>The saved settings, or why nothing was saved.</summary>
public sealed record AutopilotSaveResult(AutopilotSettingsEntity? Settings, IReadOnlyList<AutopilotError> Errors, int CancelledOrders)
{
    public bool Succeeded => Settings is not null;
}

/// <summary>One autopilot order as its household sees it: the order, what filled at what price and why it was posted.</summary>
/// <param name="Explanation">What the autopilot read and decided.</param>
/// <param name="Order">The order now (open, filled, partly filled, unmatched or cancelled).</param>
/// <param name="FilledWh">Energy traded, Wh.</param>
/// <param name="Amount">Money of its trades, 1/10,000 of the currency.</param>
/// <param name="LowestPrice">Lowest trade price; null without a trade.</param>
/// <param name="HighestPrice">Highest trade price (pay-as-bid may differ per trade); null without a trade.</param>
public sealed record AutopilotFill(AutopilotOrderEntity Explanation, OrderEntity Order, long FilledWh, long Amount, long? LowestPrice, long? HighestPrice);

/// <summary>A page of a household's autopilot orders, newest interval first.</summary>
public sealed record AutopilotFillPage(IReadOnlyList<AutopilotFill> Fills, int Total);

/// <summary>
/// A household's autopilot: its settings and their history, pausing, and the orders it posted with their fills and
/// explanations. Every method takes the household's id from the signed-in user, never from input: a household only
/// ever reads and changes its own.
/// </summary>
public sealed class AutopilotService(IDbContextFactory<MarketDbContext> dbFactory, MarketClock clock, RulesBook rules, HouseholdStatements statements)
{
    /// <summary>The settings of a household; null when it never saved any.</summary>
    public async Task<AutopilotSettingsEntity?> GetAsync(long householdId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Autopilots.AsNoTracking().SingleOrDefaultAsync(a => a.HouseholdId == householdId, cancellationToken);
    }

    /// <summary>Every saved version, newest first.</summary>
    public async Task<IReadOnlyList<AutopilotChangeEntity>> HistoryAsync(long householdId, int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AutopilotChanges.AsNoTracking()
            .Where(c => c.HouseholdId == householdId)
            .OrderByDescending(c => c.Version)
            .Take(take)
            .ToListAsync(cancellationToken);
    }

    /// <summary>The refusals for this input (empty when it can be saved now).</summary>
    public IReadOnlyList<AutopilotError> Validate(Household household, AutopilotInput input)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(input);
        var culture = CultureInfo.CurrentCulture;
        var errors = new List<AutopilotError>();
        if (!input.Sell && !input.Buy)
        {
            errors.Add(new("sides", "Choose selling, buying or both."));
        }

        var inEffect = rules.At(clock.FirstOpenInterval());
        var band = $"between {Units.Price(inEffect.PriceFloor, culture)} (feed-in tariff) and {Units.Price(inEffect.PriceCeiling, culture)} (retail price)";
        if (input.MinSellPrice < inEffect.PriceFloor || input.MinSellPrice > inEffect.PriceCeiling)
        {
            errors.Add(new("minSellPrice", $"The lowest sell price must lie {band}."));
        }

        if (input.MaxBuyPrice < inEffect.PriceFloor || input.MaxBuyPrice > inEffect.PriceCeiling)
        {
            errors.Add(new("maxBuyPrice", $"The highest buy price must lie {band}."));
        }

        var sellCap = OrderService.MaxEnergyWh(household, OrderSide.Sell, inEffect.IntervalLengthSeconds);
        var buyCap = OrderService.MaxEnergyWh(household, OrderSide.Buy, inEffect.IntervalLengthSeconds);
        // With both sides on, the larger site limit bounds the setting; each order is also capped by its own side's.
        var (cap, what) = (input.Sell, input.Buy) switch
        {
            (true, false) => (sellCap, $"your PV peak of {Units.Power(household.PvPeakW, culture)}"),
            (false, true) => (buyCap, $"your maximum import of {Units.Power(household.MaxImportW, culture)}"),
            _ when sellCap >= buyCap => (sellCap, $"your PV peak of {Units.Power(household.PvPeakW, culture)}"),
            _ => (buyCap, $"your maximum import of {Units.Power(household.MaxImportW, culture)}"),
        };
        if (input.MaxEnergyWh <= 0)
        {
            errors.Add(new("maxEnergy", "The most energy per interval must be more than 0 kWh."));
        }
        else if (input.MaxEnergyWh > cap)
        {
            errors.Add(new("maxEnergy", $"At most {Units.Energy(cap, culture)} per interval ({what})."));
        }

        if (input.FromHour is < 0 or > 23 || input.ToHour is < 1 or > 24 || input.FromHour >= input.ToHour)
        {
            errors.Add(new("hours", "Choose hours with the start before the end (0–24)."));
        }

        if (input.Until is long until && until <= clock.NowSeconds)
        {
            errors.Add(new("until", "Choose an end in the future, or none."));
        }

        return errors;
    }

    /// <summary>
    /// Saves the settings as a new version (the first save creates them) and keeps the version in the history. The
    /// open orders the autopilot posted under the old version whose gate has not closed are cancelled in the same
    /// transaction: it posts again under the new settings (or, paused, not at all). Invalid input changes nothing.
    /// </summary>
    /// <remarks>
    /// The household signs the limits as a mandate with <c>sign</c> (its device), revoking the previous one in the
    /// same submission; pausing revokes it. The autopilot's orders name the mandate in force and nothing else.
    /// </remarks>
    public async Task<AutopilotSaveResult> SaveAsync(Household household, AutopilotInput input, string changedBy, StatementSigner sign, CancellationToken cancellationToken = default)
    {
        var errors = Validate(household, input);
        if (errors.Count > 0)
        {
            return new AutopilotSaveResult(null, errors, 0);
        }

        return await StoreAsync(household, input, changedBy, sign, cancellationToken);
    }

    /// <summary>
    /// Pauses (cancelling its open orders whose gate has not closed) or resumes the autopilot, keeping its limits.
    /// Resuming checks the limits again (the band may have changed). Nothing to pause or resume is an error.
    /// </summary>
    public async Task<AutopilotSaveResult> SetOnAsync(Household household, bool on, string changedBy, StatementSigner sign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        var current = await GetAsync(household.Id, cancellationToken);
        if (current is null)
        {
            return new AutopilotSaveResult(null, [new("settings", "Save the autopilot's limits first.")], 0);
        }

        if (current.IsOn == on)
        {
            return new AutopilotSaveResult(null, [new("settings", on ? "The autopilot is already on." : "The autopilot is already paused.")], 0);
        }

        var input = AutopilotInput.Of(current) with { IsOn = on };
        if (!on)
        {
            // Pausing never fails on a limit the band has since moved past.
            return await StoreAsync(household, input, changedBy, sign, cancellationToken);
        }

        return await SaveAsync(household, input, changedBy, sign, cancellationToken);
    }

    private async Task<AutopilotSaveResult> StoreAsync(Household household, AutopilotInput input, string changedBy, StatementSigner sign, CancellationToken cancellationToken)
    {
        var householdId = household.Id;
        var previous = (await GetAsync(householdId, cancellationToken))?.MandateId;
        var mandate = new List<(Market.Ledger.StatementType, byte[])>();
        if (input.IsOn)
        {
            var terms = MandateBuilder.Terms(input.Sell, input.Buy, input.MaxEnergyWh, input.MinSellPrice, input.MaxBuyPrice, clock.NowSeconds, input.Until,
                StandingOrderService.AllDays, input.FromHour, input.ToHour, household.TimeZone);
            mandate.Add((Market.Ledger.StatementType.Mandate, terms.EncodeBody()));
        }

        if (previous is not null)
        {
            mandate.Add((Market.Ledger.StatementType.MandateRevocation, previous));
        }

        // Its open orders whose gate has not closed end with the old limits: the mandate's revocation cancels them.
        var firstOpen = clock.FirstOpenInterval();
        int openBefore;
        await using (var counting = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            openBefore = await counting.Orders.CountAsync(o => o.HouseholdId == householdId && o.Status == OrderStatus.Open && o.IntervalStart >= firstOpen
                && counting.AutopilotOrders.Any(a => a.OrderId == o.Id), cancellationToken);
        }

        byte[]? mandateId = null;
        if (mandate.Count > 0)
        {
            var signed = await statements.SignAndSubmitAsync(householdId, sign, mandate, cancellationToken);
            if (!signed.Succeeded)
            {
                return new AutopilotSaveResult(null, [new("settings", $"The household's device did not sign the limits: {signed.Error}")], 0);
            }

            mandateId = input.IsOn ? signed.Accepted[0].Record.StatementHash : null;
        }

        var nowMs = clock.Now.ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var settings = await db.Autopilots.SingleOrDefaultAsync(a => a.HouseholdId == householdId, cancellationToken);
        if (settings is null)
        {
            settings = new AutopilotSettingsEntity { HouseholdId = householdId };
            db.Autopilots.Add(settings);
        }

        settings.Version++;
        settings.IsOn = input.IsOn;
        settings.Sell = input.Sell;
        settings.Buy = input.Buy;
        settings.MinSellPrice = input.MinSellPrice;
        settings.MaxBuyPrice = input.MaxBuyPrice;
        settings.MaxEnergyWh = input.MaxEnergyWh;
        settings.FromHour = input.FromHour;
        settings.ToHour = input.ToHour;
        settings.Until = input.Until;
        settings.MandateId = mandateId;
        settings.UpdatedAtMs = nowMs;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            // Conditional on Open: the clearing job never touches an interval whose gate is still open. (Orders under a
            // revoked mandate are cancelled already; these are any left, e.g. from before mandates.)
            var cancelled = openBefore - await db.Orders.CountAsync(o => o.HouseholdId == householdId && o.Status == OrderStatus.Open && o.IntervalStart >= firstOpen
                && db.AutopilotOrders.Any(a => a.OrderId == o.Id), cancellationToken);
            cancelled += await db.Orders
                .Where(o => o.HouseholdId == householdId && o.Status == OrderStatus.Open && o.IntervalStart >= firstOpen
                    && db.AutopilotOrders.Any(a => a.OrderId == o.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Cancelled), cancellationToken);
            db.AutopilotChanges.Add(new AutopilotChangeEntity
            {
                HouseholdId = householdId,
                Version = settings.Version,
                IsOn = settings.IsOn,
                Sell = settings.Sell,
                Buy = settings.Buy,
                MinSellPrice = settings.MinSellPrice,
                MaxBuyPrice = settings.MaxBuyPrice,
                MaxEnergyWh = settings.MaxEnergyWh,
                FromHour = settings.FromHour,
                ToHour = settings.ToHour,
                Until = settings.Until,
                ChangedAtMs = nowMs,
                ChangedBy = changedBy.Length > 256 ? changedBy[..256] : changedBy,
                CancelledOrders = cancelled,
            });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new AutopilotSaveResult(settings, [], cancelled);
        }
        catch (DbUpdateException)
        {
            // Saved at the same moment from another tab or node: that version stands, this one changed nothing.
            await transaction.RollbackAsync(cancellationToken);
            return new AutopilotSaveResult(null, [new("settings", "The autopilot was changed at the same moment elsewhere. Reload and try again.")], 0);
        }
    }

    /// <summary>A page of the household's autopilot orders with their fills, newest interval first.</summary>
    public async Task<AutopilotFillPage> FillsAsync(long householdId, int skip, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AutopilotOrders.AsNoTracking().Where(a => a.HouseholdId == householdId);
        var total = await query.CountAsync(cancellationToken);
        var page = await query
            .Join(db.Orders.AsNoTracking(), a => a.OrderId, o => o.Id, (a, o) => new { Explanation = a, Order = o })
            .OrderByDescending(p => p.Explanation.IntervalStart).ThenByDescending(p => p.Explanation.OrderId)
            .Skip(Math.Max(0, skip))
            .Take(Math.Clamp(take, 1, 100))
            .ToListAsync(cancellationToken);
        return new AutopilotFillPage(await WithTradesAsync(db, page.Select(p => (p.Explanation, p.Order)).ToList(), cancellationToken), total);
    }

    /// <summary>
    /// The autopilot orders of every household in one cleared interval, with their fills: the hook for telling a
    /// household what its autopilot traded (notifications) right after the interval clears.
    /// </summary>
    public async Task<IReadOnlyList<AutopilotFill>> FillsOfIntervalAsync(long intervalStart, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.AutopilotOrders.AsNoTracking()
            .Where(a => a.IntervalStart == intervalStart)
            .Join(db.Orders.AsNoTracking(), a => a.OrderId, o => o.Id, (a, o) => new { Explanation = a, Order = o })
            .ToListAsync(cancellationToken);
        return await WithTradesAsync(db, rows.Select(p => (p.Explanation, p.Order)).ToList(), cancellationToken);
    }

    private static async Task<IReadOnlyList<AutopilotFill>> WithTradesAsync(MarketDbContext db, List<(AutopilotOrderEntity Explanation, OrderEntity Order)> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.Order.Id).ToList();
        var trades = await db.Trades.AsNoTracking()
            .Where(t => ids.Contains(t.BuyOrderId) || ids.Contains(t.SellOrderId))
            .Select(t => new { t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price, t.Amount, t.SellPrice, t.SellAmount })
            .ToListAsync(cancellationToken);
        return rows.Select(r =>
        {
            var buying = r.Order.Side == OrderSide.Buy;
            var own = trades.Where(t => buying ? t.BuyOrderId == r.Order.Id : t.SellOrderId == r.Order.Id)
                .Select(t => (t.EnergyWh, Price: buying ? t.Price : t.SellPrice, Amount: buying ? t.Amount : t.SellAmount)).ToList();
            return new AutopilotFill(
                r.Explanation,
                r.Order,
                own.Sum(t => t.EnergyWh),
                own.Sum(t => t.Amount),
                own.Count > 0 ? own.Min(t => t.Price) : null,
                own.Count > 0 ? own.Max(t => t.Price) : null);
        }).ToList();
    }
}
