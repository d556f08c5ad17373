namespace Market.Ledger;

/// <summary>Known values of the clearing mechanism byte (header and rules record).</summary>
public static class ClearingMechanisms
{
    /// <summary>Uniform-price double auction: bids by price descending, offers ascending, time priority by sequence.</summary>
    public const byte UniformPriceDoubleAuction = 1;
}
