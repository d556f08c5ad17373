using Market.Matching.Grid;

namespace Market.Matching.Tests.Grid;

/// <summary>
/// A deliberately plain oracle for clearing under the grid's limits, sharing nothing with the product: the clearing as
/// a min-cost flow from a source through the offers, the network's lines and the bids to a sink, solved by successive
/// shortest paths with Bellman-Ford, augmenting while a path still gains surplus. Each unit of energy sold also earns a
/// tiny bonus, so among the allocations with the most surplus it finds one that trades the most energy.
/// </summary>
internal static class FlowOracle
{
    /// <summary>The best surplus (in price times Wh) and the most energy traded at that surplus.</summary>
    public static (Int128 Surplus, long VolumeWh) Solve(IReadOnlyList<GridNode> nodes, IReadOnlyList<EdgeLimit> limits, IReadOnlyList<Order> orders, IReadOnlyList<int> orderNodes)
    {
        long totalEnergy = orders.Sum(o => o.EnergyWh);
        var scale = totalEnergy + 1;
        var n = nodes.Count;
        var source = n;
        var sink = n + 1;
        var graph = new Graph(n + 2);
        for (var i = 0; i < orders.Count; i++)
        {
            var o = orders[i];
            if (o.Side == Side.Sell)
            {
                graph.Add(source, orderNodes[i], o.EnergyWh, (o.Price * scale) - 1);
            }
            else
            {
                graph.Add(orderNodes[i], sink, o.EnergyWh, -o.Price * scale);
            }
        }

        for (var c = 0; c < n; c++)
        {
            if (nodes[c].Parent >= 0)
            {
                graph.Add(c, nodes[c].Parent, Math.Min(limits[c].ExportWh, totalEnergy), nodes[c].ExportFee * scale);
                graph.Add(nodes[c].Parent, c, Math.Min(limits[c].ImportWh, totalEnergy), nodes[c].ImportFee * scale);
            }
        }

        Int128 cost = 0;
        long volume = 0;
        while (true)
        {
            var (pathCost, path) = graph.ShortestPath(source, sink);
            if (path is null || pathCost >= 0)
            {
                break;
            }

            var push = path.Min(e => graph.Residual(e));
            foreach (var e in path)
            {
                graph.Push(e, push);
            }

            cost += (Int128)pathCost * push;
            volume += push;
        }

        // cost = -(surplus * scale) - volume.
        var surplus = -(cost + volume) / scale;
        return (surplus, volume);
    }

    /// <summary>The surplus of a clearing: bids' limits times fills, less offers' limits times fills, less fees on the flows.</summary>
    public static Int128 Surplus(IReadOnlyList<GridNode> nodes, IReadOnlyList<Order> orders, GridClearingResult result)
    {
        Int128 surplus = 0;
        for (var i = 0; i < orders.Count; i++)
        {
            var value = (Int128)orders[i].Price * result.Outcomes[i].FilledWh;
            surplus += orders[i].Side == Side.Buy ? value : -value;
        }

        for (var c = 0; c < nodes.Count; c++)
        {
            var y = result.FlowsWh[c];
            surplus -= y > 0 ? (Int128)nodes[c].ExportFee * y : (Int128)nodes[c].ImportFee * -y;
        }

        return surplus;
    }

    private sealed class Graph(int count)
    {
        private readonly List<(int From, int To, long Capacity, long Cost)> _edges = [];
        private readonly List<long> _flow = [];

        public void Add(int from, int to, long capacity, long cost)
        {
            _edges.Add((from, to, capacity, cost));
            _flow.Add(0);
            _edges.Add((to, from, 0, -cost));
            _flow.Add(0);
        }

        public long Residual(int e) => _edges[e].Capacity - _flow[e];

        public void Push(int e, long amount)
        {
            _flow[e] += amount;
            _flow[e ^ 1] -= amount;
        }

        public (long Cost, List<int>? Path) ShortestPath(int source, int sink)
        {
            var distance = Enumerable.Repeat(long.MaxValue, count).ToArray();
            var via = Enumerable.Repeat(-1, count).ToArray();
            distance[source] = 0;
            for (var round = 0; round < count; round++)
            {
                var changed = false;
                for (var e = 0; e < _edges.Count; e++)
                {
                    var (from, to, _, cost) = _edges[e];
                    if (Residual(e) > 0 && distance[from] != long.MaxValue && distance[from] + cost < distance[to])
                    {
                        distance[to] = distance[from] + cost;
                        via[to] = e;
                        changed = true;
                    }
                }

                if (!changed)
                {
                    break;
                }
            }

            if (distance[sink] == long.MaxValue)
            {
                return (0, null);
            }

            var path = new List<int>();
            for (var v = sink; v != source; v = _edges[via[v]].From)
            {
                path.Add(via[v]);
            }

            return (distance[sink], path);
        }
    }
}
