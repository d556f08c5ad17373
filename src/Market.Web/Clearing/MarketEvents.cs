using System.Collections.Immutable;
using System.Globalization;

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
/// and the clearing that raised the event, carry on. A listener hears in the culture it subscribed in (its page's
/// circuit), not the clearing job's, so what a page renders on an event shows numbers as the household reads them.
/// </summary>
public sealed partial class Notifier<T>(ILogger logger)
{
    private readonly Lock _lock = new();
    private ImmutableArray<Listener> _listeners = [];

    /// <summary>Listens until the returned subscription is disposed.</summary>
    public IDisposable Subscribe(Func<T, Task> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var subscribed = new Listener(listener, CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        lock (_lock)
        {
            _listeners = _listeners.Add(subscribed);
        }

        return new Subscription(this, subscribed);
    }

    /// <summary>How many listen now.</summary>
    public int Count => _listeners.Length;

    /// <summary>Tells every listener; returns at once.</summary>
    public void Raise(T value)
    {
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        foreach (var listener in _listeners)
        {
            Task running;
            try
            {
                // What the listener starts (a page's InvokeAsync) captures the culture and keeps it.
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (listener.Culture, listener.UiCulture);
                running = listener.Hear(value);
            }
            catch (Exception e)
            {
                LogListenerFailed(logger, typeof(T).Name, e);
                continue;
            }
            finally
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
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

    private void Unsubscribe(Listener listener)
    {
        lock (_lock)
        {
            _listeners = _listeners.Remove(listener);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A listener of {Event} failed; the others and the market carry on")]
    private static partial void LogListenerFailed(ILogger logger, string @event, Exception exception);

    private sealed record Listener(Func<T, Task> Hear, CultureInfo Culture, CultureInfo UiCulture);

    private sealed class Subscription(Notifier<T> owner, Listener listener) : IDisposable
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
