namespace Market.Matching;

/// <summary>Why a book was rejected instead of cleared.</summary>
public enum RejectionCode : byte
{
    /// <summary>The order's id is already used by an earlier order of the book.</summary>
    DuplicateId = 1,

    /// <summary>The order's energy is zero or negative.</summary>
    EnergyNotPositive = 2,

    /// <summary>The order's limit price is negative.</summary>
    NegativePrice = 3,

    /// <summary>The order's side is neither <see cref="Side.Buy"/> nor <see cref="Side.Sell"/>.</summary>
    UnknownSide = 4,

    /// <summary>The total energy of the order's side, up to and including this order, exceeds <see cref="long.MaxValue"/> Wh.</summary>
    TotalEnergyOverflow = 5,

    /// <summary>Clearing under the grid's limits only: the order's limit price is above <c>GridAuction.MaxPrice</c>.</summary>
    PriceTooHigh = 6,

    /// <summary>Clearing under the grid's limits only: the order's node is not a node of the network.</summary>
    UnknownNode = 7,
}
