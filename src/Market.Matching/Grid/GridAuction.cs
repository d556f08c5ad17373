using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Market.Matching.Grid;

/// <summary>
/// Clears one interval's book under the grid's limits (rules version 2): every household's trades stay within its
/// connection's envelope, every line's net flow within its capacity, network fees are paid by distance, and where a
/// limit binds the market splits into zones with their own prices.
/// </summary>
/// <remarks>
/// <para>The clearing maximises the community's surplus (the bids' limits times their fills, less the offers' limits
/// times their fills, less the network fees) subject to the limits; among the allocations that do, it trades the
/// most energy, and ties are broken by the published price-time priority. Rules and worked examples are in
/// <c>docs/clearing.md</c>.</para>
/// <para>How: every subtree's surplus as a function of its net export is concave and piecewise linear, described by
/// its orders' energies sorted by price. Bottom up, a node merges its own orders with its children's curves, each
/// shifted by its line's fees and cut to its line's capacities; top down, the root's net export is zero, and each
/// node's share of its parent's cut sets its own. Zone prices are the cut prices (the dual of the flow problem); they
/// and the fills form a certificate any auditor can check (<see cref="GridCertificate"/>).</para>
/// <para>Pure: no clock, no I/O, no static state, no floating point; integer overflow is checked. On a network with
/// a single node, or with no limits and no fees, the fills and the community's price equal
/// <see cref="DoubleAuction"/>'s under <see cref="Mechanism.UniformPrice"/>; on a single node the trades are equal too.</para>
/// </remarks>
public static class GridAuction
{
    /// <summary>The version of the clearing rules implemented here (the single-zone auction is version 1).</summary>
    public const ushort RulesVersion = 2;

    /// <summary>The highest limit price an order may carry, in 1/10,000 of the currency per kWh (2^40).</summary>
    public const long MaxPrice = 1L << 40;

    private const long NegativeInfinity = long.MinValue;
    private const long PositiveInfinity = long.MaxValue;

    /// <summary>Clears a book under a network's limits.</summary>
    /// <param name="network">The network.</param>
    /// <param name="orders">The book, in input order (the last tie-breaker of priority).</param>
    /// <param name="orderNodes">Each order's node (its household's connection point), in input order.</param>
    /// <param name="limits">The limits in force for the interval, one per node; empty for the nodes' static capacities.</param>
    /// <returns>The clearing, or a rejection naming the first invalid order.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="orderNodes"/> is not one per order, or <paramref name="limits"/> is neither empty nor one per
    /// node, or a limit is negative.
    /// </exception>
    public static GridClearingResult Clear(
        GridNetwork network,
        ReadOnlySpan<Order> orders,
        ReadOnlySpan<int> orderNodes,
        ReadOnlySpan<EdgeLimit> limits = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (orderNodes.Length != orders.Length)
        {
            throw new ArgumentException($"Expected one node per order ({orders.Length}), got {orderNodes.Length}.", nameof(orderNodes));
        }

        var inForce = network.LimitsInForce(limits);
        var rejection = Validate(network, orders, orderNodes);
        return rejection is not null
            ? GridClearingResult.Rejected(rejection)
            : new Run(network, inForce, orders, orderNodes).Clear();
    }

    private static ClearingRejection? Validate(GridNetwork network, ReadOnlySpan<Order> orders, ReadOnlySpan<int> orderNodes)
    {
        var ids = new HashSet<long>(orders.Length);
        long total = 0;
        for (var i = 0; i < orders.Length; i++)
        {
            var o = orders[i];
            RejectionCode? code =
                o.Side is not (Side.Buy or Side.Sell) ? RejectionCode.UnknownSide
                : o.EnergyWh <= 0 ? RejectionCode.EnergyNotPositive
                : o.Price < 0 ? RejectionCode.NegativePrice
                : o.Price > MaxPrice ? RejectionCode.PriceTooHigh
                : (uint)orderNodes[i] >= (uint)network.Count ? RejectionCode.UnknownNode
                : !ids.Add(o.Id) ? RejectionCode.DuplicateId
                : o.EnergyWh > long.MaxValue - total ? RejectionCode.TotalEnergyOverflow
                : null;
            if (code is { } c)
            {
                return new ClearingRejection(o.Id, i, c, Message(c, o, orderNodes[i]));
            }

            total += o.EnergyWh;
        }

        return null;
    }

    private static string Message(RejectionCode code, Order o, int node) => code switch
    {
        RejectionCode.UnknownSide => string.Create(CultureInfo.InvariantCulture, $"Order {o.Id} has an unknown side ({(int)o.Side})."),
        RejectionCode.EnergyNotPositive => string.Create(CultureInfo.InvariantCulture, $"Order {o.Id} has energy {o.EnergyWh} Wh; it must be greater than zero."),
        RejectionCode.NegativePrice => string.Create(CultureInfo.InvariantCulture, $"Order {o.Id} has a negative price ({o.Price})."),
        RejectionCode.PriceTooHigh => string.Create(CultureInfo.InvariantCulture, $"Order {o.Id} has price {o.Price}, above the highest allowed ({MaxPrice})."),
        RejectionCode.UnknownNode => string.Create(CultureInfo.InvariantCulture, $"Order {o.Id} is at node {node}, which is not a node of the network."),
        RejectionCode.DuplicateId => string.Create(CultureInfo.InvariantCulture, $"Order id {o.Id} is used by an earlier order."),
        _ => string.Create(CultureInfo.InvariantCulture, $"The book's total energy, up to order {o.Id}, exceeds {long.MaxValue} Wh."),
    };

    /// <summary>
    /// What the line to the parent allows the node's price to be, given the parent's price and the flow: the
    /// complementary slackness of the line's two directions (see <see cref="GridCertificate"/>).
    /// </summary>
    internal static (long Low, long High) LineBounds(long parentPrice, long flow, EdgeLimit limit, GridNode line)
    {
        var low = NegativeInfinity;
        var high = PositiveInfinity;
        var up = Math.Max(flow, 0);
        var down = Math.Max(-flow, 0);
        if (limit.ExportWh > 0)
        {
            if (up < limit.ExportWh)
            {
                low = Math.Max(low, parentPrice - line.ExportFee);
            }

            if (up > 0)
            {
                high = Math.Min(high, parentPrice - line.ExportFee);
            }
        }

        if (limit.ImportWh > 0)
        {
            if (down < limit.ImportWh)
            {
                high = Math.Min(high, parentPrice + line.ImportFee);
            }

            if (down > 0)
            {
                low = Math.Max(low, parentPrice + line.ImportFee);
            }
        }

        return (low, high);
    }

    /// <summary>A piece of an order's energy in a node's curve, at the price it has at that node.</summary>
    /// <param name="Price">The price at the node: the order's limit shifted by the fees of the lines in between.</param>
    /// <param name="Rank">The order's tie rank (see <see cref="Run.TieRanks"/>).</param>
    /// <param name="Source">The order's input position when the order is at this node, else <c>~child</c>.</param>
    /// <param name="Length">The energy of the piece in watt-hours.</param>
    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Segment(long Price, int Rank, int Source, long Length);

    private readonly struct SegmentOrder : IComparer<Segment>
    {
        public int Compare(Segment x, Segment y) =>
            x.Price != y.Price ? x.Price.CompareTo(y.Price) : x.Rank.CompareTo(y.Rank);
    }

    private sealed class Run
    {
        private readonly GridNetwork _network;
        private readonly EdgeLimit[] _limits;
        private readonly Order[] _orders;
        private readonly int[] _nodes;
        private readonly int _nodeCount;

        public Run(GridNetwork network, EdgeLimit[] limits, ReadOnlySpan<Order> orders, ReadOnlySpan<int> orderNodes)
        {
            _network = network;
            _limits = limits;
            _orders = orders.ToArray();
            _nodes = orderNodes.ToArray();
            _nodeCount = network.Count;
        }

        public GridClearingResult Clear()
        {
            var n = _orders.Length;
            var ranks = TieRanks();

            // Each node's own orders, grouped by node.
            var ownStart = new int[_nodeCount + 1];
            foreach (var node in _nodes)
            {
                ownStart[node + 1]++;
            }

            for (var i = 0; i < _nodeCount; i++)
            {
                ownStart[i + 1] += ownStart[i];
            }

            var own = new int[n];
            var fillAt = ownStart[.._nodeCount];
            for (var i = 0; i < n; i++)
            {
                own[fillAt[_nodes[i]]++] = i;
            }

            // Bottom up: each node's curve (sorted segments) and the net export at its start (all bids filled, no offer).
            var curves = new Segment[_nodeCount][];
            var start = new long[_nodeCount];
            var shifted = new Segment[_nodeCount][];
            var shiftedStart = new long[_nodeCount];
            var cutBelow = new long[_nodeCount];
            var topDown = _network.TopDown;
            for (var k = topDown.Length - 1; k >= 0; k--)
            {
                var node = topDown[k];
                var children = _network.Children(node);
                var length = ownStart[node + 1] - ownStart[node];
                foreach (var child in children)
                {
                    length += shifted[child].Length;
                }

                var curve = new Segment[length];
                var at = 0;
                long nodeStart = 0;
                for (var j = ownStart[node]; j < ownStart[node + 1]; j++)
                {
                    var o = _orders[own[j]];
                    curve[at++] = new Segment(o.Price, ranks[own[j]], own[j], o.EnergyWh);
                    if (o.Side == Side.Buy)
                    {
                        nodeStart -= o.EnergyWh;
                    }
                }

                foreach (var child in children)
                {
                    shifted[child].CopyTo(curve, at);
                    at += shifted[child].Length;
                    nodeStart += shiftedStart[child];
                    shifted[child] = [];
                }

                curve.AsSpan().Sort(default(SegmentOrder));
                curves[node] = curve;
                start[node] = nodeStart;
                if (node != _network.Root)
                {
                    (shifted[node], cutBelow[node]) = Shift(curve, nodeStart, _limits[node], _network.Nodes[node], node);
                    shiftedStart[node] = nodeStart + cutBelow[node];
                }
            }

            // Top down: the root's net export is zero; each node's share of its parent's cut sets its own.
            var flow = new long[_nodeCount];
            var takenByParent = new long[_nodeCount];
            var low = new long[_nodeCount];
            var high = new long[_nodeCount];
            var taken = new long[n];
            foreach (var node in topDown)
            {
                if (node != _network.Root)
                {
                    flow[node] = shiftedStart[node] + takenByParent[node];
                }

                var cut = flow[node] - start[node];
                (low[node], high[node]) = Walk(curves[node], cut, taken, takenByParent);
                curves[node] = [];
            }

            // Zone prices, top down: the middle of what the node's own cut and its line to the parent allow.
            var prices = new long[_nodeCount];
            foreach (var node in topDown)
            {
                var lo = low[node];
                var hi = high[node];
                var fallback = 0L;
                if (node != _network.Root)
                {
                    var parentPrice = prices[_network.Nodes[node].Parent];
                    var (lineLow, lineHigh) = LineBounds(parentPrice, flow[node], _limits[node], _network.Nodes[node]);
                    lo = Math.Max(lo, lineLow);
                    hi = Math.Min(hi, lineHigh);
                    fallback = parentPrice;
                }

                prices[node] = Choose(lo, hi, fallback);
            }

            return Finish(taken, flow, prices);
        }

        /// <summary>
        /// The tie ranks: offers before bids; offers by sequence then position ascending, bids by sequence then
        /// position descending. At equal prices a node's cut takes (fills) offers before it takes (drops) bids, so the
        /// most energy trades, and both sides keep price-time priority.
        /// </summary>
        private int[] TieRanks()
        {
            var n = _orders.Length;
            var byTie = new int[n];
            for (var i = 0; i < n; i++)
            {
                byTie[i] = i;
            }

            var orders = _orders;
            byTie.AsSpan().Sort((x, y) =>
            {
                var ox = orders[x];
                var oy = orders[y];
                if (ox.Side != oy.Side)
                {
                    return ox.Side == Side.Sell ? -1 : 1;
                }

                var c = ox.Sequence.CompareTo(oy.Sequence);
                if (c == 0)
                {
                    c = x.CompareTo(y);
                }

                return ox.Side == Side.Sell ? c : -c;
            });

            var ranks = new int[n];
            for (var r = 0; r < n; r++)
            {
                ranks[byTie[r]] = r;
            }

            return ranks;
        }

        /// <summary>
        /// A node's curve as its parent sees it: cut to the line's capacities (the energy below the import limit is
        /// always taken, the energy above the export limit never) and shifted by the line's fees (exporting costs the
        /// export fee, importing saves the import fee).
        /// </summary>
        private static (Segment[] Shifted, long CutBelow) Shift(Segment[] curve, long start, EdgeLimit limit, GridNode line, int node)
        {
            long total = 0;
            foreach (var s in curve)
            {
                total += s.Length;
            }

            // Offsets along the curve: y = start + offset. Zero net export is at -start.
            var zero = -start;
            var from = zero > limit.ImportWh ? zero - limit.ImportWh : 0;
            var to = total + start > limit.ExportWh ? limit.ExportWh + zero : total;
            var split = line.ExportFee != 0 || line.ImportFee != 0;
            var result = new List<Segment>(curve.Length + 1);
            long offset = 0;
            foreach (var s in curve)
            {
                var a = Math.Max(offset, from);
                var b = Math.Min(offset + s.Length, to);
                offset += s.Length;
                if (a >= b)
                {
                    continue;
                }

                if (!split)
                {
                    result.Add(s with { Source = ~node, Length = b - a });
                    continue;
                }

                if (a < zero)
                {
                    result.Add(new Segment(s.Price - line.ImportFee, s.Rank, ~node, Math.Min(b, zero) - a));
                }

                if (b > zero)
                {
                    result.Add(new Segment(s.Price + line.ExportFee, s.Rank, ~node, b - Math.Max(a, zero)));
                }
            }

            return (result.ToArray(), from);
        }

        private static long Choose(long low, long high, long fallback)
        {
            if (low == NegativeInfinity)
            {
                return high == PositiveInfinity ? fallback : high;
            }

            if (high == PositiveInfinity)
            {
                return low;
            }

            if (low > high)
            {
                throw new InvalidOperationException($"No zone price fits between {low} and {high}: the clearing is inconsistent.");
            }

            return low + ((high - low) / 2);
        }

        private GridClearingResult Finish(long[] taken, long[] flow, long[] prices)
        {
            var n = _orders.Length;
            var root = _network.Root;
            var filled = new long[n];
            long bought = 0, sold = 0;
            bool anyBid = false, anyOffer = false;
            for (var i = 0; i < n; i++)
            {
                var o = _orders[i];
                if (o.Side == Side.Buy)
                {
                    filled[i] = o.EnergyWh - taken[i];
                    bought += filled[i];
                    anyBid = true;
                }
                else
                {
                    filled[i] = taken[i];
                    sold += filled[i];
                    anyOffer = true;
                }
            }

            if (bought != sold)
            {
                throw new InvalidOperationException($"The clearing bought {bought} Wh but sold {sold} Wh.");
            }

            var states = new EdgeState[_nodeCount];
            foreach (var node in _network.TopDown)
            {
                if (node == root)
                {
                    continue;
                }

                var line = _network.Nodes[node];
                var parentPrice = prices[line.Parent];
                if (flow[node] == _limits[node].ExportWh && prices[node] < parentPrice - line.ExportFee)
                {
                    states[node] = EdgeState.ExportLimitBinding;
                }
                else if (flow[node] == -_limits[node].ImportWh && prices[node] > parentPrice + line.ImportFee)
                {
                    states[node] = EdgeState.ImportLimitBinding;
                }
            }

            var sides = new Side[n];
            var limitPrices = new long[n];
            for (var i = 0; i < n; i++)
            {
                sides[i] = _orders[i].Side;
                limitPrices[i] = _orders[i].Price;
            }

            var trades = Trades(filled, prices);
            var provisional = GridClearingResult.Cleared(
                _network, _nodes, sides, limitPrices, sold, [], [.. prices], [.. flow], [.. states], trades);
            var outcomes = new OrderOutcome[n];
            var rootPrice = prices[root];
            for (var i = 0; i < n; i++)
            {
                var o = _orders[i];
                var zone = prices[_nodes[i]];
                var buying = o.Side == Side.Buy;
                FillReason reason;
                if (filled[i] == o.EnergyWh)
                {
                    reason = FillReason.Filled;
                }
                else if ((buying ? o.Price > rootPrice : o.Price < rootPrice) && provisional.LimitingNode(i) >= 0)
                {
                    reason = FillReason.NetworkLimit;
                }
                else if (filled[i] > 0)
                {
                    reason = FillReason.MarginalPartialFill;
                }
                else if (sold == 0)
                {
                    reason = anyBid && anyOffer ? FillReason.PriceOnWrongSide : FillReason.OtherSideExhausted;
                }
                else
                {
                    reason = (buying ? o.Price < zone : o.Price > zone) ? FillReason.PriceOnWrongSide : FillReason.OtherSideExhausted;
                }

                outcomes[i] = new OrderOutcome(filled[i], reason);
            }

            return GridClearingResult.Cleared(
                _network, _nodes, sides, limitPrices, sold, ImmutableCollectionsMarshal.AsImmutableArray(outcomes), [.. prices], [.. flow], [.. states], trades);
        }

        /// <summary>
        /// Pairs the fills into trades, nearest first: bottom up, each node matches what its own orders and its
        /// children's residues sell against what they buy, by price-time priority, and passes the rest (one side
        /// only, its net flow) up to its parent.
        /// </summary>
        private ImmutableArray<GridTrade> Trades(long[] filled, long[] prices)
        {
            var n = _orders.Length;
            var walkRank = WalkRanks();
            var upFee = new long[_nodeCount];
            var downFee = new long[_nodeCount];
            foreach (var node in _network.TopDown)
            {
                if (node != _network.Root)
                {
                    var line = _network.Nodes[node];
                    upFee[node] = upFee[line.Parent] + line.ExportFee;
                    downFee[node] = downFee[line.Parent] + line.ImportFee;
                }
            }

            var residue = new List<(int Order, long Wh)>[_nodeCount];
            var ownStart = new int[_nodeCount + 1];
            var own = new int[n];
            foreach (var node in _nodes)
            {
                ownStart[node + 1]++;
            }

            for (var i = 0; i < _nodeCount; i++)
            {
                ownStart[i + 1] += ownStart[i];
            }

            var fillAt = ownStart[.._nodeCount];
            for (var i = 0; i < n; i++)
            {
                own[fillAt[_nodes[i]]++] = i;
            }

            var trades = ImmutableArray.CreateBuilder<GridTrade>();
            var sells = new List<(int Order, long Wh)>();
            var buys = new List<(int Order, long Wh)>();
            var topDown = _network.TopDown;
            for (var k = topDown.Length - 1; k >= 0; k--)
            {
                var node = topDown[k];
                sells.Clear();
                buys.Clear();
                for (var j = ownStart[node]; j < ownStart[node + 1]; j++)
                {
                    var i = own[j];
                    if (filled[i] > 0)
                    {
                        (_orders[i].Side == Side.Sell ? sells : buys).Add((i, filled[i]));
                    }
                }

                foreach (var child in _network.Children(node))
                {
                    foreach (var entry in residue[child])
                    {
                        (_orders[entry.Order].Side == Side.Sell ? sells : buys).Add(entry);
                    }

                    residue[child] = [];
                }

                sells.Sort((x, y) => walkRank[x.Order].CompareTo(walkRank[y.Order]));
                buys.Sort((x, y) => walkRank[x.Order].CompareTo(walkRank[y.Order]));
                int si = 0, bi = 0;
                long sLeft = sells.Count > 0 ? sells[0].Wh : 0, bLeft = buys.Count > 0 ? buys[0].Wh : 0;
                while (si < sells.Count && bi < buys.Count)
                {
                    var q = Math.Min(sLeft, bLeft);
                    var s = sells[si].Order;
                    var b = buys[bi].Order;
                    var fee = upFee[_nodes[s]] - upFee[node] + downFee[_nodes[b]] - downFee[node];
                    trades.Add(new GridTrade(_orders[b].Id, _orders[s].Id, b, s, q, prices[_nodes[b]], prices[_nodes[s]], fee, node));
                    sLeft -= q;
                    bLeft -= q;
                    if (sLeft == 0 && ++si < sells.Count)
                    {
                        sLeft = sells[si].Wh;
                    }

                    if (bLeft == 0 && ++bi < buys.Count)
                    {
                        bLeft = buys[bi].Wh;
                    }
                }

                var rest = new List<(int Order, long Wh)>();
                if (si < sells.Count)
                {
                    rest.Add((sells[si].Order, sLeft));
                    for (var j = si + 1; j < sells.Count; j++)
                    {
                        rest.Add(sells[j]);
                    }
                }
                else if (bi < buys.Count)
                {
                    rest.Add((buys[bi].Order, bLeft));
                    for (var j = bi + 1; j < buys.Count; j++)
                    {
                        rest.Add(buys[j]);
                    }
                }

                if (node == _network.Root && rest.Count > 0)
                {
                    throw new InvalidOperationException("Energy was left unmatched at the root.");
                }

                residue[node] = rest;
            }

            return trades.DrainToImmutable();
        }

        /// <summary>The walk's priority of rule 1: offers by price ascending, bids by price descending, then sequence, then position.</summary>
        private int[] WalkRanks()
        {
            var n = _orders.Length;
            var byWalk = new int[n];
            for (var i = 0; i < n; i++)
            {
                byWalk[i] = i;
            }

            var orders = _orders;
            byWalk.AsSpan().Sort((x, y) =>
            {
                var ox = orders[x];
                var oy = orders[y];
                if (ox.Side != oy.Side)
                {
                    return ox.Side == Side.Sell ? -1 : 1;
                }

                var c = ox.Price.CompareTo(oy.Price);
                if (ox.Side == Side.Buy)
                {
                    c = -c;
                }

                if (c == 0)
                {
                    c = ox.Sequence.CompareTo(oy.Sequence);
                }

                return c != 0 ? c : x.CompareTo(y);
            });

            var ranks = new int[n];
            for (var r = 0; r < n; r++)
            {
                ranks[byWalk[r]] = r;
            }

            return ranks;
        }

        private static (long Low, long High) Walk(Segment[] curve, long cut, long[] taken, long[] takenByParent)
        {
            var low = NegativeInfinity;
            var high = PositiveInfinity;
            var left = cut;
            foreach (var s in curve)
            {
                if (left == 0)
                {
                    high = s.Price;
                    break;
                }

                var q = Math.Min(left, s.Length);
                left -= q;
                low = s.Price;
                if (s.Source >= 0)
                {
                    taken[s.Source] += q;
                }
                else
                {
                    takenByParent[~s.Source] += q;
                }

                if (q < s.Length)
                {
                    high = s.Price;
                    break;
                }
            }

            return (low, high);
        }
    }
}
