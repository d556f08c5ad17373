namespace Market.Matching;

/// <summary>The side of an order in the double auction.</summary>
public enum Side : byte
{
    /// <summary>A bid: the order buys energy and pays at most its limit price.</summary>
    Buy = 1,

    /// <summary>An offer: the order sells energy and receives at least its limit price.</summary>
    Sell = 2,
}
