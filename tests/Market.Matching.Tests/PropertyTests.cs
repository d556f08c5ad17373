using CsCheck;

namespace Market.Matching.Tests;

public sealed class PropertyTests
{
    private const int Iterations = 300;

    [Theory]
    [InlineData(Mechanism.UniformPrice)]
    [InlineData(Mechanism.PayAsBid)]
    public void Clear_RandomBooks_EqualsReferenceImplementation(Mechanism mechanism)
    {
        var books = BookGen.Valid;

        books.Sample(orders => ClearingAssert.SameAs(DoubleAuction.Clear(orders, mechanism), ReferenceAuction.Clear(orders, mechanism)), iter: Iterations);
    }

    [Theory]
    [InlineData(Mechanism.UniformPrice)]
    [InlineData(Mechanism.PayAsBid)]
    public void Clear_ComparisonSortFallback_EqualsReferenceImplementation(Mechanism mechanism)
    {
        var books = BookGen.Valid;

        books.Sample(
            orders =>
            {
                var clearer = new Clearer { ForceComparisonSort = true };
                ClearingAssert.SameAs(clearer.Clear(orders, mechanism), ReferenceAuction.Clear(orders, mechanism));
            },
            iter: Iterations);
    }

    [Fact]
    public void Clear_RandomBooksWithInvalidOrders_RejectsLikeReferenceImplementation()
    {
        var books =
            from orders in BookGen.Books(maxCount: 30, maxPriceSpan: 10, maxSequenceSpan: 5, maxEnergy: long.MaxValue / 3)
            from corruptAt in Gen.Int[0, 29]
            from corruption in Gen.Int[0, 4]
            select Corrupt(orders, corruptAt, corruption);

        books.Sample(orders => ClearingAssert.SameAs(DoubleAuction.Clear(orders), ReferenceAuction.Clear(orders, Mechanism.UniformPrice)), iter: Iterations);
    }

    [Fact]
    public void Clear_ColumnsAndOrderSpan_GiveIdenticalResults()
    {
        var books = BookGen.Valid;

        books.Sample(
            orders =>
            {
                var fromOrders = DoubleAuction.Clear(orders);
                var fromColumns = new Clearer().Clear(
                    orders.Select(o => o.Id).ToArray(),
                    orders.Select(o => o.Side).ToArray(),
                    orders.Select(o => o.EnergyWh).ToArray(),
                    orders.Select(o => o.Price).ToArray(),
                    orders.Select(o => o.Sequence).ToArray());
                ClearingAssert.Identical(fromColumns, fromOrders);
            },
            iter: Iterations);
    }

    [Fact]
    public void Clear_ReusedClearer_GivesSameResultsAsFreshOne()
    {
        var clearer = new Clearer();
        var books = BookGen.Valid;

        books.Sample(orders => ClearingAssert.Identical(clearer.Clear(orders), DoubleAuction.Clear(orders)), iter: Iterations, threads: 1);
    }

    [Fact]
    public void Clear_RandomBooks_NoBuyerPaysAboveAndNoSellerReceivesBelowItsLimit()
    {
        var books = Gen.Select(BookGen.Valid, Gen.OneOf(Gen.Const(Mechanism.UniformPrice), Gen.Const(Mechanism.PayAsBid)));

        books.Sample((orders, mechanism) =>
        {
            var result = DoubleAuction.Clear(orders, mechanism);
            foreach (var trade in result.Trades)
            {
                trade.Price.ShouldBeLessThanOrEqualTo(orders[trade.BuyIndex].Price);
                trade.Price.ShouldBeGreaterThanOrEqualTo(orders[trade.SellIndex].Price);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Clear_RandomBooks_FillsNeverExceedOrderEnergyAndMatchTrades()
    {
        var books = BookGen.Valid;

        books.Sample(orders =>
        {
            var result = DoubleAuction.Clear(orders);
            var traded = new long[orders.Length];
            foreach (var trade in result.Trades)
            {
                orders[trade.BuyIndex].Side.ShouldBe(Side.Buy);
                orders[trade.SellIndex].Side.ShouldBe(Side.Sell);
                trade.EnergyWh.ShouldBeGreaterThan(0);
                traded[trade.BuyIndex] += trade.EnergyWh;
                traded[trade.SellIndex] += trade.EnergyWh;
            }

            for (var i = 0; i < orders.Length; i++)
            {
                result.Outcomes[i].FilledWh.ShouldBeInRange(0, orders[i].EnergyWh);
                result.Outcomes[i].FilledWh.ShouldBe(traded[i]);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Clear_RandomBooks_EnergyBoughtEqualsEnergySoldEqualsVolume()
    {
        var books = BookGen.Valid;

        books.Sample(orders =>
        {
            var result = DoubleAuction.Clear(orders);
            var bought = orders.Select((o, i) => o.Side == Side.Buy ? result.Outcomes[i].FilledWh : 0).Sum();
            var sold = orders.Select((o, i) => o.Side == Side.Sell ? result.Outcomes[i].FilledWh : 0).Sum();
            bought.ShouldBe(result.VolumeWh);
            sold.ShouldBe(result.VolumeWh);
            result.Trades.Sum(t => t.EnergyWh).ShouldBe(result.VolumeWh);
        }, iter: Iterations);
    }

    [Fact]
    public void Clear_RandomBooks_NoUnfilledBidCrossesAnUnfilledOffer()
    {
        var books = BookGen.Valid;

        books.Sample(orders =>
        {
            var result = DoubleAuction.Clear(orders);
            var unfilled = orders.Where((o, i) => result.Outcomes[i].FilledWh < o.EnergyWh).ToList();
            var bestUnfilledBid = unfilled.Where(o => o.Side == Side.Buy).Select(o => (long?)o.Price).Max();
            var bestUnfilledOffer = unfilled.Where(o => o.Side == Side.Sell).Select(o => (long?)o.Price).Min();
            if (bestUnfilledBid is { } bid && bestUnfilledOffer is { } offer)
            {
                bid.ShouldBeLessThan(offer);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Clear_RandomBooks_UniformPriceLiesInClearingRange()
    {
        var books = BookGen.Valid;

        books.Sample(orders =>
        {
            var result = DoubleAuction.Clear(orders);
            if (result.Trades.Length == 0)
            {
                result.Price.ShouldBeNull();
                result.Low.ShouldBeNull();
                result.High.ShouldBeNull();
                return;
            }

            result.Low!.Value.ShouldBeLessThanOrEqualTo(result.High!.Value);
            result.Price!.Value.ShouldBeInRange(result.Low.Value, result.High.Value);
        }, iter: Iterations);
    }

    [Fact]
    public void Clear_RandomBooks_EveryPriceInRangeClearsTheTradedVolume()
    {
        var books = BookGen.Valid;

        books.Sample(orders =>
        {
            var result = DoubleAuction.Clear(orders);
            if (result.Trades.Length == 0)
            {
                return;
            }

            // At the range's ends, demand at or above and supply at or below both cover the volume.
            foreach (var price in new[] { result.Low!.Value, result.High!.Value })
            {
                orders.Where(o => o.Side == Side.Buy && o.Price >= price).Sum(o => (decimal)o.EnergyWh).ShouldBeGreaterThanOrEqualTo(result.VolumeWh);
                orders.Where(o => o.Side == Side.Sell && o.Price <= price).Sum(o => (decimal)o.EnergyWh).ShouldBeGreaterThanOrEqualTo(result.VolumeWh);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Clear_ShuffledInputWithDistinctSequences_ChangesNothing()
    {
        var books = BookGen.DistinctSequencesAndPermutation;

        books.Sample((orders, permutation) =>
        {
            var shuffled = permutation.Select(p => orders[p]).ToArray();

            var original = DoubleAuction.Clear(orders);
            var reordered = DoubleAuction.Clear(shuffled);

            reordered.Price.ShouldBe(original.Price);
            reordered.Low.ShouldBe(original.Low);
            reordered.High.ShouldBe(original.High);
            reordered.VolumeWh.ShouldBe(original.VolumeWh);
            reordered.Trades.Select(t => (t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price))
                .ShouldBe(original.Trades.Select(t => (t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price)));
            reordered.Trades.ShouldAllBe(t => shuffled[t.BuyIndex].Id == t.BuyOrderId && shuffled[t.SellIndex].Id == t.SellOrderId);
            for (var k = 0; k < shuffled.Length; k++)
            {
                reordered.Outcomes[k].ShouldBe(original.Outcomes[permutation[k]]);
            }

            reordered.DemandCurve.ShouldBe(original.DemandCurve);
            reordered.SupplyCurve.ShouldBe(original.SupplyCurve);
        }, iter: Iterations);
    }

    [Fact]
    public void Clear_SameBookTwice_GivesIdenticalResults()
    {
        var books = BookGen.Valid;

        books.Sample(orders => ClearingAssert.Identical(DoubleAuction.Clear(orders), DoubleAuction.Clear(orders)), iter: Iterations);
    }

    private static Order[] Corrupt(Order[] orders, int at, int corruption)
    {
        if (orders.Length == 0)
        {
            return orders;
        }

        var copy = orders.ToArray();
        var i = at % copy.Length;
        copy[i] = corruption switch
        {
            0 => copy[i] with { EnergyWh = -copy[i].EnergyWh + 1 },
            1 => copy[i] with { Price = -1 - copy[i].Price },
            2 => copy[i] with { Side = (Side)(3 + (i % 250)) },
            3 => copy[i] with { Id = copy[(i * 7) % copy.Length].Id },
            _ => copy[i] with { EnergyWh = long.MaxValue - i },
        };
        return copy;
    }
}
