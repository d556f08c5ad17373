namespace Market.Web.Clearing;

/// <summary>What open pages hear when an interval has cleared.</summary>
public sealed record IntervalCleared(long IntervalStart, long? Price, long VolumeWh, int TradeCount, long ClearingBlockHeight);

/// <summary>
/// Singleton notifier: the clearing job raises it after its transaction commits; pages subscribe and refresh
/// through <c>InvokeAsync</c>. It carries no per-user state.
/// </summary>
public sealed class MarketEvents
{
    public event Action<IntervalCleared>? IntervalCleared;

    public void RaiseIntervalCleared(IntervalCleared e) => IntervalCleared?.Invoke(e);
}
