using System.Diagnostics;
using Market.Ledger;
using Market.Matching;
using Market.Matching.Grid;
using Market.Replay;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Clearing;

public sealed partial class ClearingService
{
    /// <summary>An interval under the grid's mechanism, ready for its book to be sealed.</summary>
    /// <param name="Network">The network in force.</param>
    /// <param name="LimitsBlock">The interval's grid-limits block.</param>
    /// <param name="Limits">The limits it seals.</param>
    /// <param name="Orders">The orders of households at a connection, in id order.</param>
    /// <param name="OrderNodes">Each of those orders' connection.</param>
    /// <param name="Rules">The rules in force (their fees).</param>
    private sealed record GridInterval(SealedNetwork Network, SealedBlock LimitsBlock, IntervalLimits Limits, BookOrder[] Orders, int[] OrderNodes, RulesRecord Rules);

    /// <summary>What an order of a household at no connection of the network in force gets: it cannot be cleared.</summary>
    public const string NotConnected = "NotConnected";

    /// <summary>
    /// Reads the network in force and the limits at gate closure, seals the grid-limits block, and leaves out (and
    /// cancels, <see cref="NotConnected"/>) the orders of households the network does not place: the verifier would
    /// refuse a book with them.
    /// </summary>
    private async Task<GridInterval> PrepareGridAsync(
        MarketDbContext db, long start, long end, RulesRecord inEffect, ChainTip tip, SigningKey key, DateTimeOffset now, BookOrder[] orders,
        Dictionary<long, PartyId> pseudonyms, CancellationToken cancellationToken)
    {
        var network = await SealedNetworks.InForceAsync(db, cancellationToken)
            ?? throw new InvalidOperationException($"Interval {start} clears under the grid's limits, but no network is sealed: import one (PUT /api/grid/network).");
        var topology = network.Topology;
        var keep = new List<BookOrder>(orders.Length);
        var nodes = new List<int>(orders.Length);
        var notConnected = new List<long>();
        foreach (var o in orders)
        {
            var node = topology.ConnectionOf(pseudonyms[o.HouseholdId]);
            if (node < 0)
            {
                notConnected.Add(o.Id);
                continue;
            }

            keep.Add(o);
            nodes.Add(node);
        }

        foreach (var chunk in notConnected.Chunk(500))
        {
            await db.Orders.Where(o => chunk.Contains(o.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, OrderStatus.Cancelled).SetProperty(o => o.Outcome, NotConnected), cancellationToken);
        }

        var limits = LimitsInForce.For(topology, end - start, await gridStore.LimitsAtAsync(start, cancellationToken));
        var block = BlockSealer.SealGridLimits(tip, key, network.HeaderHash, start, end, inEffect.Mechanism, inEffect.RulesVersion, limits.Leaves, now);
        return new GridInterval(network, block, limits, [.. keep], [.. nodes], inEffect);
    }

    /// <summary>Clears a book under the grid's limits (mechanism 3), seals its trades and zone leaves, and describes each node.</summary>
    private static ClearedBook ClearGrid(SealedBlock book, OrderLeaf[] orderLeaves, BookOrder[] orders, GridInterval grid, SigningKey key, DateTimeOffset now, long start, Stopwatch timer)
    {
        var topology = grid.Network.Topology;
        var run = GridBook.Clear(topology, grid.Rules, grid.Limits.Wh, orderLeaves, grid.OrderNodes)
            ?? throw new InvalidOperationException($"Clearing interval {start} under the grid's limits was rejected: the network or the book was refused.");
        var result = run.Result;
        var auctionDone = timer.Elapsed;
        var fills = GridBook.Fills(orderLeaves, result);
        var clearing = BlockSealer.SealGridClearing(book.NextTip, key, book.Header, fills, result.ZonePrices.AsSpan(), result.FlowsWh.AsSpan(), GridBook.Residual(result), now);
        var trades = TradeRows(clearing, fills.Length, start, i => (orders[result.Trades[i].BuyIndex].HouseholdId, orders[result.Trades[i].SellIndex].HouseholdId));

        var nodes = new List<GridNodeResultEntity>();
        for (var node = 0; node < topology.Count; node++)
        {
            var leaf = topology.Nodes[node];
            var state = result.EdgeStates[node];
            if (leaf.Kind == Market.Ledger.NetworkNodeKind.Connection && !grid.Limits.FromEnvelope[node] && state == EdgeState.Free)
            {
                continue;
            }

            var (exportWh, importWh) = grid.Limits.Wh[node];
            nodes.Add(new GridNodeResultEntity
            {
                IntervalStart = start,
                Node = node,
                Parent = leaf.Parent,
                NodeId = leaf.NodeId,
                Kind = (byte)leaf.Kind,
                ZonePrice = result.ZonePrices[node],
                FlowWh = result.FlowsWh[node],
                ExportLimitWh = node == topology.Root || exportWh == GridTopology.UnlimitedWh ? null : exportWh,
                ImportLimitWh = node == topology.Root || importWh == GridTopology.UnlimitedWh ? null : importWh,
                FromEnvelope = grid.Limits.FromEnvelope[node],
                EventId = grid.Limits.EventIds[node],
                State = (LineState)(byte)state,
            });
        }

        return new ClearedBook(clearing, trades, result.Price, result.VolumeWh, auctionDone, i =>
        {
            var outcome = result.Outcomes[i];
            var limiting = outcome.Reason == FillReason.NetworkLimit ? result.LimitingNode(i) : -1;
            return (outcome.FilledWh, outcome.Reason.ToString(), limiting >= 0 ? limiting : null, result.ZonePrices[grid.OrderNodes[i]]);
        })
        {
            GridNodes = nodes,
        };
    }
}
