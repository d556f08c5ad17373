namespace Market.Matching;

/// <summary>Why an order received what it received.</summary>
public enum FillReason : byte
{
    /// <summary>The order was filled completely.</summary>
    Filled = 1,

    /// <summary>
    /// The order was the marginal one where the walk stopped: it received some energy, but less than it asked for.
    /// </summary>
    MarginalPartialFill = 2,

    /// <summary>
    /// The order received nothing because its limit is on the wrong side of the clearing price: a bid below it, an
    /// offer above it. When nothing traded although both sides had orders, the book did not cross and every order
    /// gets this reason.
    /// </summary>
    PriceOnWrongSide = 3,

    /// <summary>
    /// The order received nothing although its limit would accept the clearing price: the other side's energy at
    /// acceptable prices was taken by orders ahead of it in price-time priority, or the other side had no orders.
    /// </summary>
    OtherSideExhausted = 4,

    /// <summary>
    /// Clearing under the grid's limits only: the order received less than it asked for although its limit would
    /// have accepted the community's price (the root zone's): a limit of a line between its connection and the root
    /// binds in its direction, so its zone's price differs (see <c>GridClearingResult.LimitingNode</c>).
    /// </summary>
    NetworkLimit = 5,
}
