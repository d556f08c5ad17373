using System.Globalization;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Market.Web.Demo;

/// <summary>A clock the backfill moves forward by hand. It never goes back, so sealing times never do.</summary>
public sealed class SimulatedTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock to <paramref name="time"/>, or leaves it when that is not later.</summary>
    public void AdvanceTo(DateTimeOffset time)
    {
        if (time > _now)
        {
            _now = time;
        }
    }
}

/// <summary>What the backfill did.</summary>
/// <param name="Days">Days simulated.</param>
/// <param name="Intervals">Intervals cleared.</param>
/// <param name="Orders">Orders the agents and Ben's autopilot stored.</param>
/// <param name="Trades">Trades sealed.</param>
/// <param name="Readings">Meter readings the demo households sent.</param>
/// <param name="Reconciliations">Intervals reconciled against those readings (one block each).</param>
/// <param name="Envelopes">Envelope windows the simulated network operator sent (0 without the network).</param>
/// <param name="Elapsed">Wall-clock time of the simulation.</param>
public sealed record BackfillSummary(int Days, int Intervals, int Orders, int Trades, int Readings, int Reconciliations, int Envelopes, TimeSpan Elapsed);

/// <summary>
/// Simulates the last days on the first start, exactly as live: the agents post orders through
/// <see cref="OrderService"/>, <see cref="ClearingService"/> clears each interval after its gate (order book, auction,
/// settlement, sealing) and signs a checkpoint, and once an interval is over the demo meters' readings go through
/// <see cref="ReadingImportService"/> and <see cref="ReconciliationService"/> reconciles it, all on a simulated clock
/// that runs from the past up to now.
/// </summary>
/// <remarks>
/// The simulated services are the app's own classes built with the simulated clock in place of the app's
/// (<see cref="ActivatorUtilities"/> supplies everything else from the container, so they stay exactly as live).
/// </remarks>
public sealed partial class DemoBackfill(
    IServiceProvider services,
    IDbContextFactory<MarketDbContext> dbFactory,
    DemoAgents agents,
    DemoMeters meters,
    DemoCommunity community,
    DemoNetwork network,
    DemoNetworkOperator networkOperator,
    TimeProvider time,
    IOptions<DemoOptions> demo,
    ILogger<DemoBackfill> logger)
{
    /// <summary>Live, the clearing job runs every minute; the simulation clears each interval this long after its gate.</summary>
    public const int ClearingDelaySeconds = 20;

    /// <summary>
    /// The simulation reads the meters once per simulated hour (live: every minute). Each interval still gets its
    /// own import and reconciliation block; fewer rounds keep the first start short.
    /// </summary>
    public const int MeterReadingSeconds = 3600;

    /// <summary>
    /// On a ledger without any block, seals the genesis and rules blocks at the start of the simulated period (the
    /// hour <c>BackfillDays</c> ago) and returns the pending backfill; otherwise returns null and changes nothing.
    /// </summary>
    public async Task<PendingBackfill?> BeginAsync(CancellationToken cancellationToken = default)
    {
        var days = demo.Value.BackfillDays;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (days <= 0 || await db.Blocks.AnyAsync(cancellationToken))
            {
                return null;
            }
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var start = now - (days * 86_400L);
        start -= ((start % 3600) + 3600) % 3600;
        var simulated = new SimulatedTime(DateTimeOffset.FromUnixTimeSeconds(start));
        await ActivatorUtilities.CreateInstance<LedgerWriter>(services, simulated).EnsureGenesisAsync(cancellationToken);
        return new PendingBackfill(this, simulated, start, days);
    }

    /// <summary>Runs the simulation from the sealed genesis up to now, printing progress once per simulated day.</summary>
    internal async Task<BackfillSummary> RunAsync(SimulatedTime simulated, long start, int days, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var clock = ActivatorUtilities.CreateInstance<MarketClock>(services, simulated);
        var orders = ActivatorUtilities.CreateInstance<OrderService>(services, clock);
        var events = new MarketEvents(NullLogger<MarketEvents>.Instance);
        var trades = 0;
        var intervals = 0;
        using var counting = events.IntervalCleared.Subscribe(e =>
        {
            trades += e.TradeCount;
            intervals++;
            return Task.CompletedTask;
        });
        // Sealed and checkpointed at the simulated times, as if the week had happened live.
        using var checkpoints = ActivatorUtilities.CreateInstance<CheckpointSigner>(services, simulated);
        using var ledgerGate = new LedgerGate(checkpoints, new CheckpointNotifier(), new RecentBlockLines(), dbFactory);
        var writer = ActivatorUtilities.CreateInstance<LedgerWriter>(services, simulated);
        // The clearing's own per-interval log lines would drown the progress; a real failure still throws.
        var clearing = ActivatorUtilities.CreateInstance<ClearingService>(services, clock, writer, ledgerGate, events, NullLogger<ClearingService>.Instance);
        var import = ActivatorUtilities.CreateInstance<ReadingImportService>(services, clock, (TimeProvider)simulated);
        var reconciliation = ActivatorUtilities.CreateInstance<ReconciliationService>(services, clock, writer, ledgerGate, NullLogger<ReconciliationService>.Instance);
        var readings = 0;
        var reconciled = 0;
        // The network is imported at the start of the simulated week, before the first interval is cleared, and the
        // network operator sends its envelopes on the simulated clock, a day ahead, as it does live.
        var grid = ActivatorUtilities.CreateInstance<GridStore>(services, clock, writer, ledgerGate, (TimeProvider)simulated);
        var simulatesGrid = demo.Value.SimulatesGrid;
        if (simulatesGrid)
        {
            await network.EnsureImportedAsync(grid, cancellationToken);
        }

        var envelopes = 0;
        // Ben's autopilot, saved at the start of the simulated week and run as its live job would.
        var autopilot = ActivatorUtilities.CreateInstance<AutopilotEngine>(services, clock, orders, ActivatorUtilities.CreateInstance<ForecastService>(services, clock));
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await DemoAutopilot.EnsureBensAsync(ActivatorUtilities.CreateInstance<AutopilotService>(services, clock), await community.BenAsync(db, cancellationToken), services.GetRequiredService<DemoDeviceKeys>(), cancellationToken);
        }

        // As the live agents' job does each minute: read the meters of the intervals that are over, then reconcile.
        async Task ReadMetersAsync()
        {
            var stored = await meters.ReadDeliveredAsync(import, clock, cancellationToken);
            if (stored > 0)
            {
                readings += stored;
                reconciled += (await reconciliation.ReconcileDueAsync(cancellationToken)).Count;
            }
        }

        var lead = demo.Value.AgentLeadMinutes * 60L;
        var nextAgentRun = start;
        var posted = 0;
        Print($"Backfill: simulating {days} days of the community from {clock.ToLocal(start):ddd d MMM HH:mm} to now...");
        while (await clearing.NextIntervalAsync(cancellationToken) is long next)
        {
            var gate = clock.GateClosure(next);
            if (gate + ClearingDelaySeconds > time.GetUtcNow().ToUnixTimeSeconds())
            {
                // From here on the live jobs take over.
                break;
            }

            // The agents run every lead period, each run covering the gates up to one lead (plus the margin) ahead.
            while (nextAgentRun + DemoAgents.MarginSeconds < gate)
            {
                simulated.AdvanceTo(DateTimeOffset.FromUnixTimeSeconds(nextAgentRun));
                envelopes += simulatesGrid ? await networkOperator.SendAsync(grid, clock, cancellationToken) : 0;
                posted += await agents.PostAsync(orders, clock, cancellationToken);
                posted += await autopilot.RunAsync(lead, cancellationToken);
                nextAgentRun += lead;
            }

            simulated.AdvanceTo(DateTimeOffset.FromUnixTimeSeconds(gate + ClearingDelaySeconds));
            await clearing.ClearDueIntervalsAsync(cancellationToken);
            var simulatedSoFar = next + clock.IntervalSeconds - start;
            if (simulatedSoFar % MeterReadingSeconds == 0)
            {
                await ReadMetersAsync();
            }

            if (simulatedSoFar % 86_400 == 0)
            {
                Print($"Backfill: day {simulatedSoFar / 86_400}/{days}, {intervals:N0} intervals cleared, {trades:N0} trades, {reconciled:N0} reconciled");
            }
        }

        // The intervals just ahead were posted on the simulated clock; the live agent job continues from there.
        envelopes += simulatesGrid ? await networkOperator.SendAsync(grid, clock, cancellationToken) : 0;
        posted += await agents.PostAsync(orders, clock, cancellationToken);
        posted += await autopilot.RunAsync(lead, cancellationToken);
        // Intervals that ended after the last clearing step are read now; the live job reads the rest as they end.
        simulated.AdvanceTo(time.GetUtcNow());
        await ReadMetersAsync();
        var summary = new BackfillSummary(days, intervals, posted, trades, readings, reconciled, envelopes, stopwatch.Elapsed);
        var fromTheNetworkOperator = simulatesGrid ? string.Create(CultureInfo.InvariantCulture, $", {envelopes:N0} envelope windows from the network operator") : "";
        Print($"Backfill: done in {summary.Elapsed.TotalSeconds:F1} s: {intervals:N0} intervals cleared, {posted:N0} orders, {trades:N0} trades sealed, {readings:N0} meter readings, {reconciled:N0} intervals reconciled{fromTheNetworkOperator}.");
        LogBackfilled(logger, days, intervals, posted, trades, readings, reconciled, (long)summary.Elapsed.TotalMilliseconds);
        return summary;
    }

    private static void Print(FormattableString line) => Console.WriteLine(FormattableString.Invariant(line));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Backfilled {Days} days: {Intervals} intervals, {Orders} orders, {Trades} trades, {Readings} readings, {Reconciled} reconciled in {ElapsedMs} ms")]
    private static partial void LogBackfilled(ILogger logger, int days, int intervals, int orders, int trades, int readings, int reconciled, long elapsedMs);
}

/// <summary>A backfill whose genesis is sealed in the past; <see cref="RunAsync"/> fills the time up to now.</summary>
public sealed class PendingBackfill
{
    private readonly DemoBackfill _backfill;
    private readonly SimulatedTime _time;

    internal PendingBackfill(DemoBackfill backfill, SimulatedTime time, long start, int days)
    {
        _backfill = backfill;
        _time = time;
        Start = start;
        Days = days;
    }

    /// <summary>Start of the simulated period, Unix seconds (the genesis block's sealing time).</summary>
    public long Start { get; }

    public int Days { get; }

    public Task<BackfillSummary> RunAsync(CancellationToken cancellationToken = default) => _backfill.RunAsync(_time, Start, Days, cancellationToken);
}
