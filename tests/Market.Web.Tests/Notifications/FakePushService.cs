using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Market.Web.Tests.Notifications;

/// <summary>What a push service received: the request line, the headers that matter and the body's length.</summary>
public sealed record ReceivedPush(string Method, string Path, string? Authorization, string? ContentEncoding, string? Ttl, int BodyLength);

/// <summary>A push service on 127.0.0.1 (plain HTTP) that records every request and answers with <see cref="Status"/>.</summary>
public sealed class FakePushService : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public FakePushService()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public HttpStatusCode Status { get; set; } = HttpStatusCode.Created;

    public ConcurrentQueue<ReceivedPush> Received { get; } = new();

    public string Endpoint(string device) => $"http://127.0.0.1:{Port}/push/{device}";

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers;
            Received.Enqueue(new ReceivedPush(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers["Authorization"], headers["Content-Encoding"], headers["TTL"], (int)body.Length));
            context.Response.StatusCode = (int)Status;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
