using Market.Ledger;
using Market.Matching;
using Market.Matching.Grid;

namespace Market.Replay;

/// <summary>A sealed book cleared under the grid's limits, with the network and limits it was cleared on.</summary>
/// <param name="Network">The network as the auction takes it (each line's limits and the seller-side fees).</param>
/// <param name="Limits">Each node's limits for the interval, in Wh.</param>
/// <param name="Orders">The auction's orders, in the book's order.</param>
/// <param name="Result">The clearing.</param>
public sealed record GridBookRun(GridNetwork Network, EdgeLimit[] Limits, Order[] Orders, GridClearingResult Result);

/// <summary>
/// The one mapping from a sealed network, the sealed limits, the rules' fees and a sealed book to
/// <see cref="GridAuction"/>: the clearing job and the verifier's replay both go through it, so the interval that is
/// sealed is the interval that is replayed.
/// </summary>
public static class GridBook
{
    /// <summary>Clears a book under the grid's limits.</summary>
    /// <param name="topology">The network block in force.</param>
    /// <param name="rules">The rules in force (their fees).</param>
    /// <param name="limits">Each node's (export, import) limit in Wh for the interval.</param>
    /// <param name="orders">The book's leaves, in sequence order.</param>
    /// <param name="orderNodes">Each order's connection.</param>
    /// <returns>The run, or <see langword="null"/> when the network or the book is refused.</returns>
    public static GridBookRun? Clear(
        GridTopology topology, RulesRecord rules, IReadOnlyList<(long ExportWh, long ImportWh)> limits, IReadOnlyList<OrderLeaf> orders, ReadOnlySpan<int> orderNodes)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(limits);
        var nodes = new GridNode[topology.Count];
        var edgeLimits = new EdgeLimit[topology.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            var (exportWh, importWh) = limits[i];
            nodes[i] = new GridNode(topology.Parent(i), exportWh, importWh, topology.ExportFee(i, rules), 0);
            edgeLimits[i] = new EdgeLimit(exportWh, importWh);
        }

        if (!GridNetwork.TryCreate(nodes, out var network, out _))
        {
            return null;
        }

        var auctionOrders = AuctionOrders.From(orders);
        var result = GridAuction.Clear(network!, auctionOrders, orderNodes, edgeLimits);
        return result.IsSuccess ? new GridBookRun(network!, edgeLimits, auctionOrders, result) : null;
    }

    /// <summary>The sealer's trades for a cleared book: each side's owner from its leaf, the prices from the clearing.</summary>
    /// <param name="book">The book's leaves, as cleared.</param>
    /// <param name="result">The clearing of that book.</param>
    /// <returns>One fill per trade, in clearing order.</returns>
    public static GridTradeFill[] Fills(IReadOnlyList<OrderLeaf> book, GridClearingResult result)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(result);
        var fills = new GridTradeFill[result.Trades.Length];
        for (var i = 0; i < fills.Length; i++)
        {
            var t = result.Trades[i];
            fills[i] = new GridTradeFill(book[t.BuyIndex].Owner, book[t.SellIndex].Owner, t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.BuyPrice, t.SellPrice, t.FeePrice, t.MeetNode);
        }

        return fills;
    }

    /// <summary>The sealer's residual leaf for a cleared book: the community's residual as the clearing gives it.</summary>
    /// <param name="result">A successful clearing.</param>
    /// <returns>The leaf.</returns>
    public static ResidualLeaf Residual(GridClearingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var residual = result.Residual ?? throw new ArgumentException("a rejected clearing has no residual", nameof(result));
        return new ResidualLeaf(
            residual.MinInjectionWh,
            residual.MaxInjectionWh,
            residual.Export.Select(p => new ResidualStep(p.Price, p.CumulativeEnergyWh)),
            residual.Import.Select(p => new ResidualStep(p.Price, p.CumulativeEnergyWh)));
    }
}
