using Market.Ledger;
using NetworkNodeKind = Market.Ledger.NetworkNodeKind;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Dashboard;

/// <summary>One feeder's or transformer's line in one interval cleared under the grid's mechanism.</summary>
/// <param name="IntervalStart">Unix seconds UTC.</param>
/// <param name="IntervalSeconds">The interval's length.</param>
/// <param name="FlowWh">Net energy the line carried up to its parent (negative: down), Wh.</param>
/// <param name="ExportLimitWh">The most it could carry up in the interval, Wh; null when unlimited.</param>
/// <param name="ImportLimitWh">The most it could carry down, Wh; null when unlimited.</param>
/// <param name="State">Whether a limit bound the clearing.</param>
/// <param name="ZonePrice">The price of the zone below the line, 1/10,000 currency per kWh.</param>
/// <param name="CommunityPrice">The community's price in the interval (the root zone's), same unit.</param>
/// <param name="FromEnvelope">Whether the limits came from the network operator for this interval.</param>
/// <param name="EventId">The network operator's event id, if any.</param>
public sealed record LineInterval(
    long IntervalStart, long IntervalSeconds, long FlowWh, long? ExportLimitWh, long? ImportLimitWh, LineState State, long ZonePrice, long? CommunityPrice,
    bool FromEnvelope, string? EventId)
{
    /// <summary>The limit in the flow's direction (export up, import down), Wh; null when that direction is unlimited.</summary>
    public long? LimitWh => FlowWh >= 0 ? ExportLimitWh : ImportLimitWh;

    /// <summary>
    /// Congested: a limit bound the clearing (the zones' prices split), or the line carried all its limit allowed
    /// in the flow's direction.
    /// </summary>
    public bool Congested => State != LineState.Free || (FlowWh != 0 && LimitWh is long limit && Math.Abs(FlowWh) >= limit);

    /// <summary>Share of the limit in the flow's direction used, per-mille; null when unlimited, 1000 for a zero limit.</summary>
    public int? UsedPermille => LimitWh switch
    {
        null => null,
        0 => 1000,
        long limit => (int)Math.Min(1000, Math.Abs(FlowWh) * 1000 / limit),
    };

    /// <summary>Average power of the flow over the interval, W (up positive).</summary>
    public long FlowW => Watts(FlowWh);

    /// <summary>A limit in Wh as the average power over the interval, W.</summary>
    public long Watts(long wh) => IntervalSeconds <= 0 ? 0 : checked(wh * 3600) / IntervalSeconds;
}

/// <summary>A run of consecutive congested intervals of one line in one direction.</summary>
/// <param name="From">Start of the first interval, Unix seconds UTC.</param>
/// <param name="To">End of the last interval (exclusive).</param>
/// <param name="Export">True when energy could not get out (up) of the line's area, false when it could not get in.</param>
/// <param name="LimitW">The highest limit in force in the run, W.</param>
/// <param name="MinZonePrice">The lowest zone price in the run, 1/10,000 currency per kWh.</param>
/// <param name="MaxZonePrice">The highest.</param>
/// <param name="MinCommunityPrice">The lowest community price in the run; null when none had one.</param>
/// <param name="MaxCommunityPrice">The highest.</param>
/// <param name="EventIds">The network operator's event ids of the run's limits, if any.</param>
public sealed record CongestedPeriod(long From, long To, bool Export, long? LimitW, long MinZonePrice, long MaxZonePrice, long? MinCommunityPrice, long? MaxCommunityPrice, IReadOnlyList<string> EventIds)
{
    /// <summary>Intervals in the run.</summary>
    public int Intervals { get; init; }
}

/// <summary>One feeder's or transformer's day.</summary>
/// <param name="NodeId">The network's id of the node ("F1").</param>
/// <param name="Kind">Feeder or transformer.</param>
/// <param name="ParentId">The id of the node above it.</param>
/// <param name="Intervals">Its intervals, oldest first.</param>
/// <param name="Periods">Its congested runs, oldest first.</param>
public sealed record CongestionLine(string NodeId, NetworkNodeKind Kind, string ParentId, IReadOnlyList<LineInterval> Intervals, IReadOnlyList<CongestedPeriod> Periods)
{
    /// <summary>How many of its intervals were congested.</summary>
    public int CongestedIntervals => Intervals.Count(i => i.Congested);

    /// <summary>How long it was congested, seconds.</summary>
    public long CongestedSeconds => Intervals.Where(i => i.Congested).Sum(i => i.IntervalSeconds);
}

/// <summary>The grid's day as a manager sees it: each feeder and transformer against its limits, and what the network operator collected.</summary>
/// <param name="From">The day's start, Unix seconds UTC.</param>
/// <param name="To">Its end (exclusive).</param>
/// <param name="GridIntervals">Intervals of the day cleared under the grid's mechanism.</param>
/// <param name="CongestedIntervals">Of those, the intervals in which any feeder or transformer was congested.</param>
/// <param name="Lines">Feeders and transformers, in the network's order.</param>
/// <param name="NetworkOperatorAmount">What the network operator received: what buyers paid less what sellers received, 1/10,000 currency.</param>
/// <param name="FeeAmount">Of that, the network fees (each trade's fee price times its energy).</param>
/// <param name="TradedWh">Energy traded in those intervals, Wh.</param>
public sealed record CongestionDay(long From, long To, int GridIntervals, int CongestedIntervals, IReadOnlyList<CongestionLine> Lines, long NetworkOperatorAmount, long FeeAmount, long TradedWh)
{
    /// <summary>The congestion rent: what the operator received beyond the fees, where full lines split the zones' prices.</summary>
    public long RentAmount => NetworkOperatorAmount - FeeAmount;
}

/// <summary>Reads a day of grid clearings for the managers' congestion view (from the clearing's stored node results and trades).</summary>
public sealed class CongestionService(IDbContextFactory<MarketDbContext> dbFactory)
{
    /// <summary>The intervals starting in <c>[from, to)</c> that cleared under the grid's mechanism.</summary>
    public async Task<CongestionDay> DayAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var intervals = await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= from && c.IntervalStart < to && c.NetworkHeight != null)
            .Select(c => new { c.IntervalStart, c.IntervalEnd, c.Price })
            .ToDictionaryAsync(c => c.IntervalStart, cancellationToken);
        var rows = await db.GridNodeResults.AsNoTracking()
            .Where(n => n.IntervalStart >= from && n.IntervalStart < to && n.Kind != (byte)NetworkNodeKind.Connection)
            .ToListAsync(cancellationToken);
        var byInterval = rows.GroupBy(r => r.IntervalStart).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.Node));

        var lines = new List<CongestionLine>();
        foreach (var line in rows.Where(r => r.Kind is (byte)NetworkNodeKind.Feeder or (byte)NetworkNodeKind.Transformer && intervals.ContainsKey(r.IntervalStart))
                     .GroupBy(r => r.NodeId)
                     .OrderBy(g => g.Min(r => r.Node)))
        {
            var points = line.OrderBy(r => r.IntervalStart).Select(r =>
            {
                var interval = intervals[r.IntervalStart];
                // The community's price: the interval's, or its root zone's when nothing traded.
                var community = interval.Price ?? byInterval[r.IntervalStart].Values.FirstOrDefault(n => n.Kind == (byte)NetworkNodeKind.Community)?.ZonePrice;
                return new LineInterval(r.IntervalStart, interval.IntervalEnd - interval.IntervalStart, r.FlowWh, r.ExportLimitWh, r.ImportLimitWh, r.State, r.ZonePrice,
                    community, r.FromEnvelope, r.EventId);
            }).ToList();
            var last = line.MaxBy(r => r.IntervalStart)!;
            var parent = byInterval[last.IntervalStart].TryGetValue(last.Parent, out var p) ? p.NodeId : "";
            lines.Add(new CongestionLine(line.Key, (NetworkNodeKind)last.Kind, parent, points, Periods(points)));
        }

        var congested = lines.SelectMany(l => l.Intervals.Where(i => i.Congested).Select(i => i.IntervalStart)).Distinct().Count();
        var trades = await db.Trades.AsNoTracking()
            .Where(t => t.IntervalStart >= from && t.IntervalStart < to && t.MeetNode != null)
            .Select(t => new { t.EnergyWh, t.Amount, t.SellAmount, t.FeePrice })
            .ToListAsync(cancellationToken);
        long total = 0, fees = 0, energy = 0;
        foreach (var t in trades)
        {
            var share = t.Amount - t.SellAmount;
            total = checked(total + share);
            // The fee part of the share, rounded as every amount is; never more than the share (the rest is rent).
            fees = checked(fees + Math.Min(share, Money.Amount(t.EnergyWh, t.FeePrice)));
            energy = checked(energy + t.EnergyWh);
        }

        return new CongestionDay(from, to, intervals.Count, congested, lines, total, fees, energy);
    }

    /// <summary>Consecutive congested intervals in one direction, merged.</summary>
    private static List<CongestedPeriod> Periods(List<LineInterval> points)
    {
        var periods = new List<CongestedPeriod>();
        List<LineInterval>? run = null;
        foreach (var p in points)
        {
            var export = Direction(p);
            if (p.Congested && run is not null && run[^1].IntervalStart + run[^1].IntervalSeconds == p.IntervalStart && Direction(run[^1]) == export)
            {
                run.Add(p);
                continue;
            }

            Close();
            run = p.Congested ? [p] : null;
        }

        Close();
        return periods;

        void Close()
        {
            if (run is null)
            {
                return;
            }

            var export = Direction(run[0]);
            var limits = run.Select(i => export ? i.ExportLimitWh : i.ImportLimitWh).Where(l => l is not null).Select(l => run[0].Watts(l!.Value)).ToList();
            var community = run.Where(i => i.CommunityPrice is not null).Select(i => i.CommunityPrice!.Value).ToList();
            periods.Add(new CongestedPeriod(run[0].IntervalStart, run[^1].IntervalStart + run[^1].IntervalSeconds, export, limits.Count == 0 ? null : limits.Max(),
                run.Min(i => i.ZonePrice), run.Max(i => i.ZonePrice), community.Count == 0 ? null : community.Min(), community.Count == 0 ? null : community.Max(),
                run.Where(i => !string.IsNullOrEmpty(i.EventId)).Select(i => i.EventId!).Distinct().ToList())
            {
                Intervals = run.Count,
            });
            run = null;
        }
    }

    /// <summary>Whether a congested interval was held at its export (up) limit rather than its import (down) limit.</summary>
    private static bool Direction(LineInterval i) => i.State switch
    {
        LineState.ExportBinding => true,
        LineState.ImportBinding => false,
        _ => i.FlowWh > 0,
    };
}
