using System.Globalization;
using Market.Web.Clearing;

namespace Market.IntervalBench;

/// <summary>
/// Clears intervals of N orders from the database end to end, through the app's own ClearingService, and prints
/// the phases of each run; see docs/performance.md.
/// </summary>
internal static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync(BenchOptions.Usage);
            return 2;
        }

        // WebApplicationFactory finds the app's content root through MvcTestingAppManifest.json in the working folder.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var ownsData = options.DataDirectory is null;
        var dataDirectory = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "market-interval-bench-" + Guid.NewGuid().ToString("N"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Orders:N0} orders per interval, {options.Households:N0} households, {options.Runs} runs (+{options.Warmup} warm-up of {options.WarmupOrders:N0}), seed {options.Seed}"));
        Console.WriteLine($"data folder {dataDirectory}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
        try
        {
            await using var bench = new IntervalBench(dataDirectory, options);
            await bench.PrepareAsync();
            if (options.EnvelopeConnections > 0)
            {
                await bench.ImportEnvelopesAsync(options.EnvelopeConnections);
                return 0;
            }

            if (options.ReadingIntervals > 0)
            {
                await bench.ImportReadingsAsync(options.ReadingIntervals, options.Reconcile);
                if (options.Verify)
                {
                    await bench.VerifyAsync();
                }

                return 0;
            }

            var results = new List<RunResult>();
            for (var i = 0; i < options.Warmup; i++)
            {
                var warm = await bench.RunAsync(options.WarmupOrders);
                Console.WriteLine("warm-up " + warm.Describe());
            }

            for (var i = 0; i < options.Runs; i++)
            {
                var run = await bench.RunAsync(options.Orders);
                results.Add(run);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {i + 1}  ") + run.Describe());
            }

            RunResult.PrintSummary(results);
            RunResult.PrintQuorum(results);
            await bench.VerifyAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (ownsData && !options.Keep)
            {
                try
                {
                    Directory.Delete(dataDirectory, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temp folder is harmless.
                }
            }
        }

        return 0;
    }
}

/// <summary>Command-line options; unknown <c>--Section:Key=value</c> pairs go to the app's configuration.</summary>
internal sealed class BenchOptions
{
    public const string Usage =
        "usage: Market.IntervalBench [--orders N] [--runs R] [--households H] [--seed S] [--warmup W] [--warmup-orders N]\n" +
        "                            [--data DIR] [--keep] [--verify] [--provider Sqlite|PostgreSql] [--connection STRING]\n" +
        "                            [--readings INTERVALS [--reconcile]] [--witnesses N [--threshold T]] [--per-submission K]\n" +
        "                            [--envelopes CONNECTIONS]\n" +
        "                            [--Section:Key=value ...]";

    public int Orders { get; private set; } = 100_000;

    public int Runs { get; private set; } = 5;

    public int Households { get; private set; } = 2_000;

    /// <summary>Orders a household signs in one submission (the batch API takes up to 64); 8 unless given.</summary>
    public int PerSubmission { get; private set; } = 8;

    public ulong Seed { get; private set; } = 1;

    public int Warmup { get; private set; } = 1;

    public int WarmupOrders { get; private set; } = 2_000;

    public string? DataDirectory { get; private set; }

    public bool Keep { get; private set; }

    public bool Verify { get; private set; }

    /// <summary>With a value: import one meter reading per household for this many intervals instead of clearing orders.</summary>
    public int ReadingIntervals { get; private set; }

    public bool Reconcile { get; private set; }

    /// <summary>With a value: import a network of this many connections and 96 intervals of envelopes for each, and time it.</summary>
    public int EnvelopeConnections { get; private set; }

    /// <summary>With a value: this many witnesses run on loopback in the policy, and each run waits for the quorum.</summary>
    public int Witnesses { get; private set; }

    private int? _threshold;

    /// <summary>How many witnesses make the quorum; a majority unless <c>--threshold</c> says otherwise.</summary>
    public int WitnessThreshold => _threshold ?? ((Witnesses / 2) + 1);

    public Dictionary<string, string?> Settings { get; } = [];

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int Count() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 0
                ? n : throw new ArgumentException($"{arg} needs a non-negative integer");
            switch (arg)
            {
                case "--orders": o.Orders = Count(); break;
                case "--runs": o.Runs = Count(); break;
                case "--households": o.Households = Math.Max(1, Count()); break;
                case "--per-submission": o.PerSubmission = Math.Clamp(Count(), 1, Market.Ledger.HouseholdSignature.MaxSubmissionSize); break;
                case "--seed": o.Seed = (ulong)Count(); break;
                case "--warmup": o.Warmup = Count(); break;
                case "--warmup-orders": o.WarmupOrders = Count(); break;
                case "--data": o.DataDirectory = Path.GetFullPath(Value()); break;
                case "--keep": o.Keep = true; break;
                case "--verify": o.Verify = true; break;
                case "--readings": o.ReadingIntervals = Count(); break;
                case "--reconcile": o.Reconcile = true; break;
                case "--envelopes": o.EnvelopeConnections = Count(); break;
                case "--witnesses": o.Witnesses = Count(); break;
                case "--threshold": o._threshold = Math.Max(1, Count()); break;
                case "--provider": o.Settings["Market:Database"] = Value(); break;
                case "--connection": o.Settings["Market:ConnectionString"] = Value(); break;
                default:
                    var eq = arg.IndexOf('=', StringComparison.Ordinal);
                    if (!arg.StartsWith("--", StringComparison.Ordinal) || eq < 0 || !arg.Contains(':', StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"unknown option {arg}");
                    }

                    o.Settings[arg[2..eq]] = arg[(eq + 1)..];
                    break;
            }
        }

        if (o._threshold > o.Witnesses)
        {
            throw new ArgumentException("--threshold must not exceed --witnesses");
        }

        return o;
    }
}

/// <summary>One timed clearing: the service's own phases and the whole call (next interval, clearing, checkpoint), and
/// with witnesses the wall time from the end of the call (the checkpoint signed) until its quorum was met.</summary>
internal sealed record RunResult(int Orders, int Trades, ClearingTimings Phases, TimeSpan Call, TimeSpan ProcessorTime, TimeSpan? Quorum = null, TimeSpan? QuorumProcessorTime = null)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Orders,9:N0} orders {Trades,8:N0} trades | load {Ms(Phases.Load),6} | seal book {Ms(Phases.SealOrderBook),6} | auction {Ms(Phases.Auction),6} | " +
        $"seal clearing {Ms(Phases.SealClearing),6} | write {Ms(Phases.Write),6} | commit {Ms(Phases.Commit),6} | clearing {Ms(Phases.Total),7} ms | whole job call {Ms(Call),7} ms (CPU {Ms(ProcessorTime)} ms)") +
        (Quorum is { } q ? " | quorum after " + Ms(q).PadLeft(6) + " ms (CPU " + Ms(QuorumProcessorTime ?? TimeSpan.Zero) + " ms)" : "");

    /// <summary>Percentiles by nearest rank: with fewer than 100 runs p99 is the slowest run.</summary>
    public static void PrintQuorum(IReadOnlyList<RunResult> runs)
    {
        var ms = runs.Where(r => r.Quorum is not null).Select(r => r.Quorum!.Value.TotalMilliseconds).Order().ToArray();
        if (ms.Length == 0)
        {
            return;
        }

        double Rank(double p) => ms[Math.Clamp((int)Math.Ceiling(p * ms.Length) - 1, 0, ms.Length - 1)];
        var cpu = runs.Where(r => r.QuorumProcessorTime is not null).Select(r => r.QuorumProcessorTime!.Value.TotalMilliseconds).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sealed to quorum ({ms.Length} runs): p50 {Rank(0.50):F0} ms, p90 {Rank(0.90):F0} ms, p99 {Rank(0.99):F0} ms, max {ms[^1]:F0} ms, min {ms[0]:F0} ms; processor time meanwhile median {cpu[cpu.Length / 2]:F0} ms"));
    }

    public static void PrintSummary(IReadOnlyList<RunResult> runs)
    {
        if (runs.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("phase            median      min      max   (ms)");
        Row("load", r => r.Phases.Load);
        Row("seal order book", r => r.Phases.SealOrderBook);
        Row("auction", r => r.Phases.Auction);
        Row("seal clearing", r => r.Phases.SealClearing);
        Row("write", r => r.Phases.Write);
        Row("commit", r => r.Phases.Commit);
        Row("clearing total", r => r.Phases.Total);
        Row("whole job call", r => r.Call);
        Row("its CPU time", r => r.ProcessorTime);

        void Row(string name, Func<RunResult, TimeSpan> pick)
        {
            var ms = runs.Select(r => pick(r).TotalMilliseconds).Order().ToArray();
            var median = ms.Length % 2 == 1 ? ms[ms.Length / 2] : (ms[(ms.Length / 2) - 1] + ms[ms.Length / 2]) / 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-15} {median,8:F0} {ms[0],8:F0} {ms[^1],8:F0}"));
        }
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);
}
