using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Market.Cli.Bench;
using Market.Cli.Json;
using Market.Matching;
using Market.Matching.Grid;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market bench</c>: quick measurements on generated books. BenchmarkDotNet in <c>bench/</c> gives the careful
/// figures; these commands give the same workload in one line, and the input file for end-to-end timings.
/// </summary>
internal static class BenchCommand
{
    private const int WarmupRuns = 3;

    public static Command Create()
    {
        var bench = new Command("bench", "Measure the hot paths on reproducible random data.");
        bench.Subcommands.Add(CreateClear());
        bench.Subcommands.Add(CreateBook());
        bench.Subcommands.Add(CreateGrid());
        bench.Subcommands.Add(BenchLedger.Create());
        bench.Subcommands.Add(BenchWitness.Create());
        return bench;
    }

    private static Option<int> OrdersOption() => new("--orders")
    {
        Description = "Number of orders in the generated book.",
        Required = true,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 0) { r.AddError("--orders must be zero or more."); } } },
    };

    private static Option<ulong> SeedOption() => new("--seed")
    {
        Description = "Seed of the generator: the same seed gives the same book.",
        DefaultValueFactory = _ => 1,
    };

    private static Command CreateClear()
    {
        var orders = OrdersOption();
        var seed = SeedOption();
        var runs = new Option<int>("--runs")
        {
            Description = "Number of timed runs (after 3 warm-up runs); the median is reported.",
            DefaultValueFactory = _ => 9,
            Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--runs must be at least 1."); } } },
        };
        var command = new Command("clear", "Clear a generated book several times and print the median time and orders per second.")
        {
            orders,
            seed,
            runs,
        };
        command.SetAction(parse => RunClear(
            parse.GetValue(orders),
            parse.GetValue(seed),
            parse.GetValue(runs),
            parse.InvocationConfiguration.Output));
        return command;
    }

    private static Command CreateGrid()
    {
        var orders = OrdersOption();
        var seed = SeedOption();
        var feeders = new Option<int>("--feeders")
        {
            Description = "Number of feeders of the generated network.",
            DefaultValueFactory = _ => 50,
            Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--feeders must be at least 1."); } } },
        };
        var runs = new Option<int>("--runs")
        {
            Description = "Number of timed runs (after 3 warm-up runs); the median is reported.",
            DefaultValueFactory = _ => 9,
            Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--runs must be at least 1."); } } },
        };
        var command = new Command("grid", "Clear a generated book under a generated network's limits and print the median time.")
        {
            orders,
            feeders,
            seed,
            runs,
        };
        command.SetAction(parse => RunGrid(
            parse.GetValue(orders),
            parse.GetValue(feeders),
            parse.GetValue(seed),
            parse.GetValue(runs),
            parse.InvocationConfiguration.Output));
        return command;
    }

    private static Command CreateBook()
    {
        var orders = OrdersOption();
        var seed = SeedOption();
        var output = new Option<FileInfo?>("--output")
        {
            Description = "Write the book here instead of to stdout.",
        };
        var command = new Command("book", "Write a generated book as `market clear` input JSON (ids o1, o2, ...).")
        {
            orders,
            seed,
            output,
        };
        command.SetAction(parse =>
        {
            var book = RandomBook.Generate(parse.GetValue(orders), parse.GetValue(seed));
            var file = parse.GetValue(output);
            if (file is null)
            {
                StandardOutput.Write(parse.InvocationConfiguration.Output, stream => ClearJson.WriteBook(stream, book));
            }
            else
            {
                using var stream = file.Create();
                ClearJson.WriteBook(stream, book);
            }

            return 0;
        });
        return command;
    }

    private static int RunClear(int count, ulong seed, int runs, TextWriter output)
    {
        var book = RandomBook.Generate(count, seed);
        var orders = book.ToOrders();
        var clearer = new Clearer();

        ClearingResult ClearOrders() => DoubleAuction.Clear(orders);
        ClearingResult ClearColumns() => clearer.Clear(book.Ids, book.Sides, book.EnergiesWh, book.Prices, book.Sequences);

        var result = ClearOrders();
        var bids = book.Sides.Count(s => s == Side.Buy);
        output.WriteLine(Invariant($"market bench clear: {count:N0} orders ({bids:N0} bids, {count - bids:N0} offers), seed {seed}, {runs} runs after {WarmupRuns} warm-ups"));
        output.WriteLine(Invariant($"result: price {result.Price?.ToString(CultureInfo.InvariantCulture) ?? "none"}, volume {result.VolumeWh:N0} Wh, {result.Trades.Length:N0} trades"));
        Report(output, "DoubleAuction.Clear (Order[], new workspace)", Measure(ClearOrders, runs), count);
        Report(output, "Clearer.Clear (columns, reused workspace)", Measure(ClearColumns, runs), count);
        return 0;
    }

    private static int RunGrid(int count, int feeders, ulong seed, int runs, TextWriter output)
    {
        var grid = RandomGrid.Generate(count, feeders, seed);
        GridClearingResult Clear() => GridAuction.Clear(grid.Network, grid.Orders, grid.OrderNodes);

        var result = Clear();
        var binding = result.EdgeStates.Count(s => s != EdgeState.Free);
        var zones = result.ZonePrices.Distinct().Count();
        output.WriteLine(Invariant($"market bench grid: {count:N0} orders over {grid.Network.Count:N0} nodes ({feeders:N0} feeders), seed {seed}, {runs} runs after {WarmupRuns} warm-ups"));
        output.WriteLine(Invariant($"result: community price {result.Price?.ToString(CultureInfo.InvariantCulture) ?? "none"}, volume {result.VolumeWh:N0} Wh, {result.Trades.Length:N0} trades, {binding:N0} binding lines, {zones:N0} distinct zone prices"));
        Report(output, "GridAuction.Clear", Measure(Clear, runs), count);
        return 0;
    }

    private static (double[] Milliseconds, long[] Allocated) Measure<T>(Func<T> clear, int runs)
    {
        for (var i = 0; i < WarmupRuns; i++)
        {
            _ = clear();
        }

        var milliseconds = new double[runs];
        var allocated = new long[runs];
        for (var i = 0; i < runs; i++)
        {
            // A full collection first, so one run's garbage is not collected on the next run's clock.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            _ = clear();
            milliseconds[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        return (milliseconds, allocated);
    }

    private static void Report(TextWriter output, string name, (double[] Milliseconds, long[] Allocated) measured, int count)
    {
        var sorted = measured.Milliseconds.Order().ToArray();
        var median = sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        var ordersPerSecond = median > 0 ? count / (median / 1000) : 0;
        var megabytes = measured.Allocated.Max() / 1_000_000.0;
        output.WriteLine(Invariant(
            $"{name}: median {median:F2} ms (min {sorted[0]:F2}, max {sorted[^1]:F2}), {ordersPerSecond:N0} orders/s, {megabytes:F1} MB allocated per run"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
