using static Market.Matching.Tests.Book;

namespace Market.Matching.Tests;

/// <summary>Hand-computed examples for every rule; docs/clearing.md walks through the first two.</summary>
public sealed class WorkedExampleTests
{
    // Bids 1: 4000 Wh @ 2150, 2: 3000 Wh @ 2000; offers 3: 2000 @ 1800, 4: 3000 @ 1900, 5: 5000 @ 2100.
    // Walk: 1-3 2000, 1-4 2000, 2-4 1000, then bid 2 (2000) < offer 5 (2100): stop. Bid 2 is marginal.
    // lastB 2000, lastS 1900, nextB 2000, nextS 2100: low = max(1900, 2000) = 2000, high = min(2000, 2100) = 2000.
    private static readonly Order[] MarginalBidBook =
    [
        Bid(1, 4000, 2150, sequence: 1),
        Bid(2, 3000, 2000, sequence: 2),
        Offer(3, 2000, 1800, sequence: 3),
        Offer(4, 3000, 1900, sequence: 4),
        Offer(5, 5000, 2100, sequence: 5),
    ];

    // Bids 1: 3000 @ 2500, 2: 2000 @ 2100; offers 3: 2000 @ 2000, 4: 4000 @ 2200.
    // Walk: 1-3 2000, 1-4 1000, then bid 2 (2100) < offer 4 (2200): stop. Offer 4 is marginal.
    // lastB 2500, lastS 2200, nextB 2100, nextS 2200: low = max(2200, 2100) = 2200, high = min(2500, 2200) = 2200.
    private static readonly Order[] MarginalOfferBook =
    [
        Bid(1, 3000, 2500, sequence: 1),
        Bid(2, 2000, 2100, sequence: 2),
        Offer(3, 2000, 2000, sequence: 3),
        Offer(4, 4000, 2200, sequence: 4),
    ];

    [Fact]
    public void Clear_MarginalBidPartiallyFilled_PriceEqualsItsLimit()
    {
        var book = MarginalBidBook;

        var result = DoubleAuction.Clear(book);

        result.Price.ShouldBe(2000);
        result.Low.ShouldBe(2000);
        result.High.ShouldBe(2000);
    }

    [Fact]
    public void Clear_MarginalBidPartiallyFilled_TradesFollowTheWalk()
    {
        var book = MarginalBidBook;

        var result = DoubleAuction.Clear(book);

        result.Trades.ShouldBe([Trade(book, 1, 3, 2000, 2000), Trade(book, 1, 4, 2000, 2000), Trade(book, 2, 4, 1000, 2000)]);
        result.VolumeWh.ShouldBe(5000);
    }

    [Fact]
    public void Clear_MarginalBidPartiallyFilled_OutcomesNameTheReasons()
    {
        var book = MarginalBidBook;

        var result = DoubleAuction.Clear(book);

        result.Outcomes.ShouldBe(
        [
            new OrderOutcome(4000, FillReason.Filled),
            new OrderOutcome(1000, FillReason.MarginalPartialFill),
            new OrderOutcome(2000, FillReason.Filled),
            new OrderOutcome(3000, FillReason.Filled),
            new OrderOutcome(0, FillReason.PriceOnWrongSide),
        ]);
    }

    [Fact]
    public void Clear_MarginalBidBook_CurvesAreCumulativeSteps()
    {
        var book = MarginalBidBook;

        var result = DoubleAuction.Clear(book);

        result.DemandCurve.ShouldBe([new CurvePoint(2150, 4000), new CurvePoint(2000, 7000)]);
        result.SupplyCurve.ShouldBe([new CurvePoint(1800, 2000), new CurvePoint(1900, 5000), new CurvePoint(2100, 10000)]);
    }

    [Fact]
    public void Clear_MarginalOfferPartiallyFilled_PriceEqualsItsLimit()
    {
        var book = MarginalOfferBook;

        var result = DoubleAuction.Clear(book);

        result.Price.ShouldBe(2200);
        result.Low.ShouldBe(2200);
        result.High.ShouldBe(2200);
    }

    [Fact]
    public void Clear_MarginalOfferPartiallyFilled_OfferGetsTheRemainderAndLowBidNothing()
    {
        var book = MarginalOfferBook;

        var result = DoubleAuction.Clear(book);

        result.Trades.ShouldBe([Trade(book, 1, 3, 2000, 2200), Trade(book, 1, 4, 1000, 2200)]);
        result.Outcomes.ShouldBe(
        [
            new OrderOutcome(3000, FillReason.Filled),
            new OrderOutcome(0, FillReason.PriceOnWrongSide),
            new OrderOutcome(2000, FillReason.Filled),
            new OrderOutcome(1000, FillReason.MarginalPartialFill),
        ]);
    }

    [Fact]
    public void Clear_BothSidesExhaustedExactly_PriceIsFlooredMidpointOfLastPrices()
    {
        // lastB 3000, lastS 2001, no next on either side: low 2001, high 3000, floor(5001 / 2) = 2500.
        Order[] book = [Bid(1, 1000, 3000), Offer(2, 1000, 2001)];

        var result = DoubleAuction.Clear(book);

        result.Low.ShouldBe(2001);
        result.High.ShouldBe(3000);
        result.Price.ShouldBe(2500);
    }

    [Fact]
    public void Clear_EqualPrices_LowerSequenceTradesFirst()
    {
        // Bid 2 arrived first (sequence 3), so it is filled first although it comes second in the input.
        Order[] book = [Bid(1, 1000, 2000, sequence: 5), Bid(2, 1000, 2000, sequence: 3), Offer(3, 1500, 1500, sequence: 1)];

        var result = DoubleAuction.Clear(book);

        result.Trades.ShouldBe([Trade(book, 2, 3, 1000, 2000), Trade(book, 1, 3, 500, 2000)]);
        result.Outcomes[0].ShouldBe(new OrderOutcome(500, FillReason.MarginalPartialFill));
    }

    [Fact]
    public void Clear_EqualPricesAndSequences_EarlierInputPositionTradesFirst()
    {
        Order[] book = [Bid(7, 1000, 2000, sequence: 1), Bid(3, 1000, 2000, sequence: 1), Offer(9, 1000, 1000, sequence: 1)];

        var result = DoubleAuction.Clear(book);

        result.Trades.ShouldBe([Trade(book, 7, 9, 1000, 2000)]);
    }

    [Fact]
    public void Clear_BidLosesOnTimePriorityAtClearingPrice_OtherSideExhausted()
    {
        // The second bid would pay the clearing price 2000, but the only offer went to the earlier bid.
        Order[] book = [Bid(1, 1000, 2000, sequence: 1), Bid(2, 1000, 2000, sequence: 2), Offer(3, 1000, 1000, sequence: 1)];

        var result = DoubleAuction.Clear(book);

        result.Price.ShouldBe(2000);
        result.Outcomes[1].ShouldBe(new OrderOutcome(0, FillReason.OtherSideExhausted));
    }

    [Fact]
    public void Clear_OnlyBids_NoTradeNoPriceAndOtherSideExhausted()
    {
        Order[] book = [Bid(1, 1000, 2000), Bid(2, 500, 1500)];

        var result = DoubleAuction.Clear(book);

        result.IsSuccess.ShouldBeTrue();
        result.Trades.ShouldBeEmpty();
        result.Price.ShouldBeNull();
        result.Low.ShouldBeNull();
        result.High.ShouldBeNull();
        result.VolumeWh.ShouldBe(0);
        result.Outcomes.ShouldAllBe(o => o == new OrderOutcome(0, FillReason.OtherSideExhausted));
        result.DemandCurve.ShouldBe([new CurvePoint(2000, 1000), new CurvePoint(1500, 1500)]);
        result.SupplyCurve.ShouldBeEmpty();
    }

    [Fact]
    public void Clear_OnlyOffers_NoTradeNoPrice()
    {
        Order[] book = [Offer(1, 1000, 900), Offer(2, 500, 900)];

        var result = DoubleAuction.Clear(book);

        result.Trades.ShouldBeEmpty();
        result.Price.ShouldBeNull();
        result.SupplyCurve.ShouldBe([new CurvePoint(900, 1500)]);
        result.DemandCurve.ShouldBeEmpty();
    }

    [Fact]
    public void Clear_BookDoesNotCross_NoTradeAndPriceOnWrongSide()
    {
        Order[] book = [Bid(1, 1000, 1000), Offer(2, 1000, 2000)];

        var result = DoubleAuction.Clear(book);

        result.Trades.ShouldBeEmpty();
        result.Price.ShouldBeNull();
        result.Outcomes.ShouldAllBe(o => o == new OrderOutcome(0, FillReason.PriceOnWrongSide));
    }

    [Fact]
    public void Clear_SingleOrder_NoTrade()
    {
        Order[] book = [Offer(1, 1000, 1000)];

        var result = DoubleAuction.Clear(book);

        result.IsSuccess.ShouldBeTrue();
        result.Trades.ShouldBeEmpty();
        result.Outcomes.ShouldBe([new OrderOutcome(0, FillReason.OtherSideExhausted)]);
    }

    [Fact]
    public void Clear_EmptyBook_SucceedsWithNothing()
    {
        var result = DoubleAuction.Clear([]);

        result.IsSuccess.ShouldBeTrue();
        result.Price.ShouldBeNull();
        result.Trades.ShouldBeEmpty();
        result.Outcomes.ShouldBeEmpty();
        result.DemandCurve.ShouldBeEmpty();
        result.SupplyCurve.ShouldBeEmpty();
    }

    [Fact]
    public void Clear_ManyOrdersAtOnePrice_SequenceDecidesAndLastBidIsMarginal()
    {
        // Five 100 Wh bids and three 150 Wh offers, all at 2000: 450 Wh trade in six steps.
        Order[] book =
        [
            Bid(1, 100, 2000, 1), Bid(2, 100, 2000, 2), Bid(3, 100, 2000, 3), Bid(4, 100, 2000, 4), Bid(5, 100, 2000, 5),
            Offer(6, 150, 2000, 1), Offer(7, 150, 2000, 2), Offer(8, 150, 2000, 3),
        ];

        var result = DoubleAuction.Clear(book);

        result.Trades.Select(t => (t.BuyOrderId, t.SellOrderId, t.EnergyWh)).ShouldBe(
            [(1L, 6L, 100L), (2L, 6L, 50L), (2L, 7L, 50L), (3L, 7L, 100L), (4L, 8L, 100L), (5L, 8L, 50L)]);
        result.Price.ShouldBe(2000);
        result.VolumeWh.ShouldBe(450);
        result.Outcomes[4].ShouldBe(new OrderOutcome(50, FillReason.MarginalPartialFill));
    }

    [Fact]
    public void Clear_PayAsBid_EachTradeAtItsBidsLimitAndNoUniformPrice()
    {
        var book = MarginalBidBook;

        var result = DoubleAuction.Clear(book, Mechanism.PayAsBid);

        result.Price.ShouldBeNull();
        result.Low.ShouldBe(2000);
        result.High.ShouldBe(2000);
        result.Trades.Select(t => t.Price).ShouldBe([2150L, 2150L, 2000L]);
        result.Mechanism.ShouldBe(Mechanism.PayAsBid);
    }

    [Fact]
    public void Clear_PayAsBidAndUniformPrice_SameFillsAndVolume()
    {
        var book = MarginalBidBook;

        var uniform = DoubleAuction.Clear(book, Mechanism.UniformPrice);
        var payAsBid = DoubleAuction.Clear(book, Mechanism.PayAsBid);

        payAsBid.Outcomes.ShouldBe(uniform.Outcomes);
        payAsBid.VolumeWh.ShouldBe(uniform.VolumeWh);
        payAsBid.Trades.Select(t => (t.BuyIndex, t.SellIndex, t.EnergyWh)).ShouldBe(uniform.Trades.Select(t => (t.BuyIndex, t.SellIndex, t.EnergyWh)));
    }

    [Fact]
    public void Clear_AnyBook_RecordsRulesVersionAndMechanism()
    {
        var book = MarginalBidBook;

        var result = DoubleAuction.Clear(book);

        result.RulesVersion.ShouldBe((ushort)1);
        result.Mechanism.ShouldBe(Mechanism.UniformPrice);
    }

    [Fact]
    public void Clear_PriceZeroOffers_TradeAtZeroLowBound()
    {
        // Free energy is a valid price: low = max(lastS 0, nextB 0) = 0, high = min(lastB 500, nextS none) = 500.
        Order[] book = [Bid(1, 100, 500), Bid(2, 100, 0), Offer(3, 100, 0)];

        var result = DoubleAuction.Clear(book);

        result.Low.ShouldBe(0);
        result.High.ShouldBe(500);
        result.Price.ShouldBe(250);
        result.Outcomes[1].ShouldBe(new OrderOutcome(0, FillReason.PriceOnWrongSide));
    }
}
