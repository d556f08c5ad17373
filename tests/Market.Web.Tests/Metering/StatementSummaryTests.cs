using Market.Ledger;
using Statement = Market.Web.Metering.Statement;
using Market.Matching.Settlement;

namespace Market.Web.Tests.Metering;

/// <summary>
/// The statement's one definition (<see cref="StatementSummary"/>): the headline is the sum of its parts and of its
/// days, the money of every section agrees, and energy neighbours took after delivery shows as such even when the
/// household sold nothing in the market (the contradiction of issue 15). Prices: retail 39.70 ct, feed-in 7.86 ct.
/// </summary>
[Trait("Database", "Independent")]
public sealed class StatementSummaryTests
{
    private const long Retail = 3970;
    private const long FeedIn = 786;
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>10:00 UTC on 1 June 2026 plus <paramref name="day"/> days and <paramref name="quarter"/> intervals, Unix seconds.</summary>
    internal static long Start(int day, int quarter = 0) => new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero).AddDays(day).ToUnixTimeSeconds() + (quarter * 900);

    /// <summary>
    /// One interval of the household at position 0 of <paramref name="Positions"/>: its trades at the local price
    /// and, when <paramref name="Reconciled"/>, the interval reconciled with every household's position.
    /// </summary>
    internal sealed record Case(long Start, long Local, HouseholdPosition[] Positions, bool Reconciled);

    internal static (Statement Statement, List<SettledInterval> Settled) Month(params Case[] cases)
    {
        var lines = new List<StatementLine>();
        var settled = new List<SettledInterval>();
        long tradeId = 1;
        foreach (var c in cases)
        {
            var me = c.Positions[0];
            if (me.SoldWh > 0)
            {
                var grid = Money.Amount(me.SoldWh, FeedIn);
                lines.Add(new StatementLine(tradeId++, c.Start, OrderSide.Sell, me.SoldWh, c.Local, me.SoldAmount, grid, me.SoldAmount - grid, 1, c.Reconciled));
            }

            if (me.BoughtWh > 0)
            {
                var grid = Money.Amount(me.BoughtWh, Retail);
                lines.Add(new StatementLine(tradeId++, c.Start, OrderSide.Buy, me.BoughtWh, c.Local, me.BoughtAmount, grid, grid - me.BoughtAmount, 1, c.Reconciled));
            }

            if (c.Reconciled)
            {
                var result = Reconciliation.Reconcile(new IntervalPrices(c.Local, Retail, FeedIn), c.Positions);
                result.IsSuccess.ShouldBeTrue(result.Rejection?.ToString());
                settled.Add(new SettledInterval(c.Start, 1, result.Households[0]));
            }
        }

        var intervals = settled.Select(StatementInterval.From).ToList();
        var statement = new Statement(2026, 6, "EUR",
            lines.Where(l => l.Side == OrderSide.Buy).Sum(l => l.EnergyWh), lines.Where(l => l.Side == OrderSide.Buy).Sum(l => l.Amount),
            lines.Where(l => l.Side == OrderSide.Sell).Sum(l => l.EnergyWh), lines.Where(l => l.Side == OrderSide.Sell).Sum(l => l.Amount),
            lines.Where(l => l.Side == OrderSide.Buy).Sum(l => l.Saving), lines.Where(l => l.Side == OrderSide.Sell).Sum(l => l.Saving), lines, intervals);
        return (statement, settled);
    }

    internal static HouseholdPosition Position(long sold, long bought, long local, long export, long import) =>
        new(sold, bought, Money.Amount(sold, local), Money.Amount(bought, local), export, import);

    /// <summary>
    /// Like Anna in the issue: she sold nothing in the market, but exported 800 Wh in an interval where a neighbour
    /// used 500 Wh more than it bought. X sold 1,000 Wh to Y at 20 ct; X delivered them, Y imported 1,500 Wh.
    /// </summary>
    public static StatementSummary AnnaLike()
    {
        var (statement, settled) = Month(new Case(Start(3), 2000,
        [
            Position(sold: 0, bought: 0, 2000, export: 800, import: 0),
            Position(sold: 1000, bought: 0, 2000, export: 1000, import: 0),
            Position(sold: 0, bought: 1000, 2000, export: 0, import: 1500),
        ], Reconciled: true));
        return StatementSummary.From(statement, settled, Berlin);
    }

    [Fact]
    public void From_NeighboursTookDeliveredEnergyWithoutAMarketSale_EveryFigureSaysSo()
    {
        var summary = AnnaLike();

        summary.SoldInMarket.ShouldBe(new EnergyMoney(0, 0));
        summary.ProvidedToNeighbours.ShouldBe(new EnergyMoney(500, 1000));  // 500 Wh at 20 ct
        summary.SoldToGrid.ShouldBe(new EnergyMoney(300, 236));             // 300 Wh at 7.86 ct = 235.8, half up
        summary.Net.ShouldBe(1236);
        summary.GridOnlyNet.ShouldBe(629);                                   // 800 Wh at 7.86 ct = 628.8
        summary.MarketBenefit.ShouldBe(0);
        summary.AfterDeliveryBenefit.ShouldBe(1236 - 629);
        summary.Benefit.ShouldBe(607);
        summary.MeteredExportWh.ShouldBe(800);
    }

    [Fact]
    public void From_NeighboursTookDeliveredEnergy_HeadlineEqualsTheOldStatementsBenefitAndTheDays()
    {
        var summary = AnnaLike();

        summary.Benefit.ShouldBe(summary.Net - summary.GridOnlyNet);
        summary.Days.ShouldHaveSingleItem().Benefit.ShouldBe(summary.Benefit);
        summary.Days[0].Date.ShouldBe(new DateOnly(2026, 6, 4));
        summary.Days[0].LocalWh.ShouldBe(500);
        summary.Days[0].GridWh.ShouldBe(300);
    }

    [Fact]
    public void From_ShortSeller_AfterDeliveryPartTakesBackWhatTheMarketPartCountedForUndeliveredEnergy()
    {
        // docs/settlement.md example 2 at these prices: sold 3,000 Wh at 20 ct, delivered 2,000, no surplus around.
        var (statement, settled) = Month(new Case(Start(0), 2000,
        [
            Position(sold: 3000, bought: 0, 2000, export: 2000, import: 0),
            Position(sold: 0, bought: 3000, 2000, export: 0, import: 3000),
        ], Reconciled: true));

        var summary = StatementSummary.From(statement, settled, Berlin);

        summary.MarketBenefit.ShouldBe(6000 - 2358);                       // 3,000 Wh at 20 ct against feed-in
        summary.BoughtFromGrid.ShouldBe(new EnergyMoney(1000, 3970));       // the undelivered 1,000 Wh at retail
        summary.Benefit.ShouldBe(6000 - 3970 - 1572);                      // net against 2,000 Wh at feed-in
        summary.AfterDeliveryBenefit.ShouldBe(summary.Benefit - summary.MarketBenefit);
        summary.AfterDeliveryBenefit.ShouldBeLessThan(0);
    }

    [Fact]
    public void From_IntervalNotReconciled_TradesCountAtTheGridsPricesAndNothingAfterDelivery()
    {
        var (statement, settled) = Month(new Case(Start(1), 2500, [Position(sold: 0, bought: 1000, 2500, export: 0, import: 0)], Reconciled: false));

        var summary = StatementSummary.From(statement, settled, Berlin);

        summary.UnreconciledIntervals.ShouldBe(1);
        summary.ReconciledIntervals.ShouldBe(0);
        summary.BoughtInMarket.ShouldBe(new EnergyMoney(1000, 2500));
        summary.GridOnlyNet.ShouldBe(-3970);
        (summary.MarketBenefit, summary.AfterDeliveryBenefit, summary.Benefit).ShouldBe((1470L, 0L, 1470L));
        summary.Benefit.ShouldBe(statement.TotalBenefit);
    }

    [Fact]
    public void From_EmptyMonth_IsEmptyWithAZeroHeadline()
    {
        var (statement, settled) = Month();

        var summary = StatementSummary.From(statement, settled, Berlin);

        summary.IsEmpty.ShouldBeTrue();
        (summary.Benefit, summary.Net, summary.GridOnlyNet).ShouldBe((0L, 0L, 0L));
        summary.Days.ShouldBeEmpty();
    }

    /// <summary>
    /// Many months of three households with random trades and readings (a fixed seed, so a failure repeats): the
    /// household's headline, its parts, its days, its six rows and the statement's older figures always agree.
    /// </summary>
    [Fact]
    public void From_RandomMonths_HeadlinePartsDaysAndRowsAlwaysAgree()
    {
        var random = new Random(20261204);
        for (var month = 0; month < 300; month++)
        {
            var cases = new List<Case>();
            for (var i = 0; i < random.Next(0, 12); i++)
            {
                var local = random.Next((int)FeedIn, (int)Retail + 1);
                var (a, b) = (random.Next(0, 3) == 0 ? 0 : random.Next(1, 3000), random.Next(0, 3) == 0 ? 0 : random.Next(1, 3000));
                // Trades: the household sells a Wh to Y and buys b Wh from X.
                HouseholdPosition[] positions =
                [
                    Position(a, b, local, random.Next(0, 4000), random.Next(0, 4000)),
                    Position(b, 0, local, random.Next(0, 4000), random.Next(0, 4000)),
                    Position(0, a, local, random.Next(0, 4000), random.Next(0, 4000)),
                ];
                cases.Add(new Case(Start(random.Next(0, 30), i), local, positions, random.Next(0, 4) != 0));
            }

            var (statement, settled) = Month([.. cases]);

            var s = StatementSummary.From(statement, settled, Berlin);

            s.Benefit.ShouldBe(s.Net - s.GridOnlyNet);
            s.Benefit.ShouldBe(s.Days.Sum(d => d.Benefit));
            s.MarketBenefit.ShouldBe(s.Days.Sum(d => d.MarketBenefit));
            s.Benefit.ShouldBe(statement.TotalBenefit);
            s.MarketBenefit.ShouldBe(statement.Lines.Sum(l => l.Saving));
            s.Net.ShouldBe(statement.Intervals.Sum(i => i.NetAmount)
                + statement.Lines.Where(l => !l.Reconciled).Sum(l => l.Side == OrderSide.Sell ? l.Amount : -l.Amount));
            (s.SoldInMarket.EnergyWh, s.BoughtInMarket.EnergyWh).ShouldBe((statement.SoldWh, statement.BoughtWh));
            // The settled rows of a reconciled interval net to what the meter measured.
            var reconciled = settled.Select(x => x.IntervalStart).ToHashSet();
            var settledNet = s.ProvidedToNeighbours.EnergyWh - s.CoveredByNeighbours.EnergyWh + s.SoldToGrid.EnergyWh - s.BoughtFromGrid.EnergyWh
                + statement.Lines.Where(l => reconciled.Contains(l.IntervalStart)).Sum(l => l.Side == OrderSide.Sell ? l.EnergyWh : -l.EnergyWh);
            settledNet.ShouldBe(s.MeteredExportWh - s.MeteredImportWh);
        }
    }
}
