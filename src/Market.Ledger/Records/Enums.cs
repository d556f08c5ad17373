namespace Market.Ledger;

/// <summary>The kind of a block (header byte 2).</summary>
public enum BlockKind : byte
{
    /// <summary>Introduces or retires signing keys; height 0 is the genesis key event.</summary>
    KeyEvent = 1,

    /// <summary>The canonical orders of one interval at gate closure, in sequence order.</summary>
    OrderBook = 2,

    /// <summary>The trades of one interval in clearing order; names its order-book block.</summary>
    Clearing = 3,

    /// <summary>One rules record: interval length, gate closure, price bounds, mechanism.</summary>
    Rules = 4,

    /// <summary>One version of one interval's imbalance reconciliation after delivery; names its clearing block.</summary>
    Reconciliation = 5,
}

/// <summary>The side of an order.</summary>
public enum OrderSide : byte
{
    /// <summary>A bid: the owner buys energy.</summary>
    Buy = 1,

    /// <summary>An offer: the owner sells energy.</summary>
    Sell = 2,
}

/// <summary>What a key record does to a signing key.</summary>
public enum KeyAction : byte
{
    /// <summary>The key becomes the valid signing key from the next block on.</summary>
    Introduce = 1,

    /// <summary>The key is no longer valid from the next block on and may never sign again.</summary>
    Retire = 2,
}

/// <summary>Known values of the clearing mechanism byte (header and rules record).</summary>
public static class ClearingMechanisms
{
    /// <summary>Uniform-price double auction: bids by price descending, offers ascending, time priority by sequence.</summary>
    public const byte UniformPriceDoubleAuction = 1;
}
