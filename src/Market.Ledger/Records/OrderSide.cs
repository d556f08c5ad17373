namespace Market.Ledger;

/// <summary>The side of an order.</summary>
public enum OrderSide : byte
{
    /// <summary>A bid: the owner buys energy.</summary>
    Buy = 1,

    /// <summary>An offer: the owner sells energy.</summary>
    Sell = 2,
}
