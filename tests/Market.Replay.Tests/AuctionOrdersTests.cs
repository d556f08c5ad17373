using CsCheck;
using Market.Ledger;
using Market.Matching;

namespace Market.Replay.Tests;

public sealed class AuctionOrdersTests
{
    private static readonly PartyId Anna = new(1, 1);
    private static readonly PartyId Ben = new(1, 2);

    [Fact]
    public void From_OrderLeaf_IdAndTimePriorityAreTheSequence()
    {
        var leaf = Leaf(42, Anna, Ledger.OrderSide.Sell, 1_500, 2_100);

        var order = AuctionOrders.From(leaf);

        order.ShouldBe(new Order(42, Side.Sell, 1_500, 2_100, 42));
    }

    [Fact]
    public void From_EncodedLeaves_SameOrdersAsFromDecodedOnes()
    {
        OrderLeaf[] book = [Leaf(7, Anna, Ledger.OrderSide.Sell, 1_000, 1_500), Leaf(8, Ben, Ledger.OrderSide.Buy, 2_000, 2_500)];

        var fromBytes = AuctionOrders.FromLeaves([.. book.Select(Encode)]);

        fromBytes.ShouldBe(AuctionOrders.From(book));
    }

    [Fact]
    public void Fills_CrossingBook_EachTradeNamesTheOwnersOfItsTwoOrders()
    {
        OrderLeaf[] book = [Leaf(7, Anna, Ledger.OrderSide.Sell, 1_000, 1_500), Leaf(8, Ben, Ledger.OrderSide.Buy, 2_000, 2_500)];
        var result = DoubleAuction.Clear(AuctionOrders.From(book));

        var fills = AuctionOrders.Fills(book, result);

        fills.ShouldBe([new TradeFill(Ben, Anna, 8, 7, 1_000, result.Price!.Value)]);
    }

    [Fact]
    public void Replay_UnknownMechanismOrRulesVersion_Null()
    {
        var replayer = new MatchingReplayer();

        replayer.Replay([], mechanism: 9, rulesVersion: 1).ShouldBeNull();
        replayer.Replay([], mechanism: (byte)Mechanism.UniformPrice, rulesVersion: 0).ShouldBeNull();
    }

    [Fact]
    public void Replay_AnyBook_SameTradesAsClearingTheMappedBook()
    {
        var leaf = Gen.Select(Gen.Long[1, 50_000], Gen.Long[100, 4_000], Gen.Bool)
            .Select((e, p, buy) => (e, p, buy));
        Gen.Select(leaf.Array[0, 60], Gen.Bool).Sample((orders, payAsBid) =>
        {
            var book = orders.Select((o, i) => Leaf(i + 1, new PartyId(1, (ulong)(i % 7)), o.buy ? Ledger.OrderSide.Buy : Ledger.OrderSide.Sell, o.e, o.p)).ToArray();
            var mechanism = payAsBid ? Mechanism.PayAsBid : Mechanism.UniformPrice;

            var replayed = new MatchingReplayer().Replay(book, (byte)mechanism, DoubleAuction.RulesVersion);

            var expected = DoubleAuction.Clear(AuctionOrders.From(book), mechanism).Trades
                .Select(t => new ReplayedTrade(t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price));
            replayed.ShouldNotBeNull();
            replayed.ShouldBe(expected);
        }, iter: 300);
    }

    private static byte[] Encode(OrderLeaf leaf) => leaf.Encode();

    // The auction reads only sequence, side, energy and price; the authorisation is the verifier's concern.
    private static OrderLeaf Leaf(long sequence, PartyId owner, Ledger.OrderSide side, long energyWh, long limitPrice) =>
        new(sequence, owner, side, energyWh, limitPrice, new byte[16], new MandateOrder(new byte[32]));
}
