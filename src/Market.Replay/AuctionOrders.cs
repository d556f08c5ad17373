using System.Diagnostics.Contracts;
using Market.Ledger;
using Market.Matching;

namespace Market.Replay;

/// <summary>
/// The one mapping from the ledger's order-book leaves to the auction's orders. Clearing, the verifier's replay, the
/// dashboard's "what if" and the benchmarks all go through it, so the book that is sealed is the book that is cleared.
/// </summary>
public static class AuctionOrders
{
    /// <summary>
    /// The auction order of one sealed order-book leaf: its id and its time priority are both the leaf's sequence
    /// number (docs/clearing.md: ties are broken by sequence, never by a clock).
    /// </summary>
    /// <param name="leaf">A decoded order-book leaf.</param>
    /// <returns>The same order as <see cref="DoubleAuction"/> takes it.</returns>
    [Pure]
    public static Order From(in OrderLeaf leaf) =>
        new(leaf.Sequence, ToSide(leaf.Side), leaf.EnergyWh, leaf.LimitPrice, leaf.Sequence);

    /// <summary>The auction orders of a sealed book, in the book's order.</summary>
    /// <param name="leaves">The book's leaves, decoded.</param>
    /// <returns>A new array, one order per leaf.</returns>
    [Pure]
    public static Order[] From(IReadOnlyList<OrderLeaf> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var orders = new Order[leaves.Count];
        for (var i = 0; i < orders.Length; i++)
        {
            orders[i] = From(leaves[i]);
        }

        return orders;
    }

    /// <summary>The auction orders of a sealed book given as its raw leaves.</summary>
    /// <param name="leaves">The book's leaf bytes, each an encoded <see cref="OrderLeaf"/>.</param>
    /// <returns>A new array, one order per leaf.</returns>
    /// <exception cref="LedgerFormatException">A leaf is not a valid order leaf.</exception>
    [Pure]
    public static Order[] FromLeaves(IReadOnlyList<byte[]> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var orders = new Order[leaves.Count];
        for (var i = 0; i < orders.Length; i++)
        {
            orders[i] = From(OrderLeaf.Decode(leaves[i]));
        }

        return orders;
    }

    /// <summary>
    /// The fills to seal for a cleared book: each trade of <paramref name="result"/> with the pseudonyms of the two
    /// orders' owners, in the auction's trade order.
    /// </summary>
    /// <param name="book">The book as it was given to the auction, in the same order.</param>
    /// <param name="result">The auction's successful result for that book.</param>
    /// <returns>A new array, one fill per trade.</returns>
    [Pure]
    public static TradeFill[] Fills(IReadOnlyList<OrderLeaf> book, ClearingResult result)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(result);
        var fills = new TradeFill[result.Trades.Length];
        for (var i = 0; i < fills.Length; i++)
        {
            var t = result.Trades[i];
            fills[i] = new TradeFill(book[t.BuyIndex].Owner, book[t.SellIndex].Owner, t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price);
        }

        return fills;
    }

    /// <summary>The auction's side for the ledger's side (both are Buy = 1, Sell = 2).</summary>
    [Pure]
    public static Side ToSide(Ledger.OrderSide side) => side switch
    {
        Ledger.OrderSide.Buy => Side.Buy,
        Ledger.OrderSide.Sell => Side.Sell,
        _ => throw new ArgumentOutOfRangeException(nameof(side), side, "An order is a bid or an offer."),
    };
}
