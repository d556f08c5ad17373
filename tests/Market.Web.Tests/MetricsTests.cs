using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Market.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests;

/// <summary>The market's own instruments report what happened: orders accepted and rejected, intervals cleared, durations.</summary>
[Trait("Database", "Independent")]
public sealed class MetricsTests
{
    [Fact]
    public async Task Instruments_OrdersThroughTheApiAndAClearing_CountedAndTimed()
    {
        await using var app = new MarketFactory();
        using var recorded = Record(app);
        using var anna = await ApiClient.ForAsync(app, "anna@demo.energy");
        using var ben = await ApiClient.ForAsync(app, "ben@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();

        (await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, interval))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ben.PostOrderAsync(ApiClient.Order("buy", 800, 2000, interval))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ben.PostOrderAsync(ApiClient.Order("buy", 800, 99_999, interval))).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        await app.CloseGateAndClearAsync(interval);

        recorded.Sum("market.orders.accepted").ShouldBe(2);
        recorded.Sum("market.orders.rejected").ShouldBe(1);
        recorded.Tags("market.orders.rejected").ShouldContain("field=limitPrice");
        recorded.Sum("market.intervals.cleared").ShouldBeGreaterThanOrEqualTo(1);
        recorded.Sum("market.trades.settled").ShouldBe(1);
        recorded.Count("market.clearing.duration").ShouldBeGreaterThanOrEqualTo(1);
        recorded.Count("market.sealing.duration").ShouldBeGreaterThanOrEqualTo(1);
        recorded.Max("market.clearing.duration").ShouldBeGreaterThanOrEqualTo(recorded.Max("market.sealing.duration"));
    }

    [Fact]
    public async Task MetricsEndpoint_OperatorToken_PrometheusTextWithTheMarketsInstruments()
    {
        await using var app = new MarketFactory();
        await app.CloseGateAndClearAsync(app.Get<MarketClock>().FirstOpenInterval());
        using var client = await ApiClient.ForAsync(app, "operator@demo.energy");

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        text.ShouldContain("market_intervals_cleared");
        text.ShouldContain("market_clearing_duration");
    }

    private static Recording Record(MarketFactory app)
    {
        var scope = app.Services.GetRequiredService<IMeterFactory>();
        return new Recording(scope);
    }

    private sealed class Recording : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, double Value, string Tags)> _values = new();

        public Recording(IMeterFactory scope)
        {
            // Only this app's meter: tests run side by side, each app with its own meter factory.
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MarketMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _values.Enqueue((i.Name, v, Join(tags))));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _values.Enqueue((i.Name, v, Join(tags))));
            _listener.Start();
        }

        public double Sum(string name) => _values.Where(v => v.Name == name).Sum(v => v.Value);

        public int Count(string name) => _values.Count(v => v.Name == name);

        public double Max(string name) => _values.Where(v => v.Name == name).Max(v => v.Value);

        public List<string> Tags(string name) => _values.Where(v => v.Name == name).Select(v => v.Tags).ToList();

        public void Dispose() => _listener.Dispose();

        private static string Join(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var parts = new List<string>();
            foreach (var t in tags)
            {
                parts.Add($"{t.Key}={t.Value}");
            }

            return string.Join(',', parts);
        }
    }
}
