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

    /// <summary>Household records (keys, mandates, cancellations), each signed by its household; sealed before the
    /// order books they matter to.</summary>
    Household = 6,

    /// <summary>The witness policy in force from this block on: one leaf, the UTF-8 text of a C2SP tlog-policy with
    /// exactly one log (its Ed25519 note key, whose name is the ledger's origin) and the witnesses that cosign its
    /// checkpoints (docs/ledger-format.md, witnessing).</summary>
    WitnessPolicy = 7,

    /// <summary>The community's network tree (one leaf per node, leaf i is node i): in force for every order book
    /// after it until the next network block.</summary>
    Network = 8,

    /// <summary>The grid's limits for one mechanism-3 interval, sealed before its order book: one leaf per node whose
    /// limits differ from its static capacities; names the network block in force.</summary>
    GridLimits = 9,
}
