using System.Diagnostics.Metrics;

namespace Market.Web.Observability;

/// <summary>
/// The market's own instruments, published through OpenTelemetry (meter <see cref="MeterName"/>): orders accepted
/// and rejected, intervals cleared, trades settled, and how long clearing and sealing take.
/// </summary>
public sealed class MarketMetrics
{
    /// <summary>The name of the meter every instrument here belongs to.</summary>
    public const string MeterName = "Market";

    private readonly Counter<long> _ordersAccepted;
    private readonly Counter<long> _ordersRejected;
    private readonly Counter<long> _intervalsCleared;
    private readonly Counter<long> _tradesSettled;
    private readonly Histogram<double> _clearingDuration;
    private readonly Histogram<double> _sealingDuration;

    public MarketMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _ordersAccepted = meter.CreateCounter<long>("market.orders.accepted", "{order}", "Orders validated and durably stored.");
        _ordersRejected = meter.CreateCounter<long>("market.orders.rejected", "{order}", "Orders refused by validation, by the field at fault.");
        _intervalsCleared = meter.CreateCounter<long>("market.intervals.cleared", "{interval}", "Intervals cleared and sealed into the ledger.");
        _tradesSettled = meter.CreateCounter<long>("market.trades.settled", "{trade}", "Trades sealed and settled.");
        _clearingDuration = meter.CreateHistogram<double>("market.clearing.duration", "s", "Time to clear one interval end to end: read the book, auction, seal, settle, commit.");
        _sealingDuration = meter.CreateHistogram<double>("market.sealing.duration", "s", "Time to seal one interval's order-book and clearing blocks (hashing, Merkle trees, signatures).");
    }

    /// <summary>Counts orders stored; <paramref name="source"/> is api, web, standing or agent.</summary>
    public void OrdersAccepted(long count, string source)
    {
        if (count > 0)
        {
            _ordersAccepted.Add(count, new KeyValuePair<string, object?>("source", source));
        }
    }

    /// <summary>Counts one order refused by validation, tagged with the field at fault.</summary>
    public void OrderRejected(string field) => _ordersRejected.Add(1, new KeyValuePair<string, object?>("field", field));

    /// <summary>Records one cleared interval: its trades and how long clearing and sealing took.</summary>
    public void IntervalCleared(int trades, TimeSpan clearing, TimeSpan sealing)
    {
        _intervalsCleared.Add(1);
        _tradesSettled.Add(trades);
        _clearingDuration.Record(clearing.TotalSeconds);
        _sealingDuration.Record(sealing.TotalSeconds);
    }
}
