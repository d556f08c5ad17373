using System.Globalization;
using System.Text;
using Market.Ledger;
using Market.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrderSide = Market.Web.Persistence.OrderSide;

namespace Market.Web.Trading;

/// <summary>One trade in a statement, with what the same energy would have cost or earned with the grid alone.</summary>
public sealed record StatementLine(long TradeId, long IntervalStart, OrderSide Side, long EnergyWh, long Price, long Amount, long GridAmount, long Saving, long BlockHeight);

/// <summary>A household's month: local energy and money, and the saving against the grid (retail when buying, feed-in when selling).</summary>
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
    IReadOnlyList<StatementLine> Lines)
{
    public long TotalBenefit => checked(SavedOnPurchases + EarnedAboveFeedIn);
}

/// <summary>Builds monthly statements; months are calendar months in the household's time zone.</summary>
public sealed class StatementService(IDbContextFactory<MarketDbContext> dbFactory, IOptions<CommunityOptions> options, RulesBook rulesBook)
{
    public async Task<Statement> MonthAsync(Household household, int year, int month, CancellationToken cancellationToken = default)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(household.TimeZone);
        var from = LocalMonthStart(zone, year, month);
        var to = month == 12 ? LocalMonthStart(zone, year + 1, 1) : LocalMonthStart(zone, year, month + 1);
        var rules = options.Value;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trades = await db.Trades.AsNoTracking()
            .Where(t => (t.BuyerHouseholdId == household.Id || t.SellerHouseholdId == household.Id) && t.IntervalStart >= from && t.IntervalStart < to)
            .OrderBy(t => t.IntervalStart).ThenBy(t => t.Id)
            .ToListAsync(cancellationToken);
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
                lines.Add(new StatementLine(t.Id, t.IntervalStart, OrderSide.Buy, t.EnergyWh, t.Price, t.Amount, grid, grid - t.Amount, t.BlockHeight));
            }

            if (t.SellerHouseholdId == household.Id)
            {
                var grid = Money.Amount(t.EnergyWh, rulesBook.At(t.IntervalStart).PriceFloor);
                soldWh += t.EnergyWh;
                received += t.Amount;
                earned += t.Amount - grid;
                lines.Add(new StatementLine(t.Id, t.IntervalStart, OrderSide.Sell, t.EnergyWh, t.Price, t.Amount, grid, t.Amount - grid, t.BlockHeight));
            }
        }

        return new Statement(year, month, rules.Currency, boughtWh, paid, soldWh, received, saved, earned, lines);
    }

    /// <summary>The statement as CSV: one line per trade, decimal units with a dot, times in the household's zone.</summary>
    public static string ToCsv(Statement statement, TimeZoneInfo zone)
    {
        var csv = new StringBuilder();
        csv.AppendLine(CultureInfo.InvariantCulture, $"trade_id,interval_start_local,side,energy_kwh,price_ct_per_kwh,amount_{statement.Currency},grid_alternative_{statement.Currency},saving_{statement.Currency},block");
        foreach (var l in statement.Lines)
        {
            var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(l.IntervalStart), zone);
            csv.AppendLine(CultureInfo.InvariantCulture,
                $"{l.TradeId},{local:yyyy-MM-ddTHH:mmzzz},{(l.Side == OrderSide.Buy ? "bought" : "sold")},{l.EnergyWh / 1000m},{l.Price / 100m},{l.Amount / 10_000m},{l.GridAmount / 10_000m},{l.Saving / 10_000m},{l.BlockHeight}");
        }

        return csv.ToString();
    }

    private static long LocalMonthStart(TimeZoneInfo zone, int year, int month)
    {
        var local = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUnixTimeSeconds();
    }
}
