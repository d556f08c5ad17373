namespace Market.Web.Metering;

/// <summary>Energy in Wh and the money it moved, in 1/10,000 of the currency (always ≥ 0; the row says which way).</summary>
public readonly record struct EnergyMoney(long EnergyWh, long Amount)
{
    public static EnergyMoney operator +(EnergyMoney a, EnergyMoney b) => new(checked(a.EnergyWh + b.EnergyWh), checked(a.Amount + b.Amount));

    public static EnergyMoney Add(EnergyMoney a, EnergyMoney b) => a + b;
}

/// <summary>
/// One day of a statement (the household's calendar day): what local trading did for the household that day against
/// the grid alone, split like the month's headline, and its energy. Money in 1/10,000 of the currency, energy in Wh.
/// </summary>
/// <param name="Date">The day in the household's time zone.</param>
/// <param name="MarketBenefit">The day's trades against the grid's prices (retail when buying, feed-in when selling).</param>
/// <param name="AfterDeliveryBenefit">What the reconciliation after delivery added or took away (see <see cref="StatementSummary.AfterDeliveryBenefit"/>).</param>
/// <param name="LocalWh">Energy traded in the market or exchanged with neighbours after delivery, both directions.</param>
/// <param name="GridWh">Energy bought from or sold to the utility after delivery, both directions.</param>
/// <param name="Intervals">Intervals of the day with a trade or a reconciliation.</param>
/// <param name="Reconciled">Of those, intervals reconciled against the meter.</param>
/// <param name="Corrected">Of those, intervals settled again after a corrected reading.</param>
public sealed record StatementDay(DateOnly Date, long MarketBenefit, long AfterDeliveryBenefit, long LocalWh, long GridWh, int Intervals, int Reconciled, int Corrected)
{
    /// <summary>The day's part of the headline: <see cref="MarketBenefit"/> + <see cref="AfterDeliveryBenefit"/>.</summary>
    public long Benefit => checked(MarketBenefit + AfterDeliveryBenefit);
}

/// <summary>
/// The one definition of a household's month that the statement page, the PDF statement and any API show
/// (docs/adr/0027-statement-figures-pdf-and-receipts.md). Built once from the <see cref="Statement"/> and the
/// household's settled intervals; every figure is exact (1/10,000 of the currency, Wh), so the parts add up to the
/// headline by construction and the tests check that they do.
/// </summary>
/// <remarks>
/// <para><b>Headline</b>: <see cref="Benefit"/> = what the household actually received minus paid (<see cref="Net"/>)
/// minus what it would have received minus paid with the grid alone (<see cref="GridOnlyNet"/>). For an interval
/// reconciled against the meter, grid alone means all metered export at the feed-in tariff and all metered import at
/// retail (docs/settlement.md, rule 6); for an interval not reconciled yet, the trades at those prices.</para>
/// <para><b>Split</b>: <see cref="MarketBenefit"/> is every trade against the grid's price for the same energy;
/// <see cref="AfterDeliveryBenefit"/> is the rest: what the reconciliation paid or charged for the deviation from
/// the trades (neighbours' cover, the utility's retail and feed-in) minus what that deviation is worth at the grid's
/// prices. It is negative when energy sold in the market had to be bought back.</para>
/// <para><b>Where the kWh went</b>: six rows of settled energy and money (market, neighbours after delivery, grid;
/// each both ways) whose money sums to <see cref="Net"/>. Within an interval the household's own import and export
/// offset each other first (the interval is the settlement resolution), so the rows are net flows; the metered
/// import and export are <see cref="MeteredImportWh"/> and <see cref="MeteredExportWh"/>.</para>
/// </remarks>
public sealed record StatementSummary(
    int Year,
    int Month,
    string Currency,
    EnergyMoney SoldInMarket,
    EnergyMoney BoughtInMarket,
    EnergyMoney ProvidedToNeighbours,
    EnergyMoney CoveredByNeighbours,
    EnergyMoney SoldToGrid,
    EnergyMoney BoughtFromGrid,
    long GridOnlyNet,
    long MarketBenefit,
    long AfterDeliveryBenefit,
    long MeteredExportWh,
    long MeteredImportWh,
    int ReconciledIntervals,
    int UnreconciledIntervals,
    int Corrected,
    long Adjustments,
    IReadOnlyList<long> Pending,
    IReadOnlyList<StatementDay> Days)
{
    /// <summary>
    /// Of <see cref="BoughtInMarket"/>'s money, what went to the network operator rather than to the sellers: under the
    /// grid's mechanism the network fee of each trade's distance and any congestion rent (the buyer's zone price above
    /// the seller's plus the fee). 0 under a single price. Part of the bought row, not an extra cost.
    /// </summary>
    public long BoughtNetworkShare { get; init; }

    /// <summary>The headline: how much better off than with the grid alone (negative: worse off).</summary>
    public long Benefit => checked(MarketBenefit + AfterDeliveryBenefit);

    /// <summary>Received minus paid over the six rows (negative: the household paid on balance).</summary>
    public long Net => checked(SoldInMarket.Amount + ProvidedToNeighbours.Amount + SoldToGrid.Amount
        - BoughtInMarket.Amount - CoveredByNeighbours.Amount - BoughtFromGrid.Amount);

    /// <summary>Whether the month has anything to show: a trade or a reconciled interval.</summary>
    public bool IsEmpty => ReconciledIntervals == 0 && UnreconciledIntervals == 0;

    /// <summary>Builds the month's summary from its statement and the settled intervals the statement's intervals came from.</summary>
    /// <param name="statement">The month (<see cref="StatementService.MonthAsync"/>).</param>
    /// <param name="settled">The household's settled intervals of that month (<see cref="SettlementQueries.HouseholdAsync"/>).</param>
    /// <param name="zone">The household's time zone: days are its calendar days.</param>
    public static StatementSummary From(Statement statement, IReadOnlyList<SettledInterval> settled, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(settled);
        ArgumentNullException.ThrowIfNull(zone);
        var lines = statement.Lines.ToLookup(l => l.IntervalStart);
        var byStart = settled.ToDictionary(s => s.IntervalStart);
        EnergyMoney sold = default, bought = default, provided = default, covered = default, toGrid = default, fromGrid = default;
        long gridOnly = 0, market = 0, afterDelivery = 0, exported = 0, imported = 0;
        int unreconciled = 0;
        var days = new SortedDictionary<DateOnly, StatementDay>();
        foreach (var start in lines.Select(g => g.Key).Concat(byStart.Keys).Distinct().Order())
        {
            long intervalMarket = 0, intervalAfter = 0, localWh = 0, gridWh = 0;
            foreach (var l in lines[start])
            {
                intervalMarket = checked(intervalMarket + l.Saving);
                localWh = checked(localWh + l.EnergyWh);
                if (l.Side == OrderSide.Sell)
                {
                    sold += new EnergyMoney(l.EnergyWh, l.Amount);
                }
                else
                {
                    bought += new EnergyMoney(l.EnergyWh, l.Amount);
                }
            }

            var corrected = false;
            if (byStart.TryGetValue(start, out var s))
            {
                var o = s.Outcome;
                provided += new EnergyMoney(o.ProvidedToNeighbours.EnergyWh, o.ProvidedToNeighbours.Amount);
                covered += new EnergyMoney(o.CoveredByNeighbours.EnergyWh, o.CoveredByNeighbours.Amount);
                toGrid += new EnergyMoney(o.SoldToUtility.EnergyWh, o.SoldToUtility.Amount);
                fromGrid += new EnergyMoney(o.BoughtFromUtility.EnergyWh, o.BoughtFromUtility.Amount);
                localWh = checked(localWh + o.ProvidedToNeighbours.EnergyWh + o.CoveredByNeighbours.EnergyWh);
                gridWh = checked(o.SoldToUtility.EnergyWh + o.BoughtFromUtility.EnergyWh);
                exported = checked(exported + o.Position.ExportWh);
                imported = checked(imported + o.Position.ImportWh);
                gridOnly = checked(gridOnly + o.GridOnlyNetAmount);
                // The interval's savings against grid-only, less what its trades already count: the deviation's part.
                intervalAfter = checked(o.Savings - intervalMarket);
                corrected = s.Previous is not null;
            }
            else
            {
                unreconciled++;
                foreach (var l in lines[start])
                {
                    gridOnly = checked(gridOnly + (l.Side == OrderSide.Sell ? l.GridAmount : -l.GridAmount));
                }
            }

            market = checked(market + intervalMarket);
            afterDelivery = checked(afterDelivery + intervalAfter);
            var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(start), zone).DateTime);
            var day = days.TryGetValue(date, out var d) ? d : new StatementDay(date, 0, 0, 0, 0, 0, 0, 0);
            days[date] = day with
            {
                MarketBenefit = checked(day.MarketBenefit + intervalMarket),
                AfterDeliveryBenefit = checked(day.AfterDeliveryBenefit + intervalAfter),
                LocalWh = checked(day.LocalWh + localWh),
                GridWh = checked(day.GridWh + gridWh),
                Intervals = day.Intervals + 1,
                Reconciled = day.Reconciled + (byStart.ContainsKey(start) ? 1 : 0),
                Corrected = day.Corrected + (corrected ? 1 : 0),
            };
        }

        return new StatementSummary(statement.Year, statement.Month, statement.Currency, sold, bought, provided, covered, toGrid, fromGrid,
            gridOnly, market, afterDelivery, exported, imported, byStart.Count, unreconciled, statement.Corrected, statement.Adjustments,
            statement.Pending, [.. days.Values])
        {
            BoughtNetworkShare = statement.Lines.Where(l => l.Side == OrderSide.Buy).Sum(l => l.NetworkAmount),
        };
    }
}

/// <summary>A month's <see cref="Statement"/> (its trades and reconciled intervals in detail) and its <see cref="StatementSummary"/>.</summary>
public sealed record StatementMonth(Statement Statement, StatementSummary Summary);
