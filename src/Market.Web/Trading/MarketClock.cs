using Microsoft.Extensions.Options;

namespace Market.Web.Trading;

/// <summary>Interval arithmetic on the community's rules and the injected clock. Intervals are half-open [start, end) in UTC.</summary>
public sealed class MarketClock(TimeProvider time, IOptions<CommunityOptions> options)
{
    private readonly CommunityOptions _rules = options.Value;

    public long IntervalSeconds => _rules.IntervalSeconds;

    public long GateClosureSeconds => _rules.GateClosureSeconds;

    public DateTimeOffset Now => time.GetUtcNow();

    public long NowSeconds => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Start of the interval containing <paramref name="unixSeconds"/>.</summary>
    public long AlignDown(long unixSeconds) => unixSeconds - Mod(unixSeconds, IntervalSeconds);

    public bool IsAligned(long unixSeconds) => Mod(unixSeconds, IntervalSeconds) == 0;

    /// <summary>The moment orders for an interval stop being accepted.</summary>
    public long GateClosure(long intervalStart) => intervalStart - GateClosureSeconds;

    public bool IsGateOpen(long intervalStart) => NowSeconds < GateClosure(intervalStart);

    /// <summary>The first interval still accepting orders.</summary>
    public long FirstOpenInterval()
    {
        var start = AlignDown(NowSeconds);
        while (!IsGateOpen(start))
        {
            start += IntervalSeconds;
        }

        return start;
    }

    /// <summary>The intervals accepting orders now, up to the community's horizon.</summary>
    public IReadOnlyList<long> OpenIntervals()
    {
        var first = FirstOpenInterval();
        var last = NowSeconds + (_rules.HorizonHours * 3600L);
        var list = new List<long>();
        for (var s = first; s < last; s += IntervalSeconds)
        {
            list.Add(s);
        }

        return list;
    }

    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(_rules.TimeZone);

    public DateTimeOffset ToLocal(long unixSeconds) => TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), TimeZone);

    /// <summary>"Tue 24 Nov, 14:15–14:30" in the community's time zone.</summary>
    public string FormatInterval(long start)
    {
        var a = ToLocal(start);
        var b = ToLocal(start + IntervalSeconds);
        return $"{a:ddd d MMM, HH:mm}–{b:HH:mm}";
    }

    private static long Mod(long a, long m) => ((a % m) + m) % m;
}
