using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
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
        // Duplicate ids: a bitmap over the id range when it is dense (the usual 1..N), else a hash set.
        long minId = long.MaxValue, maxId = long.MinValue;
        foreach (var o in orders)
        {
            minId = Math.Min(minId, o.Id);
            maxId = Math.Max(maxId, o.Id);
        }

        var span = orders.Length == 0 ? 0 : unchecked((ulong)(maxId - minId));
        var bitmap = span < 16UL * (ulong)Math.Max(orders.Length, 64) ? new ulong[(span >> 6) + 1] : null;
        var ids = bitmap is null ? new HashSet<long>(orders.Length) : null;
        long total = 0;
        for (var i = 0; i < orders.Length; i++)
        {
            var o = orders[i];
            RejectionCode? code =
                o.Side is not (Side.Buy or Side.Sell) ? RejectionCode.UnknownSide
                : o.EnergyWh <= 0 ? RejectionCode.EnergyNotPositive
                : o.Price < 0 ? RejectionCode.NegativePrice
                : o.Price > MaxPrice ? RejectionCode.PriceTooHigh
                : orderNodes[i] < 0 || orderNodes[i] >= network.Count ? RejectionCode.UnknownNode
                : !FirstUse(o.Id, minId, bitmap, ids) ? RejectionCode.DuplicateId
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

    private static bool FirstUse(long id, long minId, ulong[]? bitmap, HashSet<long>? ids)
    {
        if (bitmap is null)
        {
            return ids!.Add(id);
        }

        var bit = unchecked((ulong)(id - minId));
        ref var word = ref bitmap[bit >> 6];
        var mask = 1UL << (int)(bit & 63);
        if ((word & mask) != 0)
        {
            return false;
        }

        word |= mask;
        return true;
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

    private sealed class Run
    {
        private readonly GridNetwork _network;
        private readonly EdgeLimit[] _limits;
        private readonly Order[] _orders;
        private readonly int[] _nodes;
        private readonly int _nodeCount;
        private int[] _ownStart = [];
        private int[] _slotOrder = [];
        private bool[] _slotBuys = [];
        private int[] _ownEnd = [];
        private readonly List<Action> _returns = [];

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
            try
            {
                return ClearWithPooledBuffers();
            }
            finally
            {
                foreach (var giveBack in _returns)
                {
                    giveBack();
                }

                _returns.Clear();
            }
        }

        /// <summary>
        /// An array of at least <paramref name="length"/> from the shared pool, given back when the clearing ends: a
        /// million-order clearing needs some 300 MB of scratch, and fresh memory costs more to touch than to compute.
        /// Never part of the result; its contents are undefined until written.
        /// </summary>
        private T[] Rent<T>(int length)
        {
            var array = ArrayPool<T>.Shared.Rent(Math.Max(length, 1));
            _returns.Add(() => ArrayPool<T>.Shared.Return(array));
            return array;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private GridClearingResult ClearWithPooledBuffers()
        {
            var n = _orders.Length;
            var tieRanks = TieRanks();

            // The orders grouped by node, nodes bottom up, so each pass reads them in order: slot s holds order
            // _slotOrder[s]; a node's orders are slots _ownStart[node] .. _ownStart[node + 1] - 1 of _slotNode order.
            GroupByNode(tieRanks);
            var slotPrice = Rent<long>(n);
            var slotEnergy = Rent<long>(n);
            var slotTie = Rent<int>(n);
            for (var slot = 0; slot < n; slot++)
            {
                var i = _slotOrder[slot];
                slotPrice[slot] = _orders[i].Price;
                slotEnergy[slot] = _orders[i].EnergyWh;
                slotTie[slot] = tieRanks[i];
            }

            var ownStart = _ownStart;
            // Bottom up: each node's curve (sorted segments) and the net export at its start (all bids filled, no offer).
            // All curves in one store (node by node, bottom up), so a million-order clearing makes a few large
            // arrays instead of one per node; each curve is built and merged in the stage, then copied in.
            var store = Rent<Segment>((int)Math.Min(Array.MaxLength, (long)n * (_network.Height + 1)));
            var used = 0;
            var curveAt = new int[_nodeCount];
            var curveLength = new int[_nodeCount];
            var start = new long[_nodeCount];
            var total = new long[_nodeCount];
            var shiftedStart = new long[_nodeCount];
            var cutBelow = new long[_nodeCount];
            var topDown = _network.TopDown;
            var bounds = new List<int>();
            var spareBounds = new List<int>();
            Segment[] stage = [];
            Segment[] other = [];
            foreach (var node in _network.BottomUp)
            {
                var children = _network.Children(node);
                var capacity = _ownEnd[node] - ownStart[node];
                foreach (var child in children)
                {
                    capacity += curveLength[child] + 1;
                }

                if (stage.Length < capacity)
                {
                    stage = Rent<Segment>(Math.Max(capacity, 2 * stage.Length));
                    other = Rent<Segment>(stage.Length);
                }

                var at = 0;
                long nodeStart = 0;
                long nodeTotal = 0;
                for (var slot = ownStart[node]; slot < _ownEnd[node]; slot++)
                {
                    stage[at++] = new Segment(slotPrice[slot], slotTie[slot], slot, slotEnergy[slot]);
                    nodeTotal += slotEnergy[slot];
                    if (_slotBuys[slot])
                    {
                        nodeStart -= slotEnergy[slot];
                    }
                }

                bounds.Clear();
                bounds.Add(0);
                if (at > 0)
                {
                    bounds.Add(at);
                }

                foreach (var child in children)
                {
                    var (written, below, shiftedTotal) = ShiftInto(
                        store.AsSpan(curveAt[child], curveLength[child]), start[child], total[child], _limits[child], _network.Nodes[child], child, stage.AsSpan(at));
                    cutBelow[child] = below;
                    shiftedStart[child] = start[child] + below;
                    at += written;
                    nodeStart += shiftedStart[child];
                    nodeTotal += shiftedTotal;
                    if (at > bounds[^1])
                    {
                        bounds.Add(at);
                    }
                }

                MergeRuns(ref stage, ref other, bounds, spareBounds);
                if (store.Length - used < at)
                {
                    var larger = Rent<Segment>((int)Math.Min(Array.MaxLength, Math.Max((long)used + at, 2L * store.Length)));
                    store.AsSpan(0, used).CopyTo(larger);
                    store = larger;
                }

                stage.AsSpan(0, at).CopyTo(store.AsSpan(used));
                curveAt[node] = used;
                curveLength[node] = at;
                used += at;
                start[node] = nodeStart;
                total[node] = nodeTotal;
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
                (low[node], high[node]) = Walk(store.AsSpan(curveAt[node], curveLength[node]), cut, taken, takenByParent);
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

            var root = _network.Root;
            var residual = Residual(store.AsSpan(curveAt[root], curveLength[root]), -start[root], start[root], total[root]);
            return Finish(taken, flow, prices, residual);
        }

        /// <summary>
        /// Groups the orders by node, the nodes in bottom-up order (the reverse of <see cref="GridNetwork.TopDown"/>),
        /// each node's orders by price and then tie rank: the order of its curve.
        /// </summary>
        private void GroupByNode(int[] tieRanks)
        {
            var n = _orders.Length;
            var counts = new int[_nodeCount];
            foreach (var node in _nodes)
            {
                counts[node]++;
            }

            _ownStart = new int[_nodeCount + 1];
            var next = 0;
            foreach (var node in _network.BottomUp)
            {
                _ownStart[node] = next;
                next += counts[node];
            }

            // _ownStart[node + 1] must be the node's end: store ends separately and fold them in below.
            var ends = new int[_nodeCount];
            for (var node = 0; node < _nodeCount; node++)
            {
                ends[node] = _ownStart[node] + counts[node];
            }

            _slotOrder = new int[n];
            _slotBuys = new bool[n];
            var fill = _ownStart[.._nodeCount];
            var byPrice = ByPriceAndTie(tieRanks);
            for (var k = 0; k < n; k++)
            {
                var i = byPrice[k];
                var slot = fill[_nodes[i]]++;
                _slotOrder[slot] = i;
                _slotBuys[slot] = _orders[i].Side == Side.Buy;
            }

            _ownEnd = ends;
        }

        /// <summary>The input positions sorted by limit price and then tie rank (radix sorted packed keys when they fit).</summary>
        private int[] ByPriceAndTie(int[] tieRanks)
        {
            var n = _orders.Length;
            var sorted = Rent<int>(n);
            if (n == 0)
            {
                return sorted;
            }

            long minPrice = long.MaxValue, maxPrice = long.MinValue;
            foreach (var o in _orders)
            {
                minPrice = Math.Min(minPrice, o.Price);
                maxPrice = Math.Max(maxPrice, o.Price);
            }

            var rankBits = BitLength((ulong)(n - 1));
            var total = BitLength((ulong)(maxPrice - minPrice)) + rankBits;
            if (total > 63)
            {
                for (var i = 0; i < n; i++)
                {
                    sorted[i] = i;
                }

                var orders = _orders;
                sorted.AsSpan(0, n).Sort((x, y) => orders[x].Price != orders[y].Price ? orders[x].Price.CompareTo(orders[y].Price) : tieRanks[x].CompareTo(tieRanks[y]));
                return sorted;
            }

            var keys = Rent<ulong>(n);
            var byRank = Rent<int>(n);
            for (var i = 0; i < n; i++)
            {
                keys[i] = ((ulong)(_orders[i].Price - minPrice) << rankBits) | (uint)tieRanks[i];
                byRank[tieRanks[i]] = i;
            }

            RadixSort.Sort(keys.AsSpan(0, n), Rent<ulong>(n).AsSpan(0, n), 0, total, new int[RadixSort.MaxPasses << RadixSort.MaxDigitBits]);
            var mask = (1UL << rankBits) - 1;
            for (var k = 0; k < n; k++)
            {
                sorted[k] = byRank[(int)(keys[k] & mask)];
            }

            return sorted;
        }

        /// <summary>
        /// Merges the sorted runs of <paramref name="stage"/> (run r is <c>[bounds[r], bounds[r + 1])</c>) into one
        /// sorted run, pairwise, through <paramref name="other"/>; the result is in <paramref name="stage"/> (the two
        /// arrays are swapped when it ends up in the other).
        /// </summary>
        private static void MergeRuns(ref Segment[] stage, ref Segment[] other, List<int> bounds, List<int> next)
        {
            var length = bounds[^1];
            var source = stage;
            var target = other;
            while (bounds.Count > 2)
            {
                next.Clear();
                int r;
                for (r = 0; r + 2 < bounds.Count; r += 2)
                {
                    Merge(source, bounds[r], bounds[r + 1], bounds[r + 2], target);
                    next.Add(bounds[r]);
                }

                if (r + 1 < bounds.Count)
                {
                    Array.Copy(source, bounds[r], target, bounds[r], bounds[r + 1] - bounds[r]);
                    next.Add(bounds[r]);
                }

                next.Add(length);
                (bounds, next) = (next, bounds);
                (source, target) = (target, source);
            }

            stage = source;
            other = target;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Merge(Segment[] source, int from, int middle, int to, Segment[] target)
        {
            int a = from, b = middle, t = from;
            while (a < middle && b < to)
            {
                var x = source[a];
                var y = source[b];
                if (x.Price < y.Price || (x.Price == y.Price && x.Rank < y.Rank))
                {
                    target[t++] = x;
                    a++;
                }
                else
                {
                    target[t++] = y;
                    b++;
                }
            }

            Array.Copy(source, a, target, t, middle - a);
            t += middle - a;
            Array.Copy(source, b, target, t, to - b);
        }

        /// <summary>
        /// The tie ranks: offers before bids; offers by sequence then position ascending, bids by sequence then
        /// position descending. At equal prices a node's cut takes (fills) offers before it takes (drops) bids, so the
        /// most energy trades, and both sides keep price-time priority.
        /// </summary>
        private int[] TieRanks() => Ranks(walk: false);

        /// <summary>The walk's priority of rule 1: offers by price ascending, bids by price descending, then sequence, then position.</summary>
        private int[] WalkRanks() => Ranks(walk: true);

        /// <summary>
        /// Each order's rank in the tie order or the walk order, from one packed key per order (side, price, sequence,
        /// position) radix sorted on all its bits; the keys are unique, so the sort is exact. A comparison sort when the
        /// fields do not fit 63 bits.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int[] Ranks(bool walk)
        {
            var orders = _orders;
            var n = orders.Length;
            var ranks = Rent<int>(n);
            if (n == 0)
            {
                return ranks;
            }

            long minSequence = long.MaxValue, maxSequence = long.MinValue, minPrice = long.MaxValue, maxPrice = long.MinValue;
            foreach (var o in orders)
            {
                minSequence = Math.Min(minSequence, o.Sequence);
                maxSequence = Math.Max(maxSequence, o.Sequence);
                minPrice = Math.Min(minPrice, o.Price);
                maxPrice = Math.Max(maxPrice, o.Price);
            }

            var positionBits = BitLength((ulong)(n - 1));
            var sequenceBits = BitLength(unchecked((ulong)(maxSequence - minSequence)));
            var priceBits = walk ? BitLength((ulong)(maxPrice - minPrice)) : 0;
            var total = 1 + priceBits + sequenceBits + positionBits;
            if (total > 63)
            {
                return RanksByComparison(walk);
            }

            var keys = Rent<ulong>(n);
            for (var i = 0; i < n; i++)
            {
                var o = orders[i];
                var buy = o.Side == Side.Buy;
                var price = !walk ? 0UL : buy ? (ulong)(maxPrice - o.Price) : (ulong)(o.Price - minPrice);
                var sequence = unchecked(!walk && buy ? (ulong)(maxSequence - o.Sequence) : (ulong)(o.Sequence - minSequence));
                var position = (ulong)(!walk && buy ? n - 1 - i : i);
                keys[i] = ((buy ? 1UL : 0UL) << (total - 1)) | (price << (sequenceBits + positionBits)) | (sequence << positionBits) | position;
            }

            var scratch = Rent<ulong>(n);
            RadixSort.Sort(keys.AsSpan(0, n), scratch.AsSpan(0, n), 0, total, new int[RadixSort.MaxPasses << RadixSort.MaxDigitBits]);
            var mask = (1UL << positionBits) - 1;
            var buyBit = 1UL << (total - 1);
            for (var r = 0; r < n; r++)
            {
                var position = (int)(keys[r] & mask);
                ranks[!walk && (keys[r] & buyBit) != 0 ? n - 1 - position : position] = r;
            }

            return ranks;
        }

        private int[] RanksByComparison(bool walk)
        {
            var n = _orders.Length;
            var sorted = new int[n];
            for (var i = 0; i < n; i++)
            {
                sorted[i] = i;
            }

            var orders = _orders;
            sorted.AsSpan().Sort((x, y) =>
            {
                var ox = orders[x];
                var oy = orders[y];
                if (ox.Side != oy.Side)
                {
                    return ox.Side == Side.Sell ? -1 : 1;
                }

                var buy = ox.Side == Side.Buy;
                var c = walk ? (buy ? oy.Price.CompareTo(ox.Price) : ox.Price.CompareTo(oy.Price)) : 0;
                if (c == 0)
                {
                    c = ox.Sequence.CompareTo(oy.Sequence);
                }

                if (c == 0)
                {
                    c = x.CompareTo(y);
                }

                return !walk && buy ? -c : c;
            });

            var ranks = new int[n];
            for (var r = 0; r < n; r++)
            {
                ranks[sorted[r]] = r;
            }

            return ranks;
        }

        private static int BitLength(ulong value) => 64 - BitOperations.LeadingZeroCount(value);

        /// <summary>
        /// Writes a node's curve as its parent sees it into the parent's curve: cut to the line's capacities (the energy
        /// below the import limit is always taken, the energy above the export limit never) and shifted by the line's
        /// fees (exporting costs the export fee, importing saves the import fee). A piece that straddles zero net
        /// export is split in two, so the curve grows by at most one segment.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static (int Written, long CutBelow, long Total) ShiftInto(
            ReadOnlySpan<Segment> curve, long start, long total, EdgeLimit limit, GridNode line, int node, Span<Segment> target)
        {
            // Offsets along the curve: y = start + offset. Zero net export is at -start.
            var zero = -start;
            var from = zero > limit.ImportWh ? zero - limit.ImportWh : 0;
            var to = total + start > limit.ExportWh ? limit.ExportWh + zero : total;
            var split = line.ExportFee != 0 || line.ImportFee != 0;
            var written = 0;
            long offset = 0;
            foreach (var s in curve)
            {
                var a = Math.Max(offset, from);
                var b = Math.Min(offset + s.Length, to);
                offset += s.Length;
                if (a >= b)
                {
                    if (offset >= to)
                    {
                        break;
                    }

                    continue;
                }

                if (!split)
                {
                    target[written++] = new Segment(s.Price, s.Rank, ~node, b - a);
                    continue;
                }

                if (a < zero)
                {
                    target[written++] = new Segment(s.Price - line.ImportFee, s.Rank, ~node, Math.Min(b, zero) - a);
                }

                if (b > zero)
                {
                    target[written++] = new Segment(s.Price + line.ExportFee, s.Rank, ~node, b - Math.Max(a, zero));
                }
            }

            return (written, from, to - from);
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

        /// <summary>
        /// The community as one resource at its connection to the upstream grid: the root's curve around the cut.
        /// Beyond the cut, the segments not taken (unmatched offers, and bids that would give way) are what the
        /// community would export at an outside price above theirs; before it, the segments taken (dropped bids, and
        /// offers that would give way) what it would import at an outside price below theirs. The curve's two ends are
        /// the least and the most net injection the envelopes and capacities allow.
        /// </summary>
        private static CommunityResidual Residual(ReadOnlySpan<Segment> curve, long cut, long start, long total)
        {
            var export = new List<CurvePoint>();
            var import = new List<CurvePoint>();
            long offset = 0;
            var firstAfter = 0;
            for (; firstAfter < curve.Length && offset + curve[firstAfter].Length <= cut; firstAfter++)
            {
                offset += curve[firstAfter].Length;
            }

            // Export: from the cut forward, price ascending.
            long cumulative = 0;
            for (var k = firstAfter; k < curve.Length; k++)
            {
                var length = k == firstAfter ? offset + curve[k].Length - cut : curve[k].Length;
                cumulative += length;
                AddStep(export, curve[k].Price, cumulative);
            }

            // Import: from the cut backward, price descending.
            cumulative = 0;
            var lastTaken = firstAfter < curve.Length && offset < cut ? firstAfter : firstAfter - 1;
            for (var k = lastTaken; k >= 0; k--)
            {
                var length = k == firstAfter ? cut - offset : curve[k].Length;
                cumulative += length;
                AddStep(import, curve[k].Price, cumulative);
            }

            return new CommunityResidual(start, start + total, [.. export], [.. import]);
        }

        private static void AddStep(List<CurvePoint> steps, long price, long cumulative)
        {
            if (steps.Count > 0 && steps[^1].Price == price)
            {
                steps[^1] = new CurvePoint(price, cumulative);
            }
            else
            {
                steps.Add(new CurvePoint(price, cumulative));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private GridClearingResult Finish(long[] taken, long[] flow, long[] prices, CommunityResidual residual)
        {
            var n = _orders.Length;
            var root = _network.Root;
            var filled = new long[n];
            long bought = 0, sold = 0;
            bool anyBid = false, anyOffer = false;
            for (var slot = 0; slot < n; slot++)
            {
                var i = _slotOrder[slot];
                var o = _orders[i];
                if (_slotBuys[slot])
                {
                    taken[slot] = o.EnergyWh - taken[slot];
                    filled[i] = taken[slot];
                    bought += filled[i];
                    anyBid = true;
                }
                else
                {
                    filled[i] = taken[slot];
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
            for (var i = 0; i < n; i++)
            {
                sides[i] = _orders[i].Side;
            }

            var trades = Trades(taken, prices);
            var provisional = GridClearingResult.Cleared(
                _network, _nodes, sides, sold, [], [.. prices], [.. flow], [.. states], trades, residual);
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
                _network, _nodes, sides, sold, ImmutableCollectionsMarshal.AsImmutableArray(outcomes), [.. prices], [.. flow], [.. states], trades, residual);
        }

        /// <summary>
        /// Pairs the fills into trades, nearest first: bottom up, each node matches what its own orders and its
        /// children's residues sell against what they buy, by price-time priority, and passes the rest (one side
        /// only, its net flow) up to its parent.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private ImmutableArray<GridTrade> Trades(long[] slotFilled, long[] prices)
        {
            var n = _orders.Length;
            var walkRank = WalkRanks();

            // Entries are keyed (walk rank << 32 | slot): sorting the keys sorts by the walk's priority, and the slot
            // (the order's place in node order) finds its id, node and input position close to its neighbours'.
            var slotId = Rent<long>(n);
            var slotNode = Rent<int>(n);
            for (var slot = 0; slot < n; slot++)
            {
                var i = _slotOrder[slot];
                slotId[slot] = _orders[i].Id;
                slotNode[slot] = _nodes[i];
            }

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

            // What each node passes up: one side only, in walk order, at [residueAt[node], + residueLength[node]) of
            // one shared pair of arrays.
            var residueAt = new int[_nodeCount];
            var residueLength = new int[_nodeCount];
            var residueKeys = Rent<long>(Math.Max(16, n));
            var residueWh = Rent<long>(residueKeys.Length);
            var residueUsed = 0;

            // Each trade at a node uses up one of the node's entries (an own fill or a child's residue), and all but one
            // of the entries that reach a node come from fills: the filled orders plus the nodes bound the count.
            var filledOrders = 0;
            foreach (var wh in slotFilled)
            {
                filledOrders += wh > 0 ? 1 : 0;
            }

            var trades = ImmutableArray.CreateBuilder<GridTrade>(filledOrders + _nodeCount);
            var sellKeys = new List<long>();
            var sellWh = new List<long>();
            var buyKeys = new List<long>();
            var buyWh = new List<long>();
            foreach (var node in _network.BottomUp)
            {
                sellKeys.Clear();
                sellWh.Clear();
                buyKeys.Clear();
                buyWh.Clear();

                // A node's own slots are sorted by price and tie rank: for offers that is the walk's order, for bids
                // its reverse. Only residues from children need a sort.
                for (var slot = _ownStart[node]; slot < _ownEnd[node]; slot++)
                {
                    if (!_slotBuys[slot] && slotFilled[slot] > 0)
                    {
                        sellKeys.Add(((long)walkRank[_slotOrder[slot]] << 32) | (uint)slot);
                        sellWh.Add(slotFilled[slot]);
                    }
                }

                for (var slot = _ownEnd[node] - 1; slot >= _ownStart[node]; slot--)
                {
                    if (_slotBuys[slot] && slotFilled[slot] > 0)
                    {
                        buyKeys.Add(((long)walkRank[_slotOrder[slot]] << 32) | (uint)slot);
                        buyWh.Add(slotFilled[slot]);
                    }
                }

                var sellRuns = sellKeys.Count > 0 ? 1 : 0;
                var buyRuns = buyKeys.Count > 0 ? 1 : 0;
                foreach (var child in _network.Children(node))
                {
                    if (residueLength[child] > 0)
                    {
                        var keys = residueKeys.AsSpan(residueAt[child], residueLength[child]);
                        var amounts = residueWh.AsSpan(residueAt[child], residueLength[child]);
                        if (!_slotBuys[(int)(keys[0] & uint.MaxValue)])
                        {
                            sellKeys.AddRange(keys);
                            sellWh.AddRange(amounts);
                            sellRuns++;
                        }
                        else
                        {
                            buyKeys.AddRange(keys);
                            buyWh.AddRange(amounts);
                            buyRuns++;
                        }
                    }
                }

                var sells = CollectionsMarshal.AsSpan(sellKeys);
                var sold = CollectionsMarshal.AsSpan(sellWh);
                var buys = CollectionsMarshal.AsSpan(buyKeys);
                var bought = CollectionsMarshal.AsSpan(buyWh);
                if (sellRuns > 1)
                {
                    sells.Sort(sold);
                }

                if (buyRuns > 1)
                {
                    buys.Sort(bought);
                }

                int si = 0, bi = 0;
                long sLeft = sells.Length > 0 ? sold[0] : 0, bLeft = buys.Length > 0 ? bought[0] : 0;
                while (si < sells.Length && bi < buys.Length)
                {
                    var q = Math.Min(sLeft, bLeft);
                    var s = (int)(sells[si] & uint.MaxValue);
                    var b = (int)(buys[bi] & uint.MaxValue);
                    var sellerNode = slotNode[s];
                    var buyerNode = slotNode[b];
                    var fee = upFee[sellerNode] - upFee[node] + downFee[buyerNode] - downFee[node];
                    trades.Add(new GridTrade(slotId[b], slotId[s], _slotOrder[b], _slotOrder[s], q, prices[buyerNode], prices[sellerNode], fee, node));
                    sLeft -= q;
                    bLeft -= q;
                    if (sLeft == 0 && ++si < sells.Length)
                    {
                        sLeft = sold[si];
                    }

                    if (bLeft == 0 && ++bi < buys.Length)
                    {
                        bLeft = bought[bi];
                    }
                }

                var selling = si < sells.Length;
                var restKeys = selling ? sells : buys;
                var restWh = selling ? sold : bought;
                var first = selling ? si : bi;
                if (first < restKeys.Length)
                {
                    if (node == _network.Root)
                    {
                        throw new InvalidOperationException("Energy was left unmatched at the root.");
                    }

                    var count = restKeys.Length - first;
                    if (residueKeys.Length - residueUsed < count)
                    {
                        var keysLarger = Rent<long>(Math.Max(residueUsed + count, 2 * residueKeys.Length));
                        var whLarger = Rent<long>(keysLarger.Length);
                        residueKeys.AsSpan(0, residueUsed).CopyTo(keysLarger);
                        residueWh.AsSpan(0, residueUsed).CopyTo(whLarger);
                        residueKeys = keysLarger;
                        residueWh = whLarger;
                    }

                    restKeys[first..].CopyTo(residueKeys.AsSpan(residueUsed));
                    restWh[first..].CopyTo(residueWh.AsSpan(residueUsed));
                    residueWh[residueUsed] = selling ? sLeft : bLeft;
                    residueAt[node] = residueUsed;
                    residueLength[node] = count;
                    residueUsed += count;
                }
            }

            return trades.DrainToImmutable();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static (long Low, long High) Walk(ReadOnlySpan<Segment> curve, long cut, long[] taken, long[] takenByParent)
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
