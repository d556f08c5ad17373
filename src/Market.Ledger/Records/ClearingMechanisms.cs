namespace Market.Ledger;

/// <summary>Known values of the clearing mechanism byte (header and rules record).</summary>
public static class ClearingMechanisms
{
    /// <summary>Uniform-price double auction: bids by price descending, offers ascending, time priority by sequence.</summary>
    public const byte UniformPriceDoubleAuction = 1;

    /// <summary>Pay-as-bid double auction: the same fills as <see cref="UniformPriceDoubleAuction"/>, each trade at its bid's limit.</summary>
    public const byte PayAsBidDoubleAuction = 2;

    /// <summary>
    /// Zonal auction under the grid's limits (clearing rules version 2, docs/clearing.md): the network and the
    /// interval's limits are sealed before the book, and the clearing block records each node's zone price and flow.
    /// </summary>
    public const byte GridZonalAuction = 3;
}
