using CsCheck;
using Market.Matching.Grid;

namespace Market.Matching.Tests.Grid;

/// <summary>A random network, limits for one interval, and a book placed on its nodes.</summary>
internal sealed record GridCase(GridNode[] Nodes, EdgeLimit[] Limits, Order[] Orders, int[] OrderNodes)
{
    public GridNetwork Network
    {
        get
        {
            Assert.True(GridNetwork.TryCreate(Nodes, out var network, out var error), error?.Message);
            return network;
        }
    }

    public override string ToString() =>
        $"nodes [{string.Join(", ", Nodes.Select((n, i) => $"{i}:{n}"))}] limits [{string.Join(", ", Limits)}] orders [{string.Join(", ", Orders.Select((o, i) => $"{o}@{OrderNodes[i]}"))}]";
}

/// <summary>Random networks and books for the property tests: small trees full of ties, binding limits and fees.</summary>
internal static class GridGen
{
    private static readonly Gen<long> Capacity = Gen.Frequency(
        (3, Gen.Const(GridNetwork.Unlimited)),
        (1, Gen.Const(0L)),
        (4, Gen.Long[1, 30]));

    private static readonly Gen<long> Fee = Gen.Frequency((3, Gen.Const(0L)), (2, Gen.Long[1, 4]));

    /// <summary>Trees of up to <paramref name="maxNodes"/> nodes with random limits and fees, and books on them.</summary>
    public static Gen<GridCase> Cases(int maxNodes = 9, int maxOrders = 24, long maxPrice = 20, long maxEnergy = 12, bool limits = true, bool fees = true) =>
        from count in Gen.Int[1, maxNodes]
        from parents in Gen.Int[0, 1000].Array[count]
        from permutation in Gen.Shuffle(Enumerable.Range(0, count).ToArray())
        from export in (limits ? Capacity : Gen.Const(GridNetwork.Unlimited)).Array[count]
        from import in (limits ? Capacity : Gen.Const(GridNetwork.Unlimited)).Array[count]
        from exportFee in (fees ? Fee : Gen.Const(0L)).Array[count]
        from importFee in (fees ? Fee : Gen.Const(0L)).Array[count]
        from intervalLimits in Gen.Bool
        from orderCount in Gen.Int[0, maxOrders]
        from orders in Gen.Select(Gen.Bool, Gen.Long[1, maxEnergy], Gen.Long[0, maxPrice], Gen.Long[0, 4], Gen.Int[0, count - 1]).Array[orderCount]
        select Build(count, parents, permutation, export, import, exportFee, importFee, intervalLimits, orders);

    private static GridCase Build(
        int count,
        int[] parents,
        int[] permutation,
        long[] export,
        long[] import,
        long[] exportFee,
        long[] importFee,
        bool intervalLimits,
        (bool Buy, long Energy, long Price, long Sequence, int Node)[] orders)
    {
        // Node k of the generated tree (parent among 0..k-1, 0 the root) becomes node permutation[k] of the input.
        var nodes = new GridNode[count];
        for (var k = 0; k < count; k++)
        {
            var parent = k == 0 ? -1 : permutation[parents[k] % k];
            nodes[permutation[k]] = new GridNode(parent, export[k], import[k], exportFee[k], importFee[k]);
        }

        // Either the static capacities are in force, or the interval's limits swap them around (as envelopes would).
        var limits = nodes.Select((n, i) => intervalLimits
            ? new EdgeLimit(import[(i + 1) % count], export[(i + 2) % count])
            : new EdgeLimit(n.ExportCapacityWh, n.ImportCapacityWh)).ToArray();
        var book = orders.Select((o, i) => new Order(1000 + (7 * i), o.Buy ? Side.Buy : Side.Sell, o.Energy, o.Price, o.Sequence)).ToArray();
        var orderNodes = orders.Select(o => permutation[o.Node]).ToArray();
        return new GridCase(nodes, limits, book, orderNodes);
    }
}
