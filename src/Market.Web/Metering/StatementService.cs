using System.Globalization;
using System.Text;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Metering;

/// <summary>
/// One trade in a statement, with what the same energy would have cost or earned with the grid alone.
/// <see cref="Reconciled"/>: its interval has been settled against the meters (see <see cref="StatementInterval"/>);
/// otherwise the trade is all the statement knows about the interval yet.
/// </summary>
public sealed record StatementLine(long TradeId, long IntervalStart, OrderSide Side, long EnergyWh, long Price, long Amount, long GridAmount, long Saving, long BlockHeight, bool Reconciled = false, long NetworkAmount = 0);

/// <summary>
/// One reconciled interval of a household (latest reconciliation version): metered import and export split into
/// local and grid, money by counterparty, and the savings against grid-only (all import at retail, all export at
/// feed-in). Energy in Wh, money in 1/10,000 of the currency. Rules: docs/settlement.md, rule 6.
/// </summary>
public sealed record StatementInterval(
    long IntervalStart,
    int Version,
    long ImportLocalWh,
    long ImportGridWh,
    long ExportLocalWh,
    long ExportGridWh,
    long LocalCost,
    long GridCost,
    long LocalEarnings,
    long GridEarnings,
    long GridOnlyNetAmount,
    long GridBoughtWh = 0,
    long? PreviousNetAmount = null)
{
    /// <summary>
    /// What the latest version changed against the version before it, which the household was part of (a corrected
    /// reading, its own or a neighbour's): <see cref="NetAmount"/> minus the previous one. Null when nothing was
    /// corrected.
    /// </summary>
    public long? Adjustment => PreviousNetAmount is { } before ? checked(NetAmount - before) : null;

    public long ImportWh => ImportLocalWh + ImportGridWh;

    /// <summary>Bought from the utility but not imported here: energy sold in the market and not delivered, covered at retail.</summary>
    public long ShortfallCoveredByGridWh => Math.Max(0, GridBoughtWh - ImportGridWh);

    public long ExportWh => ExportLocalWh + ExportGridWh;

    /// <summary>Earnings minus costs (negative: the household paid on balance).</summary>
    public long NetAmount => checked(LocalEarnings + GridEarnings - LocalCost - GridCost);

    /// <summary><see cref="NetAmount"/> minus the grid-only net amount.</summary>
    public long Savings => checked(NetAmount - GridOnlyNetAmount);

    public static StatementInterval From(SettledInterval settled)
    {
        var o = settled.Outcome;
        return new StatementInterval(settled.IntervalStart, settled.Version, o.Import.LocalWh, o.Import.GridWh, o.Export.LocalWh, o.Export.GridWh,
            o.LocalCost, o.GridCost, o.LocalEarnings, o.GridEarnings, o.GridOnlyNetAmount, o.BoughtFromUtility.EnergyWh, settled.Previous?.NetAmount);
    }
}

/// <summary>
/// A household's month: its trades (local energy and money, the saving against the grid: retail when buying, feed-in
/// when selling) and, for intervals reconciled against the meters, the local/grid split of what was metered.
/// </summary>
public sealed record Statement(
    int Year,
    int Month,
    string Currency,
    long BoughtWh,
    long Paid,
    long SoldWh,
    long Received,
    long SavedOnPurchases,
    long EarnedAboveFeedIn,
    IReadOnlyList<StatementLine> Lines,
    IReadOnlyList<StatementInterval> Intervals,
    IReadOnlyList<long>? PendingCorrections = null)
{
    /// <summary>Intervals (start, Unix seconds) for which a correction of the household's reading waits for an
    /// operator's confirmation: their figures may still change.</summary>
    public IReadOnlyList<long> Pending => PendingCorrections ?? [];

    public long ImportLocalWh => Intervals.Sum(i => i.ImportLocalWh);

    public long ImportGridWh => Intervals.Sum(i => i.ImportGridWh);

    public long ExportLocalWh => Intervals.Sum(i => i.ExportLocalWh);

    public long ExportGridWh => Intervals.Sum(i => i.ExportGridWh);

    public long LocalCost => Intervals.Sum(i => i.LocalCost);

    public long GridCost => Intervals.Sum(i => i.GridCost);

    /// <summary>Energy sold but not delivered, bought from the utility on the household's account.</summary>
    public long ShortfallCoveredByGridWh => Intervals.Sum(i => i.ShortfallCoveredByGridWh);

    public long LocalEarnings => Intervals.Sum(i => i.LocalEarnings);

    public long GridEarnings => Intervals.Sum(i => i.GridEarnings);

    /// <summary>Intervals whose latest reconciliation corrected an earlier one.</summary>
    public int Corrected => Intervals.Count(i => i.Adjustment is not null);

    /// <summary>What corrections changed this month's balance (positive: in the household's favour).</summary>
    public long Adjustments => Intervals.Sum(i => i.Adjustment ?? 0);

    /// <summary>Savings against grid-only over the reconciled intervals.</summary>
    public long ReconciledSavings => Intervals.Sum(i => i.Savings);

    /// <summary>The trades' saving in intervals not reconciled yet (trade-only view).</summary>
    public long UnreconciledTradeSavings => Lines.Where(l => !l.Reconciled).Sum(l => l.Saving);

    /// <summary>How much better off than with the grid alone: reconciled savings plus the trade-only saving of the rest.</summary>
    public long TotalBenefit => checked(ReconciledSavings + UnreconciledTradeSavings);
}

/// <summary>Builds monthly statements; months are calendar months in the household's time zone.</summary>
public sealed class StatementService(IDbContextFactory<MarketDbContext> dbFactory, IOptions<CommunityOptions> options, RulesBook rulesBook, SettlementQueries settlement)
{
    public async Task<Statement> MonthAsync(Household household, int year, int month, CancellationToken cancellationToken = default) =>
        (await ReadAsync(household, year, month, cancellationToken)).Statement;

    /// <summary>
    /// The month's statement and its <see cref="StatementSummary"/>: the headline against the grid alone, its split,
    /// where every kWh went and the days, from one read of the data.
    /// </summary>
    public async Task<StatementMonth> MonthWithSummaryAsync(Household household, int year, int month, CancellationToken cancellationToken = default)
    {
        var (statement, settled) = await ReadAsync(household, year, month, cancellationToken);
        return new StatementMonth(statement, StatementSummary.From(statement, settled, TimeZoneInfo.FindSystemTimeZoneById(household.TimeZone)));
    }

    private async Task<(Statement Statement, IReadOnlyList<SettledInterval> Settled)> ReadAsync(Household household, int year, int month, CancellationToken cancellationToken)
    {
        var (from, to) = MonthRange(household, year, month);
        var rules = options.Value;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trades = await db.Trades.AsNoTracking()
            .Where(t => (t.BuyerHouseholdId == household.Id || t.SellerHouseholdId == household.Id) && t.IntervalStart >= from && t.IntervalStart < to)
            .OrderBy(t => t.IntervalStart).ThenBy(t => t.Id)
            .ToListAsync(cancellationToken);
        var settled = await settlement.HouseholdAsync(household.Id, from, to, cancellationToken);
        var intervals = settled.Select(StatementInterval.From).ToList();
        var reconciled = intervals.Select(i => i.IntervalStart).ToHashSet();
        var lines = new List<StatementLine>(trades.Count);
        long boughtWh = 0, paid = 0, soldWh = 0, received = 0, saved = 0, earned = 0;
        foreach (var t in trades)
        {
            if (t.BuyerHouseholdId == household.Id)
            {
                var grid = Money.Amount(t.EnergyWh, rulesBook.At(t.IntervalStart).PriceCeiling);
                boughtWh += t.EnergyWh;
                paid += t.Amount;
                saved += grid - t.Amount;
                // Under the grid's mechanism the buyer pays its zone's price and the seller gets its own: the difference (network
                // fee and congestion rent) went to the network operator. 0 under a single price.
                lines.Add(new StatementLine(t.Id, t.IntervalStart, OrderSide.Buy, t.EnergyWh, t.Price, t.Amount, grid, grid - t.Amount, t.BlockHeight, reconciled.Contains(t.IntervalStart), t.Amount - t.SellAmount));
            }

            if (t.SellerHouseholdId == household.Id)
            {
                var grid = Money.Amount(t.EnergyWh, rulesBook.At(t.IntervalStart).PriceFloor);
                soldWh += t.EnergyWh;
                received += t.SellAmount;
                earned += t.SellAmount - grid;
                lines.Add(new StatementLine(t.Id, t.IntervalStart, OrderSide.Sell, t.EnergyWh, t.SellPrice, t.SellAmount, grid, t.SellAmount - grid, t.BlockHeight, reconciled.Contains(t.IntervalStart)));
            }
        }

        var pending = await CorrectionReview.Undecided(db)
            .Where(c => c.HouseholdId == household.Id && c.IntervalStart >= from && c.IntervalStart < to)
            .Select(c => c.IntervalStart)
            .Distinct()
            .OrderBy(c => c)
            .ToListAsync(cancellationToken);
        return (new Statement(year, month, rules.Currency, boughtWh, paid, soldWh, received, saved, earned, lines, intervals, pending), settled);
    }

    /// <summary>
    /// The statement as CSV, decimal units with a dot, times in the household's zone: one line per trade (side
    /// <c>bought</c> or <c>sold</c>; <c>settlement</c> says whether its interval is reconciled) and one line per
    /// reconciled interval (side <c>metered</c>) with the local/grid split of the metered energy, money by
    /// counterparty, the savings against grid-only and, for a corrected interval, the change against the version
    /// before. Trade columns are empty on metered lines and the other way round, so every money column sums to the
    /// month.
    /// </summary>
    public static string ToCsv(Statement statement, TimeZoneInfo zone)
    {
        var c = statement.Currency;
        var csv = new StringBuilder();
        csv.AppendLine(CultureInfo.InvariantCulture,
            $"trade_id,interval_start_local,side,energy_kwh,price_ct_per_kwh,amount_{c},grid_alternative_{c},saving_{c},block," +
            $"settlement,reconciliation_version,import_local_kwh,import_grid_kwh,export_local_kwh,export_grid_kwh,local_cost_{c},grid_cost_{c},local_earnings_{c},grid_earnings_{c},net_{c},grid_only_net_{c},savings_vs_grid_only_{c},adjustment_vs_previous_version_{c}");
        var metered = statement.Intervals.ToDictionary(i => i.IntervalStart);
        var starts = statement.Lines.Select(l => l.IntervalStart).Concat(metered.Keys).Distinct().Order();
        var lines = statement.Lines.ToLookup(l => l.IntervalStart);
        foreach (var start in starts)
        {
            var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(start), zone);
            var version = metered.TryGetValue(start, out var m) ? m.Version.ToString(CultureInfo.InvariantCulture) : "";
            var settlement = m is null ? "not_reconciled" : "reconciled";
            foreach (var l in lines[start])
            {
                csv.AppendLine(CultureInfo.InvariantCulture,
                    $"{l.TradeId},{local:yyyy-MM-ddTHH:mmzzz},{(l.Side == OrderSide.Buy ? "bought" : "sold")},{l.EnergyWh / 1000m},{l.Price / 100m},{l.Amount / 10_000m},{l.GridAmount / 10_000m},{l.Saving / 10_000m},{l.BlockHeight},{settlement},{version},,,,,,,,,,,,");
            }

            if (m is not null)
            {
                csv.AppendLine(CultureInfo.InvariantCulture,
                    $",{local:yyyy-MM-ddTHH:mmzzz},metered,,,,,,,{settlement},{version},{m.ImportLocalWh / 1000m},{m.ImportGridWh / 1000m},{m.ExportLocalWh / 1000m},{m.ExportGridWh / 1000m},{m.LocalCost / 10_000m},{m.GridCost / 10_000m},{m.LocalEarnings / 10_000m},{m.GridEarnings / 10_000m},{m.NetAmount / 10_000m},{m.GridOnlyNetAmount / 10_000m},{m.Savings / 10_000m},{m.Adjustment / 10_000m}");
            }
        }

        return csv.ToString();
    }

    /// <summary>A calendar month in the household's time zone, <c>[from, to)</c> in Unix seconds.</summary>
    public static (long From, long To) MonthRange(Household household, int year, int month)
    {
        ArgumentNullException.ThrowIfNull(household);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(household.TimeZone);
        return (LocalMonthStart(zone, year, month), month == 12 ? LocalMonthStart(zone, year + 1, 1) : LocalMonthStart(zone, year, month + 1));
    }

    private static long LocalMonthStart(TimeZoneInfo zone, int year, int month)
    {
        var local = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUnixTimeSeconds();
    }
}
