using System.Globalization;
using Market.Web.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Market.Web.Tests.Clearing;

public sealed class MarketEventsTests
{
    private static readonly IntervalCleared Cleared = new(1_800_000_000, 2000, 1000, 1, 5);

    [Fact]
    public void Raise_ListenerThrowsAtOnce_OthersStillHearItAndTheFailureIsLogged()
    {
        var log = new ListLogger();
        var events = new MarketEvents(log);
        var heard = 0;
        using var failing = events.IntervalCleared.Subscribe(_ => throw new InvalidOperationException("page broke"));
        using var listening = events.IntervalCleared.Subscribe(_ =>
        {
            heard++;
            return Task.CompletedTask;
        });

        events.IntervalCleared.Raise(Cleared);

        heard.ShouldBe(1);
        log.Errors.ShouldContain(e => e.Contains("page broke", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Raise_ListenerFailsLater_TheFailureIsLoggedAndRaiseDidNotWait()
    {
        var log = new ListLogger();
        var events = new MarketEvents(log);
        var release = new TaskCompletionSource();
        using var slow = events.IntervalCleared.Subscribe(async _ =>
        {
            await release.Task;
            throw new InvalidOperationException("circuit gone");
        });

        events.IntervalCleared.Raise(Cleared);
        log.Errors.ShouldBeEmpty();
        release.SetResult();

        (await log.WaitForErrorAsync()).ShouldBeTrue();
        log.Errors.ShouldContain(e => e.Contains("circuit gone", StringComparison.Ordinal));
    }

    [Fact]
    public void Raise_FromAnotherCulture_ListenerHearsInItsOwnAndTheRaiserKeepsIts()
    {
        var events = new MarketEvents(NullLogger<MarketEvents>.Instance);
        string? heardIn = null;
        IDisposable subscription;
        using (CultureScope.In("de-DE"))
        {
            subscription = events.IntervalCleared.Subscribe(_ =>
            {
                heardIn = CultureInfo.CurrentCulture.Name;
                return Task.CompletedTask;
            });
        }

        using var english = CultureScope.In("en");
        using (subscription)
        {
            events.IntervalCleared.Raise(Cleared);
        }

        (heardIn, CultureInfo.CurrentCulture.Name).ShouldBe(("de-DE", "en"));
    }

    [Fact]
    public void Subscribe_Disposed_NoLongerHears()
    {
        var events = new MarketEvents(NullLogger<MarketEvents>.Instance);
        var heard = 0;
        var subscription = events.IntervalCleared.Subscribe(_ =>
        {
            heard++;
            return Task.CompletedTask;
        });

        events.IntervalCleared.Raise(Cleared);
        subscription.Dispose();
        subscription.Dispose();
        events.IntervalCleared.Raise(Cleared);

        heard.ShouldBe(1);
        events.IntervalCleared.Count.ShouldBe(0);
    }

    [Fact]
    public async Task ClearingJob_APageListenerThrows_IntervalIsClearedAndSealed()
    {
        await using var app = new MarketFactory();
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval);
        using var broken = app.Get<MarketEvents>().IntervalCleared.Subscribe(_ => throw new InvalidOperationException("page broke"));

        var cleared = await app.CloseGateAndClearAsync(interval);

        cleared.ShouldBe(1);
        await using var db = app.CreateDb();
        db.Trades.Count(t => t.IntervalStart == interval).ShouldBe(1);
    }

    private sealed class ListLogger : ILogger<MarketEvents>
    {
        private readonly List<string> _errors = [];
        private readonly SemaphoreSlim _logged = new(0);

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public Task<bool> WaitForErrorAsync() => _logged.WaitAsync(TimeSpan.FromSeconds(15));

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                lock (_errors)
                {
                    _errors.Add(formatter(state, exception) + " " + exception?.Message);
                }

                _logged.Release();
            }
        }
    }
}
