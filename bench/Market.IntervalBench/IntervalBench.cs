extern alias MarketCli;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Market.Cli.Bench;
using Market.Web.Clearing;
using Market.Web.Community;
using Market.Web.Grid;
using Market.Web.LedgerStore;
using Market.Web.Metering;
using Market.Web.Persistence;
using Market.Web.Witnessing;
using Market.Ledger;
using OrderSide = Market.Ledger.OrderSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using LoopbackWitness = MarketCli::Market.Cli.Commands.LoopbackWitness;

namespace Market.IntervalBench;

/// <summary>
/// The whole app hosted in-process on its own data folder (migrations, signing key, genesis, exactly as
/// <c>Program.cs</c> starts it), with the Hangfire server off and a clock the benchmark moves, so each run clears
/// exactly one interval of freshly inserted open orders through <see cref="ClearingService"/>. With witnesses the app
/// listens on a loopback port (Kestrel) and full witnesses run beside it in this process, each fetching the new blocks
/// from the app, replaying them and cosigning, as <c>market witness</c> does.
/// </summary>
internal sealed class IntervalBench(string dataDirectory, BenchOptions options) : WebApplicationFactory<Program>
{
    private static readonly ClearingTimings NoPhases = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    private static readonly string[] HouseholdColumns = ["UserId", "Name", "Pseudonym", "PvPeakW", "MaxImportW", "TimeZone", "MeterId"];

    private static readonly string[] OrderColumns =
        ["Id", "HouseholdId", "Side", "EnergyWh", "LimitPrice", "IntervalStart", "Status", "FilledWh", "CreatedAtMs", "Nonce", "Authorization", "StatementHash"];

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private long[] _households = [];
    private PartyId[] _parties = [];
    private SigningHouseholds? _signers;
    private byte[] _ledgerId = [];
    private long _nextInterval;
    private ulong _seed = options.Seed;
    private ClearingTimings? _last;
    private IDisposable? _listening;
    private readonly List<LoopbackWitness> _witnesses = [];
    private (string Name, string Folder, int Port)[] _plannedWitnesses = [];

    /// <summary>How long the bench waits for a quorum before it calls the run failed.</summary>
    private static readonly TimeSpan QuorumPatience = TimeSpan.FromMinutes(2);

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

        // The policy names the witnesses before the app starts (it is sealed at the start); they serve once it listens.
        for (var i = 0; i < _plannedWitnesses.Length; i++)
        {
            var (name, folder, port) = _plannedWitnesses[i];
            builder.UseSetting($"Witnessing:Witnesses:{i}:Name", name);
            builder.UseSetting($"Witnessing:Witnesses:{i}:Key", LoopbackWitness.KeyOf(folder, WitnessKeyName(name)));
            builder.UseSetting($"Witnessing:Witnesses:{i}:Url", string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        }

        if (_plannedWitnesses.Length > 0)
        {
            builder.UseSetting("Witnessing:Threshold", options.WitnessThreshold.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Witnessing:RetrySeconds", "1");
        }

        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(_clock));
    }

    private static string WitnessKeyName(string name) => name + ".bench.invalid/witness";

    private T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Starts the app and registers the households.</summary>
    public async Task PrepareAsync()
    {
        var started = Stopwatch.StartNew();
        if (options.Witnesses > 0)
        {
            _plannedWitnesses = Enumerable.Range(1, options.Witnesses)
                .Select(i => ("bench-witness-" + i.ToString(CultureInfo.InvariantCulture), Path.Combine(dataDirectory, "bench-witnesses", "w" + i.ToString(CultureInfo.InvariantCulture)), FreePort()))
                .ToArray();

            // The witnesses fetch blocks over HTTP: the app needs a real port, not the in-memory test server.
            UseKestrel(0);
            StartServer();
        }
        else
        {
            _ = Server;
        }

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
        var registered = await db.Households.AsNoTracking().Where(h => h.UserId.StartsWith("bench-")).OrderBy(h => h.Id).Select(h => new { h.Id, h.Pseudonym }).ToArrayAsync();
        _households = [.. registered.Select(h => h.Id)];
        _parties = [.. registered.Select(h => PartyId.FromBytes(h.Pseudonym))];

        // Every order is signed by its household's key, so each household enrols one first (sealed before the first book).
        _signers = new SigningHouseholds(_parties, options.PerSubmission);
        _ledgerId = await Get<LedgerIdentity>().IdAsync();
        var accepted = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var byParty = registered.ToDictionary(h => PartyId.FromBytes(h.Pseudonym), h => h.Id);
        db.HouseholdRecords.AddRange(_signers.Enrolments(_ledgerId).Select(e => new HouseholdRecordEntity
        {
            HouseholdId = byParty[e.Household],
            Type = (byte)StatementType.KeyEnrolment,
            Body = e.Body,
            Authorization = e.Authorization,
            StatementHash = e.StatementHash,
            AcceptedAtMs = accepted,
        }));
        await db.SaveChangesAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"app started, {_households.Length:N0} households registered in {started.ElapsedMilliseconds} ms"));
        if (_plannedWitnesses.Length > 0)
        {
            await StartWitnessesAsync();
        }
    }

    private async Task StartWitnessesAsync()
    {
        var logKey = Get<LogKeyStore>().Existing?.VerifierKey.Encode() ?? throw new InvalidOperationException("the app has no log note key");
        var url = ClientOptions.BaseAddress;
        foreach (var (name, folder, port) in _plannedWitnesses)
        {
            _witnesses.Add(await LoopbackWitness.StartAsync(folder, WitnessKeyName(name), logKey, url, port));
        }

        // The checkpoint of the sealed policy is the first one witnessed; the timed runs start from there.
        Get<CheckpointNotifier>().Notify();
        var waited = await WaitForQuorumAsync(Stopwatch.GetTimestamp());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_witnesses.Count} witnesses on loopback (quorum {options.WitnessThreshold}), app at {url}; first checkpoint witnessed in {waited.TotalMilliseconds:F0} ms"));
    }

    /// <summary>
    /// Polls the newest checkpoint's note until its quorum is met and returns the time since
    /// <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp). The collector stores each cosignature as it
    /// arrives; its stored times come from the bench's moved clock, so the wall time is taken here.
    /// </summary>
    private async Task<TimeSpan> WaitForQuorumAsync(long since)
    {
        var publication = Get<LedgerPublication>();
        var notes = Get<CheckpointNotes>();
        var latest = await publication.LatestCheckpointAsync() ?? throw new InvalidOperationException("no checkpoint to witness");
        while (true)
        {
            // A count of the stored cosignatures (one indexed query) until there are enough, then the note's own
            // policy check confirms the quorum: polling the note itself (queries and a note signature each time)
            // took processor time from the witnesses being timed.
            int stored;
            await using (var db = await CreateDbAsync())
            {
                stored = await db.Cosignatures.CountAsync(c => c.Size == latest.Size);
            }

            if (stored >= options.WitnessThreshold && await notes.NoteAsync(latest) is { QuorumMet: true })
            {
                return Stopwatch.GetElapsedTime(since);
            }

            if (Stopwatch.GetElapsedTime(since) > QuorumPatience)
            {
                var status = await Get<WitnessingStatus>().ReadAsync();
                var errors = string.Join("; ", status?.Witnesses.Select(w => $"{w.Name}: {w.LastError ?? "no error"}") ?? []);
                throw new InvalidOperationException($"checkpoint {latest.Size} not witnessed within {QuorumPatience.TotalSeconds} s ({errors})");
            }

            // 10 ms is a hundredth of the goal.
            await Task.Delay(10);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the witnesses before the app they fetch from.</summary>
    public override async ValueTask DisposeAsync()
    {
        foreach (var witness in _witnesses)
        {
            await witness.DisposeAsync();
        }

        _listening?.Dispose();
        _signers?.Dispose();
        await base.DisposeAsync();
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
            // The order ids are the books' sequence numbers, which the households sign: they are chosen here.
            var firstId = (await db.Orders.MaxAsync(o => (long?)o.Id) ?? 0) + 1;
            var placed = new (long Id, PartyId Owner, OrderSide Side, long EnergyWh, long LimitPrice, byte[] Nonce)[orders];
            var owners = new int[orders];
            for (var i = 0; i < orders; i++)
            {
                owners[i] = (int)((ulong)book.Sequences[i] * 2_654_435_761UL % (ulong)_households.Length);
                placed[i] = (firstId + i, _parties[owners[i]], book.Sides[i] == Market.Matching.Side.Buy ? OrderSide.Buy : OrderSide.Sell,
                    book.EnergiesWh[i], Math.Clamp(book.Prices[i], community.PriceFloor, community.PriceCeiling), RandomNumberGenerator.GetBytes(16));
            }

            var signed = _signers!.SignBook(_ledgerId, interval, _nextInterval, placed);
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BatchedStatement.InsertAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), "Orders", OrderColumns, orders, BatchedStatement.ParameterBudget(db.Database.GetDbConnection()), (i, v) =>
            {
                v[0] = placed[i].Id;
                v[1] = _households[owners[i]];
                v[2] = (short)placed[i].Side;
                v[3] = placed[i].EnergyWh;
                v[4] = placed[i].LimitPrice;
                v[5] = interval;
                v[6] = (short)OrderStatus.Open;
                v[7] = 0L;
                v[8] = createdAt;
                v[9] = placed[i].Nonce;
                v[10] = signed[i].Authorization;
                v[11] = signed[i].StatementHash;
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
        var signedAt = Stopwatch.GetTimestamp();
        call.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (cleared != 1)
        {
            throw new InvalidOperationException($"expected one interval cleared, got {cleared}");
        }

        // The checkpoint is signed at the end of the call, and the collector offers it to the witnesses at once. The
        // processor time meanwhile (the app serving the blocks, the witnesses replaying them) shows what the wait is.
        var cpuAtSigning = Process.GetCurrentProcess().TotalProcessorTime;
        TimeSpan? quorum = _witnesses.Count > 0 ? await WaitForQuorumAsync(signedAt) : null;
        TimeSpan? quorumCpu = quorum is null ? null : Process.GetCurrentProcess().TotalProcessorTime - cpuAtSigning;

        await using var check = await CreateDbAsync();
        var trades = await check.ClearedIntervals.Where(c => c.IntervalStart == interval).Select(c => c.TradeCount).SingleAsync();

        // A build without phase timings (an older ClearingService) reports the whole call only.
        return new RunResult(orders, trades, _last ?? NoPhases, call.Elapsed, cpu, quorum, quorumCpu);
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

    /// <summary>
    /// Imports a network of <paramref name="connections"/> connections (200 per feeder, 20 feeders per transformer),
    /// then one envelope per connection for each of the next 96 intervals from a JSON text through the API's path
    /// (<see cref="EnvelopeParser.ParseJson"/>, then <see cref="GridStore.ImportEnvelopesAsync"/>: check against the
    /// network and the gate closures, write in one transaction) and prints the times.
    /// </summary>
    public async Task ImportEnvelopesAsync(int connections)
    {
        var csv = new System.Text.StringBuilder("node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id\nROOT,,community,,,\n");
        var feeders = (connections + 199) / 200;
        for (var f = 0; f < feeders; f++)
        {
            if (f % 20 == 0)
            {
                csv.Append(CultureInfo.InvariantCulture, $"T{f / 20},ROOT,transformer,1000000,1000000,\n");
            }

            csv.Append(CultureInfo.InvariantCulture, $"F{f},T{f / 20},feeder,250000,250000,\n");
        }

        for (var c = 0; c < connections; c++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"C{c},F{c / 200},connection,7000,11000,MTR-NET-{c:D6}\n");
        }

        var network = await NetworkDefinitionParser.ParseCsvAsync(new StringReader(csv.ToString()), default);
        var imported = await Get<GridStore>().ImportNetworkAsync(network.Network ?? throw new InvalidOperationException(network.Errors[0].Message), "csv", "bench", default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"network version {imported.Version}: {imported.Nodes:N0} nodes, {imported.Connections:N0} connections"));

        var clock = Get<MarketClock>();
        var first = clock.FirstOpenInterval() + clock.IntervalSeconds;
        var length = clock.IntervalSeconds;
        var json = new System.Text.StringBuilder("{\"envelopes\":[");
        var random = new Random((int)options.Seed);
        for (var c = 0; c < connections; c++)
        {
            for (var k = 0; k < 96; k++)
            {
                var start = DateTimeOffset.FromUnixTimeSeconds(first + (k * length)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var end = DateTimeOffset.FromUnixTimeSeconds(first + ((k + 1) * length)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                json.Append(CultureInfo.InvariantCulture, $"{(c + k == 0 ? "" : ",")}{{\"node\":\"C{c}\",\"start\":\"{start}\",\"end\":\"{end}\",\"importLimitW\":{random.Next(5_000, 11_000)},\"exportLimitW\":{random.Next(1_500, 7_000)},\"event\":\"DOE-{k:D2}-{c:D6}\"}}");
            }
        }

        var body = System.Text.Encoding.UTF8.GetBytes(json.Append("]}").ToString());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(long)connections * 96:N0} envelopes, {body.Length / (1024 * 1024)} MB of JSON"));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var timer = Stopwatch.StartNew();
        var parsed = EnvelopeParser.ParseJson(body);
        var parsedAt = timer.Elapsed;
        var (stored, errors) = await Get<GridStore>().ImportEnvelopesAsync(parsed.Envelopes, "json", body, "bench", default);
        var elapsed = timer.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (stored is null)
        {
            throw new InvalidOperationException("import failed: " + string.Join("; ", parsed.Errors.Concat(errors).Take(5).Select(e => e.Message)));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"import: {stored.Windows:N0} envelopes stored (parse {parsedAt.TotalMilliseconds:N0} ms; check against the network and gate closures, write, commit) in {elapsed.TotalMilliseconds:N0} ms (CPU {used.TotalMilliseconds:N0} ms)"));
        timer.Restart();
        var limits = await Get<GridStore>().LimitsAtAsync(first, default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"limits in force for one interval: {limits.Count:N0} nodes read in {timer.ElapsedMilliseconds:N0} ms"));
    }

    private Task<MarketDbContext> CreateDbAsync() => Get<IDbContextFactory<MarketDbContext>>().CreateDbContextAsync();
}
