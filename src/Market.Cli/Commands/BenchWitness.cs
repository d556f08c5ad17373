using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Market.Ledger;
using Market.Witnesses;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market bench witness --export FILE</c>: how long a new witness takes to catch up on a whole ledger. The export
/// is served in-process as the log (the market's <c>/api/ledger/export</c> and <c>/api/ledger/checkpoint</c>), a log
/// note key signs its checkpoint, and a witness on an empty folder is offered that checkpoint with old size 0: it
/// fetches every block, verifies it with replay and writes its replica before it answers 200. Then the witness is
/// restarted on the same folder, which re-verifies the replica from the disk.
/// </summary>
internal static class BenchWitness
{
    /// <summary>The log's origin (the note key's name); the generated ledger names none of its own.</summary>
    public const string Origin = "bench.invalid/ledger";

    public static Command Create()
    {
        var export = new Option<FileInfo>("--export") { Description = "The ledger export to catch up on (e.g. from `market bench ledger`).", Required = true };
        var data = new Option<DirectoryInfo?>("--data") { Description = "The witness's folder (must be empty or absent); a temporary one by default, deleted after." };
        var command = new Command("witness", "Time a witness catching up on a whole ledger export (fetch, verify with replay, replica) and its restart.")
        {
            export, data,
        };
        command.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(export)!, parse.GetValue(data), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo export, DirectoryInfo? data, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!export.Exists)
        {
            await error.WriteLineAsync($"market bench witness: {export.FullName} does not exist");
            return 2;
        }

        if (!TryReadCheckpoint(export.FullName, out var checkpoint, out var problem))
        {
            await error.WriteLineAsync($"market bench witness: {export.FullName}: {problem}");
            return 2;
        }

        var folder = data?.FullName ?? Path.Combine(Path.GetTempPath(), "market-bench-witness-" + Guid.NewGuid().ToString("N"));
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            await error.WriteLineAsync($"market bench witness: {folder} is not empty (the witness must start from nothing)");
            return 2;
        }

        var logKey = NoteSigningKey.Generate(Origin, NoteVerifierKey.Ed25519);
        var body = new CheckpointNote(Origin, checkpoint!.Size, checkpoint.Root, []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, logKey)]).Encode();
        output.WriteLine(Invariant($"export {export.FullName}: {checkpoint.Size:N0} blocks, {export.Length / 1_000_000.0:N0} MB; {Environment.ProcessorCount} cores; .NET {Environment.Version}"));

        await using var log = await ExportLog.StartAsync(export.FullName, checkpoint, note);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            Measurement caughtUp;
            await using (var witness = await LoopbackWitness.StartAsync(folder, "bench.invalid/witness", logKey.VerifierKey.Encode(), log.Url))
            {
                // Only the catch-up is on the clock: the fresh witness re-verified an empty replica at its start.
                GC.Collect();
                var request = Invariant($"old 0\n\n{note}");
                var measurement = Measurement.Start();
                using var content = new StringContent(request, Encoding.UTF8, "text/plain");
                using var response = await http.PostAsync(new Uri(witness.Url, "add-checkpoint"), content, cancellationToken);
                var answer = await response.Content.ReadAsStringAsync(cancellationToken);
                caughtUp = measurement.Stop();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await error.WriteLineAsync(Invariant($"market bench witness: the witness answered {(int)response.StatusCode}: {answer.Trim()}"));
                    return 1;
                }

                output.WriteLine(Invariant($"catch-up (POST add-checkpoint, old 0, until 200): {caughtUp.Describe()}; replica {witness.ReplicaBytes / 1_000_000.0:N0} MB; {witness.Verification}"));
            }

            GC.Collect();
            var restarted = Measurement.Start();
            await using (var witness = await LoopbackWitness.StartAsync(folder, "bench.invalid/witness", logKey.VerifierKey.Encode(), log.Url))
            {
                var measured = restarted.Stop();
                output.WriteLine(Invariant($"restart (open the folder, re-verify the replica with replay, serve): {measured.Describe()}; {witness.Verification}"));
            }

            output.WriteLine(Invariant($"peak working set of this process (log server, witness and client): {Environment.WorkingSet / 1_000_000:N0} MB now, {Process.GetCurrentProcess().PeakWorkingSet64 / 1_000_000:N0} MB at most"));
            return 0;
        }
        finally
        {
            if (data is null)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temporary folder is harmless.
                }
            }
        }
    }

    /// <summary>The checkpoint line an export ends with, read from its tail rather than by parsing every block.</summary>
    private static bool TryReadCheckpoint(string path, out Checkpoint? checkpoint, out string? problem)
    {
        checkpoint = null;
        using var file = File.OpenRead(path);
        var tail = new byte[(int)Math.Min(file.Length, 64 * 1024)];
        file.Position = file.Length - tail.Length;
        file.ReadExactly(tail);
        var text = Encoding.UTF8.GetString(tail).TrimEnd('\n');
        var line = text[(text.LastIndexOf('\n') + 1)..];
        try
        {
            using var json = JsonDocument.Parse(line);
            if (!json.RootElement.TryGetProperty("type", out var type) || type.GetString() != "checkpoint")
            {
                problem = "the last line is not a checkpoint";
                return false;
            }

            checkpoint = CheckpointJson.Read(json.RootElement);
            problem = null;
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            problem = $"the last line is not a checkpoint: {e.Message}";
            return false;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Wall and processor time of one step, and the most memory the process held during it.</summary>
    private readonly record struct Measurement(long Started, TimeSpan Processor, long PeakBefore, TimeSpan Wall, TimeSpan ProcessorUsed, long Peak)
    {
        public static Measurement Start()
        {
            using var process = Process.GetCurrentProcess();
            return new Measurement(Stopwatch.GetTimestamp(), process.TotalProcessorTime, process.PeakWorkingSet64, TimeSpan.Zero, TimeSpan.Zero, 0);
        }

        public Measurement Stop()
        {
            var wall = Stopwatch.GetElapsedTime(Started);
            using var process = Process.GetCurrentProcess();
            return this with { Wall = wall, ProcessorUsed = process.TotalProcessorTime - Processor, Peak = process.PeakWorkingSet64 };
        }

        public string Describe() => Invariant(
            $"{Wall.TotalSeconds:F1} s (CPU {ProcessorUsed.TotalSeconds:F1} s), peak working set {Peak / 1_000_000:N0} MB{(Peak > PeakBefore ? "" : " (reached before this step)")}");
    }

    /// <summary>
    /// Serves an export file as the log: <c>GET /api/ledger/export?from=&amp;to=</c> (the format line, the block lines
    /// from <c>from</c>, then the checkpoint line; only <c>to</c> equal to the file's checkpoint), <c>GET
    /// /api/ledger/checkpoint</c> and the signed note at <c>/api/ledger/checkpoint.note</c>.
    /// </summary>
    private sealed class ExportLog : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ExportLog(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<ExportLog> StartAsync(string path, Checkpoint checkpoint, string note)
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapGet("/api/ledger/checkpoint", () => Results.Bytes(CheckpointJson.ToBytes(checkpoint), "application/json"));
            app.MapGet("/api/ledger/checkpoint.note", () => Results.Text(note, "text/plain; charset=utf-8"));
            app.MapGet("/api/ledger/export", (long? from, long? to) =>
            {
                var (start, end) = (from ?? 0, to ?? checkpoint.Size);
                return start < 0 || start > end
                    ? Results.BadRequest("need 0 <= from <= to")
                    : end != checkpoint.Size
                        ? Results.NotFound(Invariant($"this log serves ranges up to its checkpoint's size {checkpoint.Size} only"))
                        : Results.Stream(stream => CopyRangeAsync(path, start, stream), "application/x-ndjson");
            });
            await app.StartAsync();
            return new ExportLog(app, new Uri(app.Urls.First().TrimEnd('/') + "/"));
        }

        /// <summary>The format line, then every line after the first <paramref name="from"/> block lines (the rest of
        /// the blocks and the checkpoint line).</summary>
        private static async Task CopyRangeAsync(string path, long from, Stream destination)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            var linesToSkip = from;
            var inFormatLine = true;
            int read;
            while ((read = await file.ReadAsync(buffer)) > 0)
            {
                var chunk = buffer.AsMemory(0, read);
                while (!chunk.IsEmpty && (inFormatLine || linesToSkip > 0))
                {
                    var end = chunk.Span.IndexOf((byte)'\n');
                    var line = end < 0 ? chunk : chunk[..(end + 1)];
                    if (inFormatLine)
                    {
                        await destination.WriteAsync(line);
                    }

                    if (end >= 0)
                    {
                        if (inFormatLine)
                        {
                            inFormatLine = false;
                        }
                        else
                        {
                            linesToSkip--;
                        }
                    }

                    chunk = chunk[line.Length..];
                }

                if (!chunk.IsEmpty)
                {
                    await destination.WriteAsync(chunk);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

/// <summary>
/// A witness (the full <c>market witness</c>: fetch, verify with replay, replica, cosign) run in this process on a
/// loopback port, for benchmarks. Public because the interval benchmark (bench/Market.IntervalBench) runs three of
/// them beside the app and the witness library keeps its types internal to the market's own assemblies.
/// </summary>
public sealed class LoopbackWitness : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly IAsyncDisposable _server;
    private readonly IDisposable _witness;
    private readonly Func<long> _replicaBytes;
    private readonly Func<string> _verification;

    private LoopbackWitness(HttpClient http, IAsyncDisposable server, IDisposable witness, Uri url, Func<long> replicaBytes, Func<string> verification)
    {
        _http = http;
        _server = server;
        _witness = witness;
        Url = url;
        _replicaBytes = replicaBytes;
        _verification = verification;
    }

    /// <summary>Where it serves (<c>add-checkpoint</c> is posted below it), ending with a slash.</summary>
    public Uri Url { get; }

    /// <summary>Committed bytes of its replica file.</summary>
    public long ReplicaBytes => _replicaBytes();

    /// <summary>Its replica's last verification (at the start or after an append), as its status page shows it.</summary>
    public string Verification => _verification();

    /// <summary>
    /// The verifier key (C2SP vkey, type 0x04) of the witness kept in <paramref name="folder"/>, generating its key
    /// there when there is none, so the market's policy can name it before the witness serves.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder holds another witness's key or an unreadable one.</exception>
    public static string KeyOf(string folder, string name) =>
        (WitnessKeyFile.LoadOrCreate(folder, name, out _, out var problem) ?? throw new InvalidOperationException(problem)).VerifierKey.Encode();

    /// <summary>
    /// Opens the witness in <paramref name="folder"/> (its replica re-verified from the disk, as at any start) for the
    /// log whose note key is <paramref name="logKey"/> and whose blocks are at <paramref name="logUrl"/>, and serves it
    /// on 127.0.0.1:<paramref name="port"/> (0: any free port). Gossip runs hourly, so it stays off the clock.
    /// </summary>
    /// <exception cref="InvalidOperationException">The witness cannot start (the reason is the message).</exception>
    public static async Task<LoopbackWitness> StartAsync(string folder, string name, string logKey, Uri logUrl, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(logUrl);
        if (!NoteVerifierKey.TryParse(logKey, out var key, out var why))
        {
            throw new ArgumentException($"not a note verifier key: {why}", nameof(logKey));
        }

        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var config = new WitnessConfig(folder, name, [key], logUrl, [], null, TimeSpan.FromHours(1));
        var witness = Witness.Open(config, http, TimeProvider.System, NullLogger.Instance, out _, out var problem);
        if (witness is null)
        {
            http.Dispose();
            throw new InvalidOperationException($"the witness in {folder} cannot start: {problem}");
        }

        var server = await WitnessServer.StartAsync(witness, Invariant($"127.0.0.1:{port}"), http, TimeProvider.System, NullLoggerFactory.Instance);
        return new LoopbackWitness(http, server, witness, new Uri(server.Url.TrimEnd('/') + "/"),
            () => witness.Replica.CommittedLength, () => witness.Replica.LastVerification.Result);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _witness.Dispose();
        _http.Dispose();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
