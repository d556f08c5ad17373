using static Market.Matching.Tests.Book;

namespace Market.Matching.Tests;

/// <summary>
/// Textbook double auctions with unit orders, answers computed by hand from the textbook formulas.
/// </summary>
/// <remarks>
/// With bids sorted b(1) &gt;= b(2) &gt;= ... and offers s(1) &lt;= s(2) &lt;= ..., the efficient quantity k is the
/// largest k with b(k) &gt;= s(k), and every price in the competitive interval
/// [max(s(k), b(k+1)), min(b(k), s(k+1))] clears the market (the interval of McAfee, "A dominant strategy double
/// auction", Journal of Economic Theory 56 (1992)); the k-double auction with k = 1/2 of Chatterjee and Samuelson
/// (1983) and Satterthwaite and Williams (1989) prices at its midpoint. Prices here are those of the examples
/// multiplied by 100 (so 10 becomes 1000), energies one unit of 1000 Wh.
/// </remarks>
public sealed class PublishedCaseTests
{
    [Fact]
    public void Clear_FourBuyersFourSellers_TwoUnitsTradeInCompetitiveInterval()
    {
        // Values 10, 8, 6, 4 and costs 3, 5, 7, 9: k = 2 (8 >= 5, 6 < 7); interval [max(5, 6), min(8, 7)] = [6, 7].
        Order[] book =
        [
            Bid(1, 1000, 1000, 1), Bid(2, 1000, 800, 2), Bid(3, 1000, 600, 3), Bid(4, 1000, 400, 4),
            Offer(5, 1000, 300, 5), Offer(6, 1000, 500, 6), Offer(7, 1000, 700, 7), Offer(8, 1000, 900, 8),
        ];

        var result = DoubleAuction.Clear(book);

        result.VolumeWh.ShouldBe(2000);
        result.Low.ShouldBe(600);
        result.High.ShouldBe(700);
        result.Price.ShouldBe(650);
        result.Trades.Select(t => (t.BuyOrderId, t.SellOrderId)).ShouldBe([(1L, 5L), (2L, 6L)]);
    }

    [Fact]
    public void Clear_SymmetricSchedules_UniqueEquilibriumPriceAndQuantity()
    {
        // Values 10, 9, 8, 7, 6 and costs 6, 7, 8, 9, 10: supply meets demand at 8 with 3 units;
        // interval [max(8, 7), min(8, 9)] = [8, 8].
        Order[] book =
        [
            Bid(1, 1000, 1000, 1), Bid(2, 1000, 900, 2), Bid(3, 1000, 800, 3), Bid(4, 1000, 700, 4), Bid(5, 1000, 600, 5),
            Offer(6, 1000, 600, 6), Offer(7, 1000, 700, 7), Offer(8, 1000, 800, 8), Offer(9, 1000, 900, 9), Offer(10, 1000, 1000, 10),
        ];

        var result = DoubleAuction.Clear(book);

        result.VolumeWh.ShouldBe(3000);
        result.Low.ShouldBe(800);
        result.High.ShouldBe(800);
        result.Price.ShouldBe(800);
    }

    [Fact]
    public void Clear_ExcessDemandAtEveryPrice_SupplyAllSoldAndPriceBetweenLastCostAndNextValue()
    {
        // Values 12, 11, 10, 9 and costs 4, 5: both units sell (k = 2, s(3) missing);
        // interval [max(s(2) 5, b(3) 10), min(b(2) 11, none)] = [10, 11].
        Order[] book =
        [
            Bid(1, 1000, 1200, 1), Bid(2, 1000, 1100, 2), Bid(3, 1000, 1000, 3), Bid(4, 1000, 900, 4),
            Offer(5, 1000, 400, 5), Offer(6, 1000, 500, 6),
        ];

        var result = DoubleAuction.Clear(book);

        result.VolumeWh.ShouldBe(2000);
        result.Low.ShouldBe(1000);
        result.High.ShouldBe(1100);
        result.Price.ShouldBe(1050);
        // The unserved buyers value the energy below the clearing price 1050.
        result.Outcomes.Take(4).Select(o => o.Reason).ShouldBe(
            [FillReason.Filled, FillReason.Filled, FillReason.PriceOnWrongSide, FillReason.PriceOnWrongSide]);
    }
}
