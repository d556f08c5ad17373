using Market.Witnesses;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Market.Web.Witnessing;

/// <summary>
/// Starts the demo's own witnesses once the app listens: each a full <c>market witness</c> on a loopback port that
/// fetches blocks from this app, replays them and cosigns. Stops them with the app.
/// </summary>
public sealed partial class DemoWitnessHost(
    DemoWitnesses demo,
    LogKeyStore logKey,
    CheckpointNotifier notifier,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers,
    ILogger<DemoWitnessHost> logger) : IHostedService, IAsyncDisposable
{
    private readonly List<(Witness Witness, WitnessServer Server)> _running = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(10) };
    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (demo.All.Count > 0)
        {
            _started = lifetime.ApplicationStarted.Register(() => _ = StartWitnessesAsync());
        }

        return Task.CompletedTask;
    }

    private async Task StartWitnessesAsync()
    {
        try
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var own = addresses.Select(a => a.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal))
                .FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault();
            if (own is null || logKey.Existing is not { } key)
            {
                LogNoAddress(logger);
                return;
            }

            foreach (var w in demo.All)
            {
                var config = new WitnessConfig(w.DataFolder, w.Key.Name, [key.VerifierKey], new Uri(own.TrimEnd('/') + "/"), [], null, TimeSpan.FromSeconds(30));
                var witness = Witness.Open(config, _http, TimeProvider.System, loggers.CreateLogger("Market.Witnesses." + w.Name), out _, out var problem);
                if (witness is null)
                {
                    LogUnusable(logger, w.Name, problem ?? "unknown");
                    continue;
                }

                var running = await WitnessServer.StartAsync(witness, "127.0.0.1:0", _http, TimeProvider.System, loggers);
                lock (_running)
                {
                    _running.Add((witness, running));
                }

                demo.Serving(w.Name, running.Url);
                LogServing(logger, w.Name, running.Url);
            }

            notifier.Notify();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or HttpRequestException or UnauthorizedAccessException)
        {
            LogFailed(logger, e);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await _started.DisposeAsync();
        List<(Witness Witness, WitnessServer Server)> running;
        lock (_running)
        {
            running = [.. _running];
            _running.Clear();
        }

        foreach (var (witness, s) in running)
        {
            await s.DisposeAsync();
            witness.Dispose();
        }

        _http.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo witness {Name} (run by this app: it proves nothing) serves on {Url}")]
    private static partial void LogServing(ILogger logger, string name, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo witnesses did not start: the app's address or the log key is not known")]
    private static partial void LogNoAddress(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo witness {Name} did not start: {Problem}")]
    private static partial void LogUnusable(ILogger logger, string name, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "The demo witnesses did not start")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
