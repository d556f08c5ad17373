using CsCheck;
using Market.Matching.Grid;

namespace Market.Matching.Tests.Grid;

public sealed class GridPropertyTests
{
    private const int Iterations = 3_000;

    [Fact]
    public void Clear_RandomNetworksAndBooks_MatchesTheFlowOracleAndCarriesAValidCertificate()
    {
        GridGen.Cases().Sample(
            c =>
            {
                var result = GridAuction.Clear(c.Network, c.Orders, c.OrderNodes, c.Limits);
                Assert.True(result.IsSuccess);
                AssertCertificateHolds(c, result);
                var (surplus, volume) = FlowOracle.Solve(c.Nodes, c.Limits, c.Orders, c.OrderNodes);
                Assert.Equal(surplus, FlowOracle.Surplus(c.Nodes, c.Orders, result));
                Assert.Equal(volume, result.VolumeWh);
                AssertTradesAddUp(c, result);
            },
            iter: Iterations);
    }

    [Fact]
    public void Clear_NoLimitsAndNoFees_EqualsTheSingleZoneAuction()
    {
        GridGen.Cases(limits: false, fees: false, maxOrders: 40).Sample(
            c =>
            {
                var grid = GridAuction.Clear(c.Network, c.Orders, c.OrderNodes, c.Limits);
                var single = DoubleAuction.Clear(c.Orders);
                Assert.Equal(single.Price, grid.Price);
                Assert.Equal(single.VolumeWh, grid.VolumeWh);
                Assert.Equal(single.Outcomes.ToArray(), grid.Outcomes.ToArray());
                Assert.All(grid.ZonePrices, p => Assert.Equal(grid.ZonePrices[c.Network.Root], p));
            },
            iter: Iterations);
    }

    [Fact]
    public void Clear_OneNode_EqualsTheSingleZoneAuctionTradeForTrade()
    {
        BookGen.Books(maxCount: 60, maxPriceSpan: 20, maxSequenceSpan: 10, maxEnergy: 50).Sample(
            orders =>
            {
                Assert.True(GridNetwork.TryCreate([new GridNode(-1, 0, 0, 0, 0)], out var network, out _));
                var grid = GridAuction.Clear(network, orders, new int[orders.Length]);
                var single = DoubleAuction.Clear(orders);
                Assert.Equal(single.Price, grid.Price);
                Assert.Equal(single.Outcomes.ToArray(), grid.Outcomes.ToArray());
                Assert.Equal(
                    single.Trades.Select(t => (t.BuyOrderId, t.SellOrderId, t.BuyIndex, t.SellIndex, t.EnergyWh, t.Price, t.Price)),
                    grid.Trades.Select(t => (t.BuyOrderId, t.SellOrderId, t.BuyIndex, t.SellIndex, t.EnergyWh, t.BuyPrice, t.SellPrice)));
            },
            iter: 500);
    }

    [Fact]
    public void Clear_ShuffledBookWithDistinctSequences_GivesEveryOrderTheSameFill()
    {
        (from c in GridGen.Cases()
         from permutation in Gen.Shuffle(Enumerable.Range(0, c.Orders.Length).ToArray())
         select (c, permutation)).Sample(
            x =>
            {
                var (c, permutation) = x;
                var orders = c.Orders.Select((o, i) => o with { Sequence = i }).ToArray();
                var first = GridAuction.Clear(c.Network, orders, c.OrderNodes, c.Limits);
                var shuffled = GridAuction.Clear(c.Network, permutation.Select(i => orders[i]).ToArray(), permutation.Select(i => c.OrderNodes[i]).ToArray(), c.Limits);
                for (var k = 0; k < permutation.Length; k++)
                {
                    Assert.Equal(first.Outcomes[permutation[k]], shuffled.Outcomes[k]);
                }

                Assert.Equal(first.ZonePrices.ToArray(), shuffled.ZonePrices.ToArray());
                Assert.Equal(first.FlowsWh.ToArray(), shuffled.FlowsWh.ToArray());
            },
            iter: 1_000);
    }

    [Fact]
    public void Check_AChangedFillOrZonePrice_IsRefusedUnlessItIsEquallyGood()
    {
        (from c in GridGen.Cases()
         from which in Gen.Int[0, 1000]
         from delta in Gen.OneOf(Gen.Const(-1L), Gen.Const(1L), Gen.Long[-5, 5])
         select (c, which, delta)).Sample(
            x =>
            {
                var (c, which, delta) = x;
                var result = GridAuction.Clear(c.Network, c.Orders, c.OrderNodes, c.Limits);
                var fills = result.Outcomes.Select(o => o.FilledWh).ToArray();
                var prices = result.ZonePrices.ToArray();
                if (c.Orders.Length > 0 && which % 2 == 0)
                {
                    fills[which / 2 % fills.Length] += delta;
                }
                else
                {
                    prices[which / 2 % prices.Length] += delta;
                }

                var failure = GridCertificate.Check(c.Network, c.Limits, c.Orders, c.OrderNodes, fills, prices);
                if (failure is null)
                {
                    // Still a valid certificate: then it is just as good (the same surplus) and within every limit.
                    var flows = Flows(c, fills);
                    Int128 surplus = 0;
                    for (var i = 0; i < fills.Length; i++)
                    {
                        surplus += (c.Orders[i].Side == Side.Buy ? 1 : -1) * (Int128)c.Orders[i].Price * fills[i];
                    }

                    for (var node = 0; node < flows.Length; node++)
                    {
                        surplus -= flows[node] > 0 ? (Int128)c.Nodes[node].ExportFee * flows[node] : (Int128)c.Nodes[node].ImportFee * -flows[node];
                    }

                    Assert.Equal(FlowOracle.Surplus(c.Nodes, c.Orders, result), surplus);
                }
            },
            iter: Iterations);
    }

    private static long[] Flows(GridCase c, long[] fills)
    {
        var flows = new long[c.Nodes.Length];
        for (var i = 0; i < fills.Length; i++)
        {
            flows[c.OrderNodes[i]] += c.Orders[i].Side == Side.Sell ? fills[i] : -fills[i];
        }

        var network = c.Network;
        var order = Enumerable.Range(0, c.Nodes.Length).OrderByDescending(i => Depth(c.Nodes, i)).ToArray();
        foreach (var node in order)
        {
            if (node != network.Root)
            {
                flows[c.Nodes[node].Parent] += flows[node];
            }
        }

        return flows;
    }

    private static int Depth(GridNode[] nodes, int node)
    {
        var depth = 0;
        for (; nodes[node].Parent >= 0; node = nodes[node].Parent)
        {
            depth++;
        }

        return depth;
    }

    internal static void AssertCertificateHolds(GridCase c, GridClearingResult result)
    {
        var failure = GridCertificate.Check(
            c.Network, c.Limits, c.Orders, c.OrderNodes, result.Outcomes.Select(o => o.FilledWh).ToArray(), result.ZonePrices.AsSpan());
        Assert.Null(failure);
        Assert.Equal(Flows(c, result.Outcomes.Select(o => o.FilledWh).ToArray()), result.FlowsWh.ToArray());
    }

    private static void AssertTradesAddUp(GridCase c, GridClearingResult result)
    {
        var traded = new long[c.Orders.Length];
        foreach (var t in result.Trades)
        {
            Assert.True(t.EnergyWh > 0);
            traded[t.BuyIndex] += t.EnergyWh;
            traded[t.SellIndex] += t.EnergyWh;
            Assert.Equal(result.ZonePrices[c.OrderNodes[t.BuyIndex]], t.BuyPrice);
            Assert.Equal(result.ZonePrices[c.OrderNodes[t.SellIndex]], t.SellPrice);
            Assert.True(t.BuyPrice - t.SellPrice >= t.FeePrice, $"congestion rent below zero in {t}");
            Assert.True(t.BuyPrice <= c.Orders[t.BuyIndex].Price && t.SellPrice >= c.Orders[t.SellIndex].Price, $"a trade outside its limits: {t}");
        }

        Assert.Equal(result.Outcomes.Select(o => o.FilledWh).ToArray(), traded);
    }
}

public sealed class CommunityResidualTests
{
    [Fact]
    public void Residual_AtAnOutsidePrice_IsWhatAnOutsideBuyerOrSellerAtTheRootWouldGet()
    {
        (from c in GridGen.Cases()
         from price in Gen.Long[0, 24]
         from buying in Gen.Bool
         select (c, price, buying)).Sample(
            x =>
            {
                var (c, price, buying) = x;
                var network = c.Network;
                var result = GridAuction.Clear(network, c.Orders, c.OrderNodes, c.Limits);
                var residual = result.Residual!;
                Assert.True(residual.MinInjectionWh <= 0 && residual.MaxInjectionWh >= 0);

                // An outside party at the root with unlimited energy: a buyer at `price` takes what the community
                // exports at that price, a seller gives what it imports.
                var outside = new Order(-1, buying ? Side.Buy : Side.Sell, 1_000_000, price, long.MinValue);
                var withOutside = GridAuction.Clear(network, [.. c.Orders, outside], [.. c.OrderNodes, network.Root], c.Limits);
                var got = withOutside.Outcomes[^1].FilledWh;
                var steps = buying ? residual.Export : residual.Import;
                var strictly = steps.Where(s => buying ? s.Price < price : s.Price > price).Select(s => s.CumulativeEnergyWh).DefaultIfEmpty(0).Max();
                var atMost = steps.Where(s => buying ? s.Price <= price : s.Price >= price).Select(s => s.CumulativeEnergyWh).DefaultIfEmpty(0).Max();
                Assert.InRange(got, strictly, atMost);
                Assert.Equal(buying ? residual.MaxInjectionWh : -residual.MinInjectionWh, steps.Select(s => s.CumulativeEnergyWh).DefaultIfEmpty(0).Max());
            },
            iter: 2_000);
    }
}
