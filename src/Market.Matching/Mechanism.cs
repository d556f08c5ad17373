namespace Market.Matching;

/// <summary>How the price of each trade is set once the walk has matched bids and offers.</summary>
/// <remarks>The mechanism never changes which orders trade or how much: only the trade prices.</remarks>
public enum Mechanism : byte
{
    /// <summary>
    /// Every trade is at one price, <c>floor((low + high) / 2)</c> of the clearing range (rule 3); the default.
    /// </summary>
    UniformPrice = 1,

    /// <summary>Every trade is at its bid's limit price; there is no uniform price.</summary>
    PayAsBid = 2,

    /// <summary>
    /// Each side trades at its zone's price under the grid's limits and fees (rules version 2, docs/clearing.md);
    /// cleared by <see cref="Grid.GridAuction"/>, never by <see cref="DoubleAuction"/>, which refuses it.
    /// </summary>
    GridZonal = 3,
}
