using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Market.Cli.Bench;
using Market.Web.Clearing;
using Market.Web.Community;
using Market.Web.LedgerStore;
using Market.Web.Metering;
using Market.Web.Persistence;
using OrderSide = Market.Ledger.OrderSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Market.IntervalBench;

/// <summary>
/// The whole app hosted in-process on its own data folder (migrations, signing key, genesis, exactly as
/// <c>Program.cs</c> starts it), with the Hangfire server off and a clock the benchmark moves, so each run clears
/// exactly one interval of freshly inserted open orders through <see cref="ClearingService"/>.
/// </summary>
internal sealed class IntervalBench(string dataDirectory, BenchOptions options) : WebApplicationFactory<Program>
{
    private static readonly ClearingTimings NoPhases = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    private static readonly string[] HouseholdColumns = ["UserId", "Name", "Pseudonym", "PvPeakW", "MaxImportW", "TimeZone", "MeterId"];

    private static readonly string[] OrderColumns =
        ["HouseholdId", "Side", "EnergyWh", "LimitPrice", "IntervalStart", "Status", "FilledWh", "CreatedAtMs"];

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private long[] _households = [];
    private long _nextInterval;
    private ulong _seed = options.Seed;
    private ClearingTimings? _last;
    private IDisposable? _listening;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Benchmark");
        builder.UseSetting("Market:DataDirectory", dataDirectory);
        builder.UseSetting("Market:RunJobs", "false");
        builder.UseSetting("Demo:Enabled", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in options.Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(_clock));
    }

    private T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Starts the app and registers the households.</summary>
    public async Task PrepareAsync()
    {
        var started = Stopwatch.StartNew();
        _ = Server;
        _listening = Get<MarketEvents>().IntervalCleared.Subscribe(e =>
        {
            _last = e.Timings;
            return Task.CompletedTask;
        });
        _nextInterval = Get<MarketClock>().FirstOpenInterval();
        await using var db = await CreateDbAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var count = options.Households;
        await BatchedStatement.InsertAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), "Households", HouseholdColumns, count, BatchedStatement.ParameterBudget(db.Database.GetDbConnection()), (i, v) =>
        {
            v[0] = "bench-" + i.ToString(CultureInfo.InvariantCulture);
            v[1] = "Bench household " + i.ToString(CultureInfo.InvariantCulture);
            v[2] = RandomNumberGenerator.GetBytes(16);
            v[3] = 10_000L;
            v[4] = 20_000L;
            v[5] = "Europe/Berlin";
            v[6] = MeterId(i);
        }, CancellationToken.None);
        await transaction.CommitAsync();
        _households = await db.Households.AsNoTracking().Where(h => h.UserId.StartsWith("bench-")).OrderBy(h => h.Id).Select(h => h.Id).ToArrayAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"app started, {_households.Length:N0} households registered in {started.ElapsedMilliseconds} ms"));
    }

    /// <summary>Inserts <paramref name="orders"/> open orders for the next interval, closes its gate and clears it.</summary>
    public async Task<RunResult> RunAsync(int orders)
    {
        var interval = _nextInterval;
        var clock = Get<MarketClock>();
        _nextInterval = clock.Next(interval);
        var book = RandomBook.Generate(orders, _seed++);
        var community = Get<IOptions<CommunityOptions>>().Value;
        var createdAt = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using (var db = await CreateDbAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BatchedStatement.InsertAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), "Orders", OrderColumns, orders, BatchedStatement.ParameterBudget(db.Database.GetDbConnection()), (i, v) =>
            {
                v[0] = _households[(int)((ulong)book.Sequences[i] * 2_654_435_761UL % (ulong)_households.Length)];
                v[1] = (short)(book.Sides[i] == Market.Matching.Side.Buy ? OrderSide.Buy : OrderSide.Sell);
                v[2] = book.EnergiesWh[i];
                v[3] = Math.Clamp(book.Prices[i], community.PriceFloor, community.PriceCeiling);
                v[4] = interval;
                v[5] = (short)OrderStatus.Open;
                v[6] = 0L;
                v[7] = createdAt;
            }, CancellationToken.None);
            await transaction.CommitAsync();
        }

        // Past the gate: the clearing job would now find this interval due.
        var gate = DateTimeOffset.FromUnixTimeSeconds(clock.GateClosure(interval));
        if (_clock.GetUtcNow() <= gate)
        {
            _clock.SetUtcNow(gate.AddSeconds(1));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        _last = null;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var call = Stopwatch.StartNew();
        var cleared = await Get<ClearingService>().ClearDueIntervalsAsync();
        call.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (cleared != 1)
        {
            throw new InvalidOperationException($"expected one interval cleared, got {cleared}");
        }

        await using var check = await CreateDbAsync();
        var trades = await check.ClearedIntervals.Where(c => c.IntervalStart == interval).Select(c => c.TradeCount).SingleAsync();

        // A build without phase timings (an older ClearingService) reports the whole call only.
        return new RunResult(orders, trades, _last ?? NoPhases, call.Elapsed, cpu);
    }

    /// <summary>With <c>--verify</c>: the whole chain, every clearing replayed.</summary>
    public async Task VerifyAsync()
    {
        if (!options.Verify)
        {
            return;
        }

        var started = Stopwatch.StartNew();
        var report = await Get<LedgerReader>().VerifyAsync();
        Console.WriteLine($"ledger verification: {(report.IsValid ? "valid" : "INVALID: " + report.Message)} ({report.BlockCount} blocks, {started.ElapsedMilliseconds} ms)");
        if (!report.IsValid)
        {
            throw new InvalidOperationException(report.Message);
        }
    }

    private static string MeterId(int household) => "MTR-BENCH-" + household.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>
    /// Clears <paramref name="intervals"/> empty intervals, then imports one reading per household and interval from a
    /// CSV text through <see cref="ReadingImportService"/> (parse, validate, write in one
    /// transaction) and prints the time; with <paramref name="reconcile"/> also reconciles them all.
    /// </summary>
    public async Task ImportReadingsAsync(int intervals, bool reconcile)
    {
        var clock = Get<MarketClock>();
        var first = _nextInterval;
        var starts = new long[intervals];
        var at = first;
        for (var k = 0; k < intervals; k++)
        {
            starts[k] = at;
            at = clock.Next(at);
        }

        _clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(at + 60));
        var clearing = Stopwatch.StartNew();
        var cleared = await Get<ClearingService>().ClearDueIntervalsAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cleared} empty intervals cleared in {clearing.ElapsedMilliseconds} ms"));

        var csv = new System.Text.StringBuilder(ReadingParser.Header).Append('\n');
        var random = new Random((int)options.Seed);
        foreach (var start in starts)
        {
            var iso = DateTimeOffset.FromUnixTimeSeconds(start).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            for (var i = 0; i < _households.Length; i++)
            {
                csv.Append(MeterId(i)).Append(',').Append(iso).Append(',')
                    .Append(random.Next(0, 2_000).ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(random.Next(0, 2_000).ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        var text = csv.ToString();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(long)intervals * _households.Length:N0} readings, {text.Length / (1024 * 1024)} MB of CSV"));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var timer = Stopwatch.StartNew();
        var result = await Get<ReadingImportService>().ImportCsvAsync(new StringReader(text), "bench");
        var elapsed = timer.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("import failed: " + string.Join("; ", result.Errors.Take(5).Select(e => $"line {e.Line}: {e.Message}")));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"import: {result.Stored:N0} readings stored (parse, validate, write, commit) in {elapsed.TotalMilliseconds:N0} ms (CPU {used.TotalMilliseconds:N0} ms)"));
        if (reconcile)
        {
            timer.Restart();
            var done = await Get<ReconciliationService>().ReconcileDueAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reconciliation: {done.Count} intervals sealed in {timer.ElapsedMilliseconds:N0} ms"));
        }
    }

    private Task<MarketDbContext> CreateDbAsync() => Get<IDbContextFactory<MarketDbContext>>().CreateDbContextAsync();
}
