using System.Collections.Immutable;

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
/// Singleton notifier: clearing raises its events after its transaction commits; pages subscribe and refresh through
/// <c>InvokeAsync</c>. It carries no per-user state.
/// </summary>
public sealed class MarketEvents(ILogger<MarketEvents> logger)
{
    /// <summary>An interval was cleared and sealed.</summary>
    public Notifier<IntervalCleared> IntervalCleared { get; } = new(logger);
}

/// <summary>
/// One kind of event and who listens to it. A subscription ends when it is disposed (a page's <c>Dispose</c>). Raising
/// never waits for a listener and never fails: a listener that throws, at once or later, is logged and the others,
/// and the clearing that raised the event, carry on.
/// </summary>
public sealed partial class Notifier<T>(ILogger logger)
{
    private readonly Lock _lock = new();
    private ImmutableArray<Func<T, Task>> _listeners = [];

    /// <summary>Listens until the returned subscription is disposed.</summary>
    public IDisposable Subscribe(Func<T, Task> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            _listeners = _listeners.Add(listener);
        }

        return new Subscription(this, listener);
    }

    /// <summary>How many listen now.</summary>
    public int Count => _listeners.Length;

    /// <summary>Tells every listener; returns at once.</summary>
    public void Raise(T value)
    {
        foreach (var listener in _listeners)
        {
            Task running;
            try
            {
                running = listener(value);
            }
            catch (Exception e)
            {
                LogListenerFailed(logger, typeof(T).Name, e);
                continue;
            }

            if (!running.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(running);
            }
        }
    }

    private async Task ObserveAsync(Task running)
    {
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogListenerFailed(logger, typeof(T).Name, e);
        }
    }

    private void Unsubscribe(Func<T, Task> listener)
    {
        lock (_lock)
        {
            _listeners = _listeners.Remove(listener);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A listener of {Event} failed; the others and the market carry on")]
    private static partial void LogListenerFailed(ILogger logger, string @event, Exception exception);

    private sealed class Subscription(Notifier<T> owner, Func<T, Task> listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(listener);
            }
        }
    }
}
