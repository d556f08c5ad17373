using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Market.Witnesses;
using Market.Ledger;

namespace Market.Cli.Tests.Witness;

/// <summary>The built <c>market witness</c> run as a process and killed with SIGKILL while it cosigns: it restarts
/// from its persisted state, never below a size it acknowledged, with a replica that matches that state.</summary>
public sealed partial class WitnessProcessTests : IAsyncLifetime
{
    private readonly LedgerFixture _ledger = new();
    private List<SealedBlock> _chain = null!;
    private FakeLog _log = null!;

    private string Folder => Path.Combine(_ledger.Folder, "witness");

    public async Task InitializeAsync()
    {
        _chain = _ledger.Chain(10); // 23 blocks
        _log = await FakeLog.StartAsync(_ledger.Key, _chain);
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        _ledger.Dispose();
    }

    [Fact]
    public async Task Witness_KilledWhileCosigning_RestartsFromWhatItAcknowledged()
    {
        long acknowledged = 0;
        for (var round = 1; round <= 3; round++)
        {
            using var process = await WitnessProcess.StartAsync(Folder, _log);
            var (status, _, size) = await GetSizeAsync(process);
            status.ShouldBe(200);
            size.ShouldBeGreaterThanOrEqualTo(acknowledged, process.Output);

            // Grow by two blocks per request; after `round` acknowledgements, send one more and kill during it.
            for (var i = 0; i < round && size + 2 <= _chain.Count; i++)
            {
                var answer = await process.AddCheckpointAsync(size, _log.ConsistencyProof(size, size + 2), _log.Note(size + 2));
                answer.ShouldBe(200, process.Output);
                size += 2;
                acknowledged = size;
            }

            var inFlight = process.AddCheckpointAsync(size, _log.ConsistencyProof(size, size + 2), _log.Note(size + 2));
            process.Kill();
            try
            {
                if (await inFlight == 200)
                {
                    acknowledged = size + 2;
                }
            }
            catch (HttpRequestException)
            {
                // Killed before it answered: not acknowledged, so it may or may not have been persisted.
            }
        }

        using var last = await WitnessProcess.StartAsync(Folder, _log);
        var (_, _, final) = await GetSizeAsync(last);
        final.ShouldBeGreaterThanOrEqualTo(acknowledged);
        (await last.Client.GetByteArrayAsync(new Uri("api/ledger/export", UriKind.Relative))).ShouldBe(_log.Export(0, final));
    }

    [Fact]
    public async Task Witness_FirstStart_PrintsItsVerifierKeyAndWritesTheKeyOwnerOnly()
    {
        using var process = await WitnessProcess.StartAsync(Folder, _log);

        process.Output.ShouldContain("generated this witness's key");
        var vkey = VkeyLine().Match(process.Output).Value;
        NoteVerifierKey.TryParse(vkey, out var key, out var error).ShouldBeTrue(error);
        key!.Name.ShouldBe("witness.example/p1");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(Folder, WitnessKeyFile.FileName)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static async Task<(int Status, string? ContentType, long Size)> GetSizeAsync(WitnessProcess process)
    {
        using var response = await process.Client.GetAsync(new Uri("api/witness/status", UriKind.Relative));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, json.RootElement.GetProperty("size").GetInt64());
    }

    [GeneratedRegex(@"^witness\.example/p1\+[0-9a-f]{8}\+\S+$", RegexOptions.Multiline)]
    private static partial Regex VkeyLine();

    /// <summary>The built market.dll running <c>market witness</c> on a free loopback port.</summary>
    private sealed partial class WitnessProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private WitnessProcess(Process process) => _process = process;

        public HttpClient Client { get; private set; } = null!;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<WitnessProcess> StartAsync(string folder, FakeLog log)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[]
            {
                "exec", Path.Combine(AppContext.BaseDirectory, "market.dll"), "witness", "--data", folder, "--name", "witness.example/p1",
                "--listen", "127.0.0.1:0", "--log-key", log.NoteKey.VerifierKey.Encode(), "--log-url", log.Url,
            })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["DOTNET_NOLOGO"] = "1";
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var witness = new WitnessProcess(process);
            process.OutputDataReceived += (_, e) => witness.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => witness.OnLine(e.Data);
            process.Exited += (_, _) => witness._listening.TrySetException(new InvalidOperationException("market witness exited:\n" + witness.Output));
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var url = await witness._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            witness.Client = new HttpClient { BaseAddress = url };
            return witness;
        }

        public async Task<int> AddCheckpointAsync(long old, IEnumerable<byte[]> proof, string note)
        {
            using var content = new StringContent(AddCheckpointRequest.Format(old, proof, note), Encoding.UTF8);
            using var response = await Client.PostAsync(new Uri("add-checkpoint", UriKind.Relative), content);
            return (int)response.StatusCode;
        }

        /// <summary>SIGKILL: no shutdown code runs.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (ServingLine().Match(line) is { Success: true } match)
            {
                _listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            Client?.Dispose();
            _process.Dispose();
        }

        [GeneratedRegex(@"^serving on (http://\S+)$")]
        private static partial Regex ServingLine();
    }
}
