using System.Net;
using System.Net.Sockets;

namespace Market.VerifierBench;

/// <summary>Serves a few in-memory files on a free loopback port until disposed.</summary>
internal sealed class StaticServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly IReadOnlyDictionary<string, (byte[] Body, string Type)> _files;

    private StaticServer(IReadOnlyDictionary<string, (byte[] Body, string Type)> files, int port)
    {
        _files = files;
        Origin = $"http://localhost:{port}";
        _listener.Prefixes.Add(Origin + "/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Origin { get; }

    public static StaticServer Start(IReadOnlyDictionary<string, (byte[] Body, string Type)> files)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new StaticServer(files, port);
    }

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var response = context.Response;
                if (!_files.TryGetValue(context.Request.Url!.AbsolutePath, out var file))
                {
                    response.StatusCode = 404;
                    return;
                }

                response.ContentType = file.Type;
                response.SendChunked = true;
                // 64 KiB writes: the page receives the body in pieces, as from a real server.
                for (var offset = 0; offset < file.Body.Length; offset += 65_536)
                {
                    await response.OutputStream.WriteAsync(file.Body.AsMemory(offset, Math.Min(65_536, file.Body.Length - offset)));
                }
            });
        }
    }
}
