using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Demo;

/// <summary>
/// The simulated network operator (login <see cref="Email"/>): on sunny middays the PV-heavy feeder's voltage would
/// rise too far, so the operator lowers that feeder's export capacity and caps the export of its largest PV systems
/// with dynamic operating envelopes; otherwise it sends nothing and the network's static limits apply. It sends, like
/// a real one, through <see cref="GridStore.ImportEnvelopesAsync"/> (source <c>json</c>), a day ahead and never for an
/// interval whose gate has closed. Its forecast is the demo's own profiles (no forecast error), so the same interval
/// always gets the same envelopes.
/// </summary>
public sealed partial class DemoNetworkOperator(
    IDbContextFactory<MarketDbContext> dbFactory,
    DemoCommunity community,
    ILogger<DemoNetworkOperator> logger)
{
    /// <summary>The network operator's demo login; its uploads are recorded as received from it.</summary>
    public const string Email = "dso@demo.energy";

    /// <summary>
    /// An interval is sunny when the PV-heavy feeder's households are forecast to produce at least this share of
    /// their PV peak, in permille: on a clear day from late morning to early afternoon in winter, most of the
    /// day's middle in summer.
    /// </summary>
    public const int SunnyPermille = 450;

    /// <summary>What the PV-heavy feeder may export during an event, in watts.</summary>
    public const long FeederExportLimitW = 2_000;

    /// <summary>The export envelope of each of the feeder's largest PV systems during an event, in watts.</summary>
    public const long ConnectionExportLimitW = 1_500;

    /// <summary>A connection whose household's PV peak is at least this many watts gets an export envelope.</summary>
    public const long LargePvPeakW = 5_000;

    /// <summary>
    /// Envelopes are sent only for intervals whose gate closes more than this many seconds from now, so an upload
    /// never races a gate closure (<see cref="DemoAgents.MarginSeconds"/>).
    /// </summary>
    public const int MarginSeconds = DemoAgents.MarginSeconds;

    /// <summary>The event id of a day's midday event, by the community's local date: <c>DOE-2026-12-04-noon</c>.</summary>
    public static string EventId(DateTime localDate) =>
        string.Create(CultureInfo.InvariantCulture, $"DOE-{localDate:yyyy-MM-dd}-noon");

    /// <summary>
    /// Whether the PV-heavy feeder's households are forecast to produce at least <see cref="SunnyPermille"/> of
    /// their PV peak in the interval.
    /// </summary>
    /// <param name="feeder">The demo households on the PV-heavy feeder.</param>
    /// <param name="intervalStart">The interval's start, Unix seconds.</param>
    /// <param name="intervalSeconds">Its length.</param>
    public bool IsSunny(IReadOnlyList<AgentProfile> feeder, long intervalStart, long intervalSeconds)
    {
        ArgumentNullException.ThrowIfNull(feeder);
        var local = community.LocalTime(intervalStart);
        var pvWh = feeder.Sum(h => h.Energy(local, intervalSeconds).PvWh);
        var peakWh = feeder.Sum(h => h.PvPeakW) * intervalSeconds / 3600;
        return peakWh > 0 && pvWh * 1000 >= peakWh * SunnyPermille;
    }

    /// <summary>
    /// The envelopes for the given intervals under <paramref name="network"/>: for each sunny one, the PV-heavy
    /// feeder's export limit and the export envelopes of its largest PV connections, a day's consecutive sunny
    /// intervals in one window per node with the day's event id. Empty when the network has no PV-heavy feeder.
    /// </summary>
    /// <param name="network">The network in force.</param>
    /// <param name="households">The demo households by meter id.</param>
    /// <param name="intervals">Interval starts, ascending, each <paramref name="intervalSeconds"/> long.</param>
    /// <param name="intervalSeconds">The interval length.</param>
    public IReadOnlyList<Envelope> Plan(NetworkDefinition network, IReadOnlyDictionary<string, AgentProfile> households, IReadOnlyList<long> intervals, long intervalSeconds)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(households);
        ArgumentNullException.ThrowIfNull(intervals);
        if (!network.TryGetIndex(DemoNetwork.PvFeederId, out var feederIndex) || network.Nodes[feederIndex].Kind != NetworkNodeKind.Feeder)
        {
            return [];
        }

        var connections = network.Nodes
            .Where((n, i) => n.Kind == NetworkNodeKind.Connection && network.ParentIndex(i) == feederIndex && households.ContainsKey(n.MeterId!))
            .Select(n => (n.Id, Profile: households[n.MeterId!]))
            .ToList();
        var feeder = connections.Select(c => c.Profile).ToList();
        var capped = connections.Where(c => c.Profile.PvPeakW >= LargePvPeakW).Select(c => c.Id).ToList();
        var windows = new List<(long Start, long End)>();
        foreach (var start in intervals.Where(s => IsSunny(feeder, s, intervalSeconds)))
        {
            // One window per run of sunny intervals within one local day.
            if (windows.Count > 0 && windows[^1].End == start && community.LocalTime(windows[^1].Start).Date == community.LocalTime(start).Date)
            {
                windows[^1] = (windows[^1].Start, start + intervalSeconds);
            }
            else
            {
                windows.Add((start, start + intervalSeconds));
            }
        }

        var envelopes = new List<Envelope>();
        foreach (var (start, end) in windows)
        {
            var eventId = EventId(community.LocalTime(start).Date);
            var (from, to) = (DateTimeOffset.FromUnixTimeSeconds(start), DateTimeOffset.FromUnixTimeSeconds(end));
            envelopes.Add(new Envelope(DemoNetwork.PvFeederId, from, to, null, FeederExportLimitW, eventId));
            envelopes.AddRange(capped.Select(id => new Envelope(id, from, to, null, ConnectionExportLimitW, eventId)));
        }

        return envelopes;
    }

    /// <summary>
    /// Sends the envelopes of every open interval up to the market's horizon whose gate closes after the margin and
    /// for which this operator has sent nothing yet, as one upload. An upload refused (a gate closed meanwhile, the
    /// network changed) is logged and tried again at the next run, which leaves out the intervals closed by then.
    /// </summary>
    /// <param name="grid">The store, on the clock the operator runs on (the backfill's simulated one).</param>
    /// <param name="clock">That clock.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The number of envelopes stored.</returns>
    public async Task<int> SendAsync(GridStore grid, MarketClock clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(clock);
        var network = await grid.CurrentAsync(cancellationToken);
        var length = clock.IntervalSeconds;
        var intervals = clock.OpenIntervals().Where(s => clock.GateClosure(s) > clock.NowSeconds + MarginSeconds && clock.LengthOf(s) == length).ToList();
        if (network is null || intervals.Count == 0)
        {
            return 0;
        }

        Dictionary<string, AgentProfile> households;
        HashSet<long> covered;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var byEmail = await community.MeteredHouseholdsAsync(db, cancellationToken);
            households = community.Meters
                .Where(m => byEmail.TryGetValue(m.Email, out var h) && h.MeterId is not null)
                .ToDictionary(m => byEmail[m.Email].MeterId!, m => m, StringComparer.Ordinal);
            var (first, end) = (intervals[0], intervals[^1] + length);
            var sent = await db.Envelopes.AsNoTracking()
                .Where(e => e.Start < end && e.End > first)
                .Join(db.EnvelopeUploads.AsNoTracking().Where(u => u.ReceivedBy == Email), e => e.UploadId, u => u.Id, (e, _) => new { e.Start, e.End })
                .Distinct()
                .ToListAsync(cancellationToken);
            covered = [.. sent.SelectMany(w => intervals.Where(s => s >= w.Start && s < w.End))];
        }

        // Every interval is decided once: one the operator has sent for keeps its envelopes, a cloudy one gets none.
        var envelopes = Plan(network.Definition, households, [.. intervals.Where(s => !covered.Contains(s))], length);
        if (envelopes.Count == 0)
        {
            return 0;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new EnvelopeUpload([.. envelopes.Select(e => new EnvelopeUploadItem(
            e.NodeId, Iso(e.Start), Iso(e.End), e.ImportLimitW, e.ExportLimitW, e.EventId))]), BodyOptions);
        var (stored, errors) = await grid.ImportEnvelopesAsync(envelopes, "json", body, Email, cancellationToken);
        if (stored is null)
        {
            LogRefused(logger, errors.Count, errors.Count > 0 ? errors[0].Message : "");
            return 0;
        }

        LogSent(logger, stored.Windows, envelopes[0].EventId ?? "", stored.Upload);
        return stored.Windows;
    }

    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The demo network operator sent {Windows} envelope windows (first event {EventId}), upload {Upload}")]
    private static partial void LogSent(ILogger logger, int windows, string eventId, long upload);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo network operator's envelopes were refused ({Count} errors, e.g. {Error}); it tries again at its next run")]
    private static partial void LogRefused(ILogger logger, int count, string error);
}
