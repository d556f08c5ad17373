using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Market.E2E;

/// <summary>
/// The app's built (or published) <c>Market.Web.dll</c> run as a separate process on a loopback port, so a test can
/// kill it with SIGKILL, as a crash or an operator's <c>kill -9</c> would, start it again on the same data, or run it
/// as an operator would from any folder.
/// </summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _fault = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(string dll, string workingDirectory, string environment, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) =>
        {
            _listening.TrySetException(new InvalidOperationException("The app exited before listening:\n" + Output));
            _fault.TrySetException(new InvalidOperationException("The app exited before reaching the fault point:\n" + Output));
        };
    }

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>Whether the process ended (killed, crashed, or by a signal such as SIGBUS: exit code 128 + signal).</summary>
    public bool HasExited => _process.HasExited;

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

    /// <summary>The build configuration the tests were built in (and the app with them).</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>Starts the built app from its project folder in the Testing environment and waits until it listens.</summary>
    public static Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var root = RepositoryRoot();
        var dll = Path.Combine(root, "src", "Market.Web", "bin", Configuration, "net10.0", "Market.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The app is not built at {dll}: build the solution first (./test.sh does).");
        }

        return StartAsync(dll, Path.Combine(root, "src", "Market.Web"), "Testing", settings);
    }

    /// <summary>Starts <paramref name="dll"/> from <paramref name="workingDirectory"/> and waits until it listens.</summary>
    public static async Task<AppProcess> StartAsync(string dll, string workingDirectory, string environment, IReadOnlyDictionary<string, string> settings)
    {
        var app = new AppProcess(dll, workingDirectory, environment, settings);
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        app.BaseAddress = await app._listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
        return app;
    }

    /// <summary>Waits until the armed fault point is reached; returns its name.</summary>
    public Task<string> FaultReachedAsync(TimeSpan timeout) => _fault.Task.WaitAsync(timeout);

    /// <summary>SIGKILL: no shutdown, no flush, no finally blocks.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>The folder holding Market.sln.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Market.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Market.sln not found above " + AppContext.BaseDirectory);
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

        if (ListeningLine().Match(line) is { Success: true } m)
        {
            _listening.TrySetResult(new Uri(m.Groups[1].Value + "/"));
        }

        if (line.StartsWith("FAULT POINT REACHED: ", StringComparison.Ordinal))
        {
            _fault.TrySetResult(line["FAULT POINT REACHED: ".Length..]);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
