using Market.Matching.Grid;

namespace Market.Matching.Tests.Grid;

/// <summary>The worked examples of docs/clearing.md, rules version 2, each with its figures checked.</summary>
public sealed class GridWorkedExampleTests
{
    private const long Unlimited = GridNetwork.Unlimited;

    // The street: the community (0), transformer T1 (1), feeders F1 (2) and F2 (3) under it, households A (4) and
    // B (5) on F1, C (6) and D (7) on F2.
    private const int Community = 0, T1 = 1, F1 = 2, F2 = 3, A = 4, B = 5, C = 6, D = 7;

    private static GridNode[] Street(long feederFee = 0) =>
    [
        new(-1, 0, 0, 0, 0),
        new(Community, Unlimited, Unlimited, 0, 0),
        new(T1, Unlimited, Unlimited, feederFee, 0),
        new(T1, Unlimited, Unlimited, feederFee, 0),
        new(F1, Unlimited, Unlimited, 0, 0),
        new(F1, Unlimited, Unlimited, 0, 0),
        new(F2, Unlimited, Unlimited, 0, 0),
        new(F2, Unlimited, Unlimited, 0, 0),
    ];

    private static GridClearingResult Clear(GridNode[] nodes, params (int Node, Order Order)[] book)
    {
        Assert.True(GridNetwork.TryCreate(nodes, out var network, out var error), error?.Message);
        var orders = book.Select(b => b.Order).ToArray();
        var at = book.Select(b => b.Node).ToArray();
        var result = GridAuction.Clear(network, orders, at);
        Assert.True(result.IsSuccess, result.Rejection?.Message);
        Assert.Null(GridCertificate.Check(network, [], orders, at, result.Outcomes.Select(o => o.FilledWh).ToArray(), result.ZonePrices.AsSpan()));
        return result;
    }

    private static Order Sell(long id, long wh, long price, long sequence) => new(id, Side.Sell, wh, price, sequence);

    private static Order Buy(long id, long wh, long price, long sequence) => new(id, Side.Buy, wh, price, sequence);

    [Fact]
    public void ExportEnvelope_CutsTheSeller_WhoGetsItsOwnZonePrice()
    {
        var nodes = Street();
        nodes[A] = nodes[A] with { ExportCapacityWh = 600 };   // 2.4 kW for 15 minutes

        var r = Clear(nodes, (A, Sell(1, 1000, 1000, 1)), (C, Buy(2, 1000, 3000, 2)));

        Assert.Equal(new OrderOutcome(600, FillReason.NetworkLimit), r.Outcomes[0]);
        Assert.Equal(new OrderOutcome(600, FillReason.MarginalPartialFill), r.Outcomes[1]);
        Assert.Equal(A, r.LimitingNode(0));
        Assert.Equal(EdgeState.ExportLimitBinding, r.EdgeStates[A]);
        Assert.Equal(3000, r.Price);
        Assert.Equal(1000, r.ZonePrices[A]);
        Assert.Equal(3000, r.ZonePrices[C]);
        var trade = Assert.Single(r.Trades);
        Assert.Equal((2L, 1L, 600L, 3000L, 1000L, 0L, T1), (trade.BuyOrderId, trade.SellOrderId, trade.EnergyWh, trade.BuyPrice, trade.SellPrice, trade.FeePrice, trade.MeetNode));
    }

    [Fact]
    public void ImportEnvelope_CutsTheBuyer_WhoPaysItsOwnZonePrice()
    {
        var nodes = Street();
        nodes[D] = nodes[D] with { ImportCapacityWh = 1500 };

        var r = Clear(nodes, (A, Sell(1, 2000, 1000, 1)), (D, Buy(2, 2000, 3000, 2)));

        Assert.Equal(new OrderOutcome(1500, FillReason.MarginalPartialFill), r.Outcomes[0]);
        Assert.Equal(new OrderOutcome(1500, FillReason.NetworkLimit), r.Outcomes[1]);
        Assert.Equal(D, r.LimitingNode(1));
        Assert.Equal(EdgeState.ImportLimitBinding, r.EdgeStates[D]);
        Assert.Equal(1000, r.Price);
        Assert.Equal(3000, r.ZonePrices[D]);
    }

    [Fact]
    public void CongestedFeeder_Exporting_SplitsTheMarketIntoTwoZones()
    {
        var nodes = Street();
        nodes[F1] = nodes[F1] with { ExportCapacityWh = 3000 };

        var r = Clear(
            nodes,
            (A, Sell(1, 2000, 500, 1)),
            (B, Sell(2, 2000, 800, 2)),
            (C, Buy(3, 5000, 3000, 3)),
            (D, Sell(4, 2000, 2000, 4)));

        Assert.Equal(
            [new(2000, FillReason.Filled), new(1000, FillReason.NetworkLimit), new(5000, FillReason.Filled), new(2000, FillReason.Filled)],
            r.Outcomes.ToArray());
        Assert.Equal(3000, r.FlowsWh[F1]);
        Assert.Equal(EdgeState.ExportLimitBinding, r.EdgeStates[F1]);
        Assert.Equal(F1, r.LimitingNode(1));
        Assert.Equal(2500, r.Price);
        Assert.Equal([2500, 2500, 800, 2500, 800, 800, 2500, 2500], r.ZonePrices.ToArray());
        Assert.All(r.Trades.Where(t => t.SellIndex < 2), t => Assert.Equal(1700, t.BuyPrice - t.SellPrice - t.FeePrice));
    }

    [Fact]
    public void CongestedTransformer_SplitsTheCommunity()
    {
        GridNode[] nodes =
        [
            new(-1, 0, 0, 0, 0),
            new(0, 1000, Unlimited, 0, 0),   // T1 may export 1,000 Wh
            new(0, Unlimited, Unlimited, 0, 0),
            new(1, Unlimited, Unlimited, 0, 0),
            new(2, Unlimited, Unlimited, 0, 0),
            new(3, Unlimited, Unlimited, 0, 0),
            new(4, Unlimited, Unlimited, 0, 0),
        ];

        var r = Clear(nodes, (5, Sell(1, 3000, 1000, 1)), (6, Buy(2, 3000, 3000, 2)));

        Assert.Equal(new OrderOutcome(1000, FillReason.NetworkLimit), r.Outcomes[0]);
        Assert.Equal(new OrderOutcome(1000, FillReason.MarginalPartialFill), r.Outcomes[1]);
        Assert.Equal(1, r.LimitingNode(0));
        Assert.Equal(3000, r.Price);
        Assert.Equal([3000, 1000, 3000, 1000, 3000, 1000, 3000], r.ZonePrices.ToArray());
    }

    [Fact]
    public void Fees_MakeTheBuyerTradeWithItsOwnFeeder()
    {
        (int, Order)[] book = [(A, Sell(1, 1000, 1000, 1)), (C, Sell(2, 1000, 1100, 2)), (D, Buy(3, 1000, 3000, 3))];

        var withoutFees = Clear(Street(), book);
        var withFees = Clear(Street(feederFee: 200), book);

        Assert.Equal((3L, 1L), (withoutFees.Trades.Single().BuyOrderId, withoutFees.Trades.Single().SellOrderId));
        var trade = withFees.Trades.Single();
        Assert.Equal((3L, 2L, 0L, F2), (trade.BuyOrderId, trade.SellOrderId, trade.FeePrice, trade.MeetNode));
        Assert.Equal(new OrderOutcome(0, FillReason.PriceOnWrongSide), withFees.Outcomes[0]);
        Assert.Equal(1150, withFees.Price);
        Assert.Equal(975, withFees.ZonePrices[A]);
        Assert.Equal(1125, withFees.ZonePrices[D]);
    }

    [Fact]
    public void Fees_ArePaidByTheTradeThatCrossesFeeders()
    {
        var r = Clear(Street(feederFee: 200), (A, Sell(1, 1000, 1000, 1)), (D, Buy(2, 1000, 3000, 2)));

        // The community's price is the middle of 12.00 ct (A's offer plus the fee) and 30.00 ct (D's bid); A's feeder
        // exports, so its zone is the fee below: the buyer pays 21.00, the seller receives 19.00, the fee is 2.00.
        var trade = Assert.Single(r.Trades);
        Assert.Equal((2100L, 1900L, 200L, T1), (trade.BuyPrice, trade.SellPrice, trade.FeePrice, trade.MeetNode));
        Assert.Equal(2100, r.Price);
        Assert.Equal(1900, r.ZonePrices[F1]);
    }

    [Fact]
    public void Ties_AcrossFeeders_GoByArrival_WhenThereAreNoFees()
    {
        var r = Clear(Street(), (A, Sell(1, 1000, 1500, 2)), (C, Sell(2, 1000, 1500, 1)), (B, Buy(3, 1000, 2000, 3)));

        Assert.Equal(new OrderOutcome(0, FillReason.OtherSideExhausted), r.Outcomes[0]);
        Assert.Equal(new OrderOutcome(1000, FillReason.Filled), r.Outcomes[1]);
        Assert.Equal((3L, 2L, T1), (r.Trades.Single().BuyOrderId, r.Trades.Single().SellOrderId, r.Trades.Single().MeetNode));
    }

    [Fact]
    public void Ties_BetweenABidAndAnOfferAtOnePrice_TradeTheMostEnergy()
    {
        var r = Clear(Street(), (A, Sell(1, 1000, 1500, 1)), (C, Buy(2, 1000, 1500, 2)));

        Assert.Equal(1000, r.VolumeWh);
        Assert.Equal(1500, r.Price);
    }

    [Fact]
    public void TradesWithinAFeeder_AreMatchedBeforeTradesAcrossFeeders()
    {
        var r = Clear(Street(), (A, Sell(1, 1000, 1000, 1)), (C, Sell(2, 1000, 1000, 2)), (B, Buy(3, 1000, 3000, 3)), (D, Buy(4, 1000, 3000, 4)));

        Assert.Equal([(3L, 1L, F1), (4L, 2L, F2)], r.Trades.Select(t => (t.BuyOrderId, t.SellOrderId, t.MeetNode)).ToArray());
    }
}
