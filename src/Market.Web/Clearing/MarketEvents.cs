namespace Market.Web.Clearing;

/// <summary>What open pages hear when an interval has cleared.</summary>
public sealed record IntervalCleared(long IntervalStart, long? Price, long VolumeWh, int TradeCount, long ClearingBlockHeight, ClearingTimings? Timings = null);

/// <summary>
/// How long each phase of clearing one interval took: reading the open orders (and pseudonyms and the chain tip),
/// sealing the order-book block, the double auction, sealing the clearing block (with settlement), writing every row,
/// and the commit.
/// </summary>
public sealed record ClearingTimings(TimeSpan Load, TimeSpan SealOrderBook, TimeSpan Auction, TimeSpan SealClearing, TimeSpan Write, TimeSpan Commit)
{
    public TimeSpan Total => Load + SealOrderBook + Auction + SealClearing + Write + Commit;
}

/// <summary>
/// Singleton notifier: the clearing job raises it after its transaction commits; pages subscribe and refresh
/// through <c>InvokeAsync</c>. It carries no per-user state.
/// </summary>
public sealed class MarketEvents
{
    public event Action<IntervalCleared>? IntervalCleared;

    public void RaiseIntervalCleared(IntervalCleared e) => IntervalCleared?.Invoke(e);
}
