using System.Collections.ObjectModel;

namespace Market.Ledger;

public sealed partial class ChainVerifier
{
    private readonly Dictionary<(long Start, long End), SealedLimits> _gridLimits = [];
    private GridTopology? _network;
    private byte[]? _networkHash;

    private VerificationFailure? CheckNetwork(LedgerBlock block, BlockHeader header, byte[] headerHash)
    {
        var nodes = new NetworkNodeLeaf[block.Leaves.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            if (!NetworkNodeLeaf.TryDecode(block.Leaves.GetSpan(i), out nodes[i], out var error))
            {
                return Fail(VerificationFailureReason.GridNetworkInvalid, header.Height, error!, leafIndex: i);
            }
        }

        if (!GridTopology.TryCreate(nodes, out var topology, out var problem, out var node))
        {
            return Fail(VerificationFailureReason.GridNetworkInvalid, header.Height, problem!, leafIndex: node >= 0 ? node : null);
        }

        _network = topology;
        _networkHash = headerHash;
        return null;
    }

    private VerificationFailure? CheckGridLimits(LedgerBlock block, BlockHeader header)
    {
        var height = header.Height;
        if (_network is null)
        {
            return Fail(VerificationFailureReason.GridNetworkMissing, height, "no network block comes before this grid-limits block");
        }

        var rules = RulesInEffect(header.IntervalStart);
        if (rules is not { } r || r.Mechanism != ClearingMechanisms.GridZonalAuction || r.Mechanism != header.Mechanism
            || r.RulesVersion != header.RulesVersion)
        {
            return Fail(VerificationFailureReason.GridLimitsWrongInterval, height,
                "the rules in effect for this interval are not mechanism 3 with the block's mechanism and rules version");
        }

        var length = r.IntervalLengthSeconds;
        if ((Int128)header.IntervalEnd - header.IntervalStart != length || ((header.IntervalStart % length) + length) % length != 0)
        {
            return Fail(VerificationFailureReason.GridLimitsWrongInterval, height, $"intervals are {length} s long and aligned to that length");
        }

        if (_committedIntervals.Contains((header.IntervalStart, header.IntervalEnd)))
        {
            return Fail(VerificationFailureReason.GridLimitsWrongInterval, height, "the interval's order book is already sealed: its limits come before it");
        }

        if (_gridLimits.ContainsKey((header.IntervalStart, header.IntervalEnd)))
        {
            return Fail(VerificationFailureReason.GridLimitsDuplicate, height, "this interval already has a grid-limits block");
        }

        if (!header.Reference.AsSpan().SequenceEqual(_networkHash))
        {
            return Fail(VerificationFailureReason.GridLimitsNetworkMismatch, height, "the reference is not the header hash of the network block in force");
        }

        var limits = _network.StaticLimits(length);
        var previous = -1;
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            if (!GridLimitLeaf.TryDecode(block.Leaves.GetSpan(i), out var leaf, out var error))
            {
                return Fail(VerificationFailureReason.GridLimitsInvalid, height, error!, leafIndex: i);
            }

            if (leaf.Node >= _network.Count || leaf.Node == _network.Root)
            {
                return Fail(VerificationFailureReason.GridLimitsInvalid, height, $"node {leaf.Node} is not a node below the root of the network in force", leafIndex: i);
            }

            if (leaf.Node <= previous)
            {
                return Fail(VerificationFailureReason.GridLimitsUnsorted, height, "limits leaves must be in strictly increasing node order", leafIndex: i);
            }

            if (leaf.ExportLimitWh < 0 || leaf.ImportLimitWh < 0)
            {
                return Fail(VerificationFailureReason.GridLimitsNegative, height, $"node {leaf.Node}'s limits are negative ({leaf.ExportLimitWh} Wh export, {leaf.ImportLimitWh} Wh import)", leafIndex: i);
            }

            previous = leaf.Node;
            limits[leaf.Node] = (leaf.ExportLimitWh, leaf.ImportLimitWh);
        }

        _gridLimits.Add((header.IntervalStart, header.IntervalEnd), new SealedLimits(header, _networkHash!, limits));
        return null;
    }

    private RulesRecord? RulesInEffect(long intervalStart)
    {
        for (var i = _rules.Count - 1; i >= 0; i--)
        {
            if (_rules[i].EffectiveFrom <= intervalStart)
            {
                return _rules[i];
            }
        }

        return null;
    }

    /// <summary>Under mechanism 3: the limits sealed for the book's interval against the network still in force, and
    /// each order's connection.</summary>
    private VerificationFailure? CheckGridBook(BlockHeader header, OrderLeaf[] orders, out GridBook? grid)
    {
        grid = null;
        var height = header.Height;
        if (_network is null)
        {
            return Fail(VerificationFailureReason.GridNetworkMissing, height, "no network block comes before this mechanism-3 order book");
        }

        // Taken out once its book is sealed: a later limits block for the interval fails as sealed after the book.
        if (!_gridLimits.Remove((header.IntervalStart, header.IntervalEnd), out var limits))
        {
            return Fail(VerificationFailureReason.GridLimitsMissing, height, "no grid-limits block for this interval comes before its order book");
        }

        if (!limits.NetworkHash.AsSpan().SequenceEqual(_networkHash))
        {
            return Fail(VerificationFailureReason.GridLimitsNetworkMismatch, height, "the interval's grid-limits block references a network that is no longer in force at its order book");
        }

        if (limits.Header.Mechanism != header.Mechanism || limits.Header.RulesVersion != header.RulesVersion)
        {
            return Fail(VerificationFailureReason.GridLimitsWrongInterval, height, "the grid-limits block names another mechanism or rules version than the order book");
        }

        var nodes = new int[orders.Length];
        for (var i = 0; i < orders.Length; i++)
        {
            nodes[i] = _network.ConnectionOf(orders[i].Owner);
            if (nodes[i] < 0)
            {
                return Fail(VerificationFailureReason.GridOrderNotConnected, height,
                    $"order {orders[i].Sequence}'s owner is at no connection of the network in force: the book cannot be cleared under mechanism 3", leafIndex: i);
            }
        }

        grid = new GridBook(_network, limits.Limits, nodes);
        return null;
    }

    private VerificationFailure? CheckGridClearing(LedgerBlock block, BlockHeader header, byte[] headerHash, PendingBook book)
    {
        var height = header.Height;
        var grid = book.Grid!;
        var network = grid.Network;
        var n = network.Count;
        var residualIndex = block.Leaves.Count - 1;
        var residualSpan = residualIndex < 0 ? default : block.Leaves.GetSpan(residualIndex);
        if (!ResidualLeaf.LooksLike(residualSpan))
        {
            return Fail(VerificationFailureReason.GridResidualInvalid, height, "the block does not end with the community's residual leaf", leafIndex: residualIndex < 0 ? null : residualIndex);
        }

        if (!ResidualLeaf.TryDecode(residualSpan, out var residual, out var residualError) || residual!.Problem() is { } residualProblem)
        {
            return Fail(VerificationFailureReason.GridResidualInvalid, height, residualError ?? ("residual: " + residual!.Problem()), leafIndex: residualIndex);
        }

        var tradeCount = block.Leaves.Count - n - 1;
        var zones = new ZoneLeaf[n];
        for (var k = 0; k < n; k++)
        {
            var index = tradeCount + k;
            if (index < 0)
            {
                continue;
            }

            var span = block.Leaves.GetSpan(index);
            if (!ZoneLeaf.TryDecode(span, out zones[k], out var error))
            {
                return GridTradeLeaf.TryDecode(span, out _, out _)
                    ? Fail(VerificationFailureReason.GridZoneLeavesInvalid, height, $"expected {n} zone leaves after the trades (one per node), found a trade in their place", leafIndex: index)
                    : Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: index);
            }

            if (zones[k].Node != k)
            {
                return Fail(VerificationFailureReason.GridZoneLeavesInvalid, height, $"zone leaf {k} names node {zones[k].Node}: one per node, in node order", leafIndex: index);
            }
        }

        if (tradeCount < 0)
        {
            return Fail(VerificationFailureReason.GridZoneLeavesInvalid, height, $"the block has {block.Leaves.Count} leaves, fewer than the network's {n} zone leaves and the residual");
        }

        var orders = book.Orders;
        var filled = new long[orders.Length];
        var rules = book.Rules;
        var trades = new GridTradeLeaf[tradeCount];
        var flow = new Int128[n];
        for (var i = 0; i < tradeCount; i++)
        {
            var span = block.Leaves.GetSpan(i);
            if (!GridTradeLeaf.TryDecode(span, out var trade, out var error))
            {
                return ZoneLeaf.TryDecode(span, out _, out _)
                    ? Fail(VerificationFailureReason.GridZoneLeavesInvalid, height, $"a zone leaf among the trades: the block must end with exactly {n} zone leaves and the residual", leafIndex: i)
                    : ResidualLeaf.LooksLike(span)
                    ? Fail(VerificationFailureReason.GridResidualInvalid, height, "a residual leaf among the trades: one residual, the block's last leaf", leafIndex: i)
                    : Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: i);
            }

            var failure = CheckGridTrade(trade, header, rules, book, filled, zones, i, flow);
            if (failure is not null)
            {
                return failure;
            }

            trades[i] = trade;
            _nextTradeId++;
        }

        var failureAfter = CheckGridFlows(header, grid, flow, zones, tradeCount)
            ?? CheckGridCertificate(header, book, filled, zones, flow, tradeCount)
            ?? CheckResidualRange(header, book, residual, residualIndex);
        if (failureAfter is not null)
        {
            return failureAfter;
        }

        if (_replayer is not null)
        {
            failureAfter = ReplayGrid(book, trades, zones, filled, header, tradeCount, residual);
            if (failureAfter is not null)
            {
                return failureAfter;
            }
        }

        _clearedBooks.Add(header.Reference);
        _tradeCount += trades.Length;
        var asTrades = trades.Select(t => new TradeLeaf(t.TradeId, t.IntervalStart, t.IntervalEnd, t.Buyer, t.Seller, t.BuySequence, t.SellSequence, t.EnergyWh, t.BuyPrice, t.BuyerAmount)).ToArray();
        _clearings.Add(headerHash, ClearedInterval.From(header, book.Rules, asTrades));
        return null;
    }

    private VerificationFailure? CheckGridTrade(
        in GridTradeLeaf trade, BlockHeader header, RulesRecord rules, PendingBook book, long[] filled, ZoneLeaf[] zones, int leafIndex, Int128[] flow)
    {
        var height = header.Height;
        var id = trade.TradeId;
        var grid = book.Grid!;
        if (id != _nextTradeId)
        {
            return Fail(VerificationFailureReason.TradeIdGap, height, $"expected trade id {_nextTradeId}, found {id}", id, leafIndex);
        }

        if (trade.IntervalStart != header.IntervalStart || trade.IntervalEnd != header.IntervalEnd)
        {
            return Fail(VerificationFailureReason.TradeIntervalMismatch, height, "the trade's interval is not its block's", id, leafIndex);
        }

        if (trade.EnergyWh <= 0 || trade.BuyPrice < 0 || trade.SellPrice < 0 || trade.FeePrice < 0)
        {
            return Fail(VerificationFailureReason.InvalidTrade, height, "energy must be positive and prices and fee not negative", id, leafIndex);
        }

        var failure = CheckFill(trade.BuySequence, OrderSide.Buy, trade.Buyer, trade.EnergyWh, book.Orders, filled, height, id, leafIndex)
            ?? CheckFill(trade.SellSequence, OrderSide.Sell, trade.Seller, trade.EnergyWh, book.Orders, filled, height, id, leafIndex);
        if (failure is not null)
        {
            return failure;
        }

        foreach (var price in (ReadOnlySpan<long>)[trade.BuyPrice, trade.SellPrice])
        {
            if (price < rules.PriceFloor || price > rules.PriceCeiling)
            {
                return Fail(VerificationFailureReason.PriceOutOfBounds, height, $"price {price} outside [{rules.PriceFloor}, {rules.PriceCeiling}]", id, leafIndex);
            }
        }

        var buyerNode = grid.OrderNodes[FindOrder(book.Orders, trade.BuySequence)];
        var sellerNode = grid.OrderNodes[FindOrder(book.Orders, trade.SellSequence)];
        if (trade.BuyPrice != zones[buyerNode].ZonePrice || trade.SellPrice != zones[sellerNode].ZonePrice)
        {
            return Fail(VerificationFailureReason.GridTradePriceNotZonePrice, height,
                $"prices {trade.BuyPrice} (buy) and {trade.SellPrice} (sell) are not the zone prices of nodes {buyerNode} ({zones[buyerNode].ZonePrice}) and {sellerNode} ({zones[sellerNode].ZonePrice})", id, leafIndex);
        }

        var meet = grid.Network.MeetNode(buyerNode, sellerNode);
        if (trade.MeetNode != meet)
        {
            return Fail(VerificationFailureReason.GridTradeMeetNodeWrong, height, $"meet node {trade.MeetNode} is not the nearest common ancestor of nodes {sellerNode} and {buyerNode} ({meet})", id, leafIndex);
        }

        var fee = grid.Network.PathFee(sellerNode, meet, rules);
        if (trade.FeePrice != fee)
        {
            return Fail(VerificationFailureReason.GridTradeFeeWrong, height, $"fee {trade.FeePrice} is not the path fee {fee} from node {sellerNode} to node {buyerNode}", id, leafIndex);
        }

        if (!Money.TryAmount(trade.EnergyWh, trade.BuyPrice, out var buyerAmount) || buyerAmount != trade.BuyerAmount
            || !Money.TryAmount(trade.EnergyWh, trade.SellPrice, out var sellerAmount) || sellerAmount != trade.SellerAmount)
        {
            return Fail(VerificationFailureReason.AmountMismatch, height,
                $"amounts {trade.BuyerAmount} and {trade.SellerAmount} are not {trade.EnergyWh} Wh x {trade.BuyPrice} and x {trade.SellPrice} / 1000 rounded half up", id, leafIndex);
        }

        flow[sellerNode] += trade.EnergyWh;
        flow[buyerNode] -= trade.EnergyWh;
        return null;
    }

    /// <summary>Sums the trades' net energy up the tree and checks every line against the limits in force, then the
    /// zone leaves' flows against it.</summary>
    private static VerificationFailure? CheckGridFlows(BlockHeader header, GridBook grid, Int128[] flow, ZoneLeaf[] zones, int tradeCount)
    {
        var network = grid.Network;
        var topDown = network.TopDown;
        for (var k = topDown.Count - 1; k > 0; k--)
        {
            var node = topDown[k];
            flow[network.Parent(node)] += flow[node];
        }

        for (var k = 1; k < topDown.Count; k++)
        {
            var node = topDown[k];
            var (exportWh, importWh) = grid.Limits[node];
            var y = flow[node];
            if (y > exportWh || -y > importWh)
            {
                var connection = network.Nodes[node].Kind == NetworkNodeKind.Connection;
                var what = y > 0 ? $"exports {y} Wh, above its export limit of {exportWh} Wh" : $"imports {-y} Wh, above its import limit of {importWh} Wh";
                return connection
                    ? Fail(VerificationFailureReason.GridEnvelopeExceeded, header.Height, $"connection {node} ({network.Nodes[node].NodeId}) {what} (its envelope)", leafIndex: tradeCount + node)
                    : Fail(VerificationFailureReason.GridCapacityExceeded, header.Height, $"{network.Nodes[node].Kind.ToString().ToLowerInvariant()} {node} ({network.Nodes[node].NodeId}) {what} (its capacity)", leafIndex: tradeCount + node);
            }
        }

        for (var node = 0; node < zones.Length; node++)
        {
            if (zones[node].FlowWh != flow[node])
            {
                return Fail(VerificationFailureReason.GridFlowMismatch, header.Height, $"node {node}'s zone leaf records a flow of {zones[node].FlowWh} Wh; the trades give {flow[node]} Wh", leafIndex: tradeCount + node);
            }
        }

        return null;
    }

    /// <summary>
    /// The clearing's certificate (docs/clearing.md; the same checks as Market.Matching's GridCertificate, without
    /// its types): every order on the right side of its zone's price, every line priced by its state.
    /// </summary>
    private static VerificationFailure? CheckGridCertificate(BlockHeader header, PendingBook book, long[] filled, ZoneLeaf[] zones, Int128[] flow, int tradeCount)
    {
        const long MaxZonePrice = 1L << 50;
        var grid = book.Grid!;
        var network = grid.Network;
        for (var node = 0; node < zones.Length; node++)
        {
            if (zones[node].ZonePrice is < -MaxZonePrice or > MaxZonePrice)
            {
                return Fail(VerificationFailureReason.GridZonePriceWrong, header.Height, $"node {node}'s zone price {zones[node].ZonePrice} is outside ±2^50", leafIndex: tradeCount + node);
            }
        }

        for (var i = 0; i < book.Orders.Length; i++)
        {
            var o = book.Orders[i];
            var zone = zones[grid.OrderNodes[i]].ZonePrice;
            var buy = o.Side == OrderSide.Buy;
            var better = buy ? o.LimitPrice > zone : o.LimitPrice < zone;
            var worse = buy ? o.LimitPrice < zone : o.LimitPrice > zone;
            if ((better && filled[i] < o.EnergyWh) || (worse && filled[i] > 0))
            {
                return Fail(VerificationFailureReason.GridZonePriceWrong, header.Height,
                    $"{(buy ? "bid" : "offer")} {o.Sequence} at {o.LimitPrice} is filled {filled[i]} Wh of {o.EnergyWh} Wh, but its zone's price is {zone}",
                    leafIndex: tradeCount + grid.OrderNodes[i]);
            }
        }

        var rules = book.Rules;
        for (var k = 1; k < network.TopDown.Count; k++)
        {
            var node = network.TopDown[k];
            var parent = network.Parent(node);
            var (low, high) = LineBounds(zones[parent].ZonePrice, (long)flow[node], grid.Limits[node], network.ExportFee(node, rules));
            if (zones[node].ZonePrice < low || zones[node].ZonePrice > high)
            {
                return Fail(VerificationFailureReason.GridPriceGapWithoutLimit, header.Height,
                    $"node {node}'s zone price {zones[node].ZonePrice} against its parent's {zones[parent].ZonePrice} is not justified by its line (flow {flow[node]} Wh, export fee {network.ExportFee(node, rules)}, limits {grid.Limits[node].ExportWh} and {grid.Limits[node].ImportWh} Wh)",
                    leafIndex: tradeCount + node);
            }
        }

        return null;
    }

    /// <summary>What a line allows its child's price to be given the parent's price and its flow (import fee 0).</summary>
    private static (long Low, long High) LineBounds(long parentPrice, long flow, (long ExportWh, long ImportWh) limit, long exportFee)
    {
        var low = long.MinValue;
        var high = long.MaxValue;
        var up = Math.Max(flow, 0);
        var down = Math.Max(-flow, 0);
        if (limit.ExportWh > 0)
        {
            if (up < limit.ExportWh)
            {
                low = Math.Max(low, parentPrice - exportFee);
            }

            if (up > 0)
            {
                high = Math.Min(high, parentPrice - exportFee);
            }
        }

        if (limit.ImportWh > 0)
        {
            if (down < limit.ImportWh)
            {
                high = Math.Min(high, parentPrice);
            }

            if (down > 0)
            {
                low = Math.Max(low, parentPrice);
            }
        }

        return (low, high);
    }

    /// <summary>
    /// The residual's ends against the book and the limits: bottom up, a node's least net injection is its own bids
    /// (negated) plus each child's, capped by the child line's import limit, and its most its own offers plus each
    /// child's, capped by the export limit; the root's are the community's.
    /// </summary>
    private static VerificationFailure? CheckResidualRange(BlockHeader header, PendingBook book, ResidualLeaf residual, int residualIndex)
    {
        var grid = book.Grid!;
        var network = grid.Network;
        var least = new Int128[network.Count];
        var most = new Int128[network.Count];
        for (var i = 0; i < book.Orders.Length; i++)
        {
            var order = book.Orders[i];
            if (order.Side == OrderSide.Buy)
            {
                least[grid.OrderNodes[i]] -= order.EnergyWh;
            }
            else
            {
                most[grid.OrderNodes[i]] += order.EnergyWh;
            }
        }

        for (var k = network.Count - 1; k > 0; k--)
        {
            var node = network.TopDown[k];
            var parent = network.Nodes[node].Parent;

            var (exportWh, importWh) = grid.Limits[node];
            least[parent] += Int128.Max(least[node], -(Int128)importWh);
            most[parent] += Int128.Min(most[node], exportWh);
        }

        var root = network.Root;
        return least[root] == residual.MinInjectionWh && most[root] == residual.MaxInjectionWh
            ? null
            : Fail(VerificationFailureReason.GridResidualRangeWrong, header.Height,
                $"the residual records net injections from {residual.MinInjectionWh} to {residual.MaxInjectionWh} Wh; the book and the limits allow {least[root]} to {most[root]} Wh",
                leafIndex: residualIndex);
    }

    private VerificationFailure? ReplayGrid(PendingBook book, GridTradeLeaf[] trades, ZoneLeaf[] zones, long[] filled, BlockHeader header, int tradeCount, ResidualLeaf residual)
    {
        var grid = book.Grid!;
        var replay = (_replayer as IGridClearingReplayer)?.ReplayGrid(new GridReplayInput(
            new ReadOnlyCollection<OrderLeaf>(book.Orders), grid.OrderNodes, grid.Network, book.Rules, grid.Limits, filled, zones.Select(z => z.ZonePrice).ToArray()));
        if (replay is null)
        {
            return Fail(VerificationFailureReason.ReplayUnsupported, header.Height,
                $"the replayer does not support mechanism {header.Mechanism} rules version {header.RulesVersion}");
        }

        if (replay.CertificateFailure is { } refused)
        {
            return Fail(VerificationFailureReason.GridCertificateFailed, header.Height, "the matching engine refuses the clearing's certificate: " + refused);
        }

        var expected = replay.Trades;
        var common = Math.Min(expected.Count, trades.Length);
        for (var i = 0; i < common; i++)
        {
            var t = trades[i];
            var e = expected[i];
            if (new ReplayedGridTrade(t.BuySequence, t.SellSequence, t.EnergyWh, t.BuyPrice, t.SellPrice, t.FeePrice, t.MeetNode) != e)
            {
                return Fail(VerificationFailureReason.ReplayMismatch, header.Height,
                    $"recorded ({t.BuySequence}, {t.SellSequence}, {t.EnergyWh} Wh, {t.BuyPrice}/{t.SellPrice}); the rules give ({e.BuySequence}, {e.SellSequence}, {e.EnergyWh} Wh, {e.BuyPrice}/{e.SellPrice})",
                    t.TradeId, i);
            }
        }

        if (expected.Count != trades.Length)
        {
            var firstId = _nextTradeId - trades.Length + common;
            return Fail(VerificationFailureReason.ReplayMismatch, header.Height, $"the block records {trades.Length} trades; the rules give {expected.Count}", firstId, common);
        }

        for (var node = 0; node < zones.Length; node++)
        {
            if (replay.ZonePrices.Count != zones.Length || replay.ZonePrices[node] != zones[node].ZonePrice)
            {
                return Fail(VerificationFailureReason.ReplayMismatch, header.Height,
                    $"node {node}'s recorded zone price is {zones[node].ZonePrice}; the rules give {(node < replay.ZonePrices.Count ? replay.ZonePrices[node] : "none")}", leafIndex: tradeCount + node);
            }
        }

        return replay.Residual.SameAs(residual)
            ? null
            : Fail(VerificationFailureReason.ReplayMismatch, header.Height,
                $"the recorded residual ({residual.Export.Count} export and {residual.Import.Count} import steps) is not the one the rules give ({replay.Residual.Export.Count} and {replay.Residual.Import.Count})",
                leafIndex: tradeCount + zones.Length);
    }

    /// <summary>A grid-limits block as sealed: its header, the network block it names and each node's limits in Wh.</summary>
    private sealed record SealedLimits(BlockHeader Header, byte[] NetworkHash, (long ExportWh, long ImportWh)[] Limits);

    /// <summary>What a mechanism-3 book carries to its clearing: the network and limits in force and each order's node.</summary>
    private sealed record GridBook(GridTopology Network, (long ExportWh, long ImportWh)[] Limits, int[] OrderNodes);
}
