using Microsoft.Extensions.Options;

namespace Market.Web.Community;

/// <summary>
/// Interval arithmetic on the community's rules (as sealed in the ledger, <see cref="RulesBook"/>) and the injected
/// clock. Intervals are half-open [start, end) in UTC, aligned to the length of the rules in effect at their start;
/// a change of length applies from a whole hour, which every allowed length divides.
/// </summary>
public sealed class MarketClock(TimeProvider time, IOptions<CommunityOptions> options, RulesBook rulesBook)
{
    private readonly CommunityOptions _rules = options.Value;

    /// <summary>Interval length of the rules in effect now, in seconds.</summary>
    public long IntervalSeconds => rulesBook.At(NowSeconds).IntervalLengthSeconds;

    /// <summary>Gate-closure lead of the rules in effect now, in seconds.</summary>
    public long GateClosureSeconds => rulesBook.At(NowSeconds).GateClosureLeadSeconds;

    /// <summary>The length of the interval starting at <paramref name="start"/>, in seconds.</summary>
    public long LengthOf(long start) => rulesBook.At(start).IntervalLengthSeconds;

    /// <summary>The start of the interval after the one starting at <paramref name="start"/>.</summary>
    public long Next(long start) => checked(start + LengthOf(start));

    public DateTimeOffset Now => time.GetUtcNow();

    public long NowSeconds => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Start of the interval containing <paramref name="unixSeconds"/>.</summary>
    public long AlignDown(long unixSeconds) => unixSeconds - Mod(unixSeconds, rulesBook.At(unixSeconds).IntervalLengthSeconds);

    public bool IsAligned(long unixSeconds) => Mod(unixSeconds, LengthOf(unixSeconds)) == 0;

    /// <summary>The moment orders for an interval stop being accepted (by the rules in effect for it).</summary>
    public long GateClosure(long intervalStart) => intervalStart - rulesBook.At(intervalStart).GateClosureLeadSeconds;

    public bool IsGateOpen(long intervalStart) => NowSeconds < GateClosure(intervalStart);

    /// <summary>The first interval still accepting orders.</summary>
    public long FirstOpenInterval()
    {
        var start = AlignDown(NowSeconds);
        while (!IsGateOpen(start))
        {
            start = Next(start);
        }

        return start;
    }

    /// <summary>The intervals accepting orders now, up to the community's horizon.</summary>
    public IReadOnlyList<long> OpenIntervals()
    {
        var first = FirstOpenInterval();
        var last = NowSeconds + (_rules.HorizonHours * 3600L);
        var list = new List<long>();
        for (var s = first; s < last; s = Next(s))
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
        var b = ToLocal(Next(start));
        return $"{a:ddd d MMM, HH:mm}–{b:HH:mm}";
    }

    private static long Mod(long a, long m) => ((a % m) + m) % m;
}
