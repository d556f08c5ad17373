using System.Net;
using Market.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Market.Witnesses;

/// <summary>
/// The witness over HTTP (Kestrel): <c>POST /add-checkpoint</c> (C2SP tlog-witness), <c>GET /&lt;origin
/// hash&gt;/checkpoint</c> (monitoring), the replica's read API in the market's formats (<c>/api/ledger/export</c>,
/// <c>export?from=&amp;to=</c>, <c>checkpoint.note</c>, <c>checkpoint</c>, <c>consistency</c>) and
/// <c>/api/witness/status</c>. Gossip with peers runs beside it.
/// </summary>
internal sealed class WitnessServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private Task _gossip = Task.CompletedTask;

    private WitnessServer(WebApplication app, Witness witness, Gossip gossip)
    {
        _app = app;
        Witness = witness;
        Gossip = gossip;
    }

    public Witness Witness { get; }

    public Gossip Gossip { get; }

    /// <summary>The URL it listens on (the first one), e.g. http://127.0.0.1:41234.</summary>
    public string Url => _app.Urls.First();

    /// <summary>Starts serving on <paramref name="listen"/> (host:port; port 0 picks a free one).</summary>
    public static async Task<WitnessServer> StartAsync(Witness witness, string listen, HttpClient http, TimeProvider time, ILoggerFactory loggers)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls($"http://{listen}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = AddCheckpointRequest.MaxBodyBytes + 1);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);

        var app = builder.Build();
        var gossip = new Gossip(witness, http, time, loggers.CreateLogger("market.witness.gossip"));
        var server = new WitnessServer(app, witness, gossip);
        Map(app, witness, gossip);
        await app.StartAsync();
        server._gossip = Task.Run(() => gossip.RunAsync(server._stop.Token));
        return server;
    }

    private static void Map(WebApplication app, Witness witness, Gossip gossip)
    {
        app.MapPost("/add-checkpoint", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await ReadBodyAsync(context.Request, ct);
            var answer = body is null
                ? WitnessAnswer.BadRequest($"the body is larger than {AddCheckpointRequest.MaxBodyBytes} bytes")
                : await witness.AddCheckpointAsync(body, ct);
            return Results.Text(answer.Body, answer.ContentType, statusCode: answer.Status);
        });
        app.MapGet($"/{{originHash}}/checkpoint", (string originHash) =>
            originHash == witness.Config.OriginHash && witness.CosignedNote is { } note
                ? Results.Text(note, "text/plain; charset=utf-8")
                : Results.Text("this witness has cosigned no checkpoint of that log\n", "text/plain; charset=utf-8", statusCode: 404));
        app.MapGet("/api/ledger/checkpoint.note", () => witness.CosignedNote is { } note
            ? Results.Text(note, "text/plain; charset=utf-8")
            : Results.Problem(statusCode: 404, title: "No checkpoint yet", detail: "This witness has cosigned no checkpoint yet."));
        app.MapGet("/api/ledger/checkpoint", () => witness.State.MarketCheckpoint is { } checkpoint
            ? Results.Bytes(CheckpointJson.ToBytes(checkpoint), "application/json")
            : NoCheckpoint());
        app.MapGet("/api/ledger/consistency", (long from, long to) =>
        {
            var state = witness.State;
            var proof = to <= state.Size ? witness.Replica.ConsistencyProof(from, to) : null;
            return proof is null
                ? Results.Problem(statusCode: 400, title: "Bad sizes", detail: "Need 0 <= from <= to <= the ledger's size.")
                : Results.Ok(new { from, to, proof = proof.Select(Convert.ToHexStringLower) });
        });
        app.MapGet("/api/ledger/export", (long? from, long? to) =>
        {
            var state = witness.State;
            if (state.MarketCheckpoint is not { } checkpoint)
            {
                return NoCheckpoint();
            }

            if (to is long n && n != state.Size)
            {
                return Results.Problem(statusCode: 404, title: "No such checkpoint", detail: $"This witness keeps the checkpoint of size {state.Size} only.");
            }

            var start = from ?? 0;
            if (start < 0 || start > state.Size)
            {
                return Results.Problem(statusCode: 400, title: "Bad range", detail: "Need 0 <= from <= to.");
            }

            return Results.Stream(s => witness.Replica.WriteExportAsync(s, start, state.Size, state.ReplicaLength, checkpoint, CancellationToken.None),
                "application/x-ndjson", from is null && to is null ? "ledger-export.jsonl" : null);
        });
        app.MapGet("/api/ledger/blocks/{height:long}", async (long height, CancellationToken ct) =>
        {
            var state = witness.State;
            return await witness.Replica.ReadBlockAsync(height, state.Size, state.ReplicaLength, ct) is { } block
                ? Results.Ok(BlockJson(block))
                : Results.Problem(statusCode: 404, title: "No such block", detail: $"The ledger has no block at height {height}.");
        });
        app.MapGet("/api/witness/status", () =>
        {
            var state = witness.State;
            return Results.Ok(new
            {
                name = witness.Config.Name,
                vkey = witness.VerifierKey.Encode(),
                origin = witness.Config.LogKey.Name,
                logKeys = witness.Config.LogKeys.Select(k => k.Encode()),
                logUrl = witness.Config.LogUrl.AbsoluteUri,
                size = state.Size,
                root = Convert.ToBase64String(state.Root),
                replicaBlocks = witness.Replica.Size,
                lastVerification = new { at = witness.Replica.LastVerification.At, result = witness.Replica.LastVerification.Result },
                evidence = witness.Evidence.Files.Select(Path.GetFileName),
                log = gossip.Log is { } l ? new { url = l.Url, at = l.At, size = l.PeerSize, result = l.Result, fork = l.Fork } : null,
                peers = gossip.Peers.Select(p => new { url = p.Url, at = p.At, peerSize = p.PeerSize, result = p.Result, fork = p.Fork }),
            });
        });
    }

    /// <summary>A block in the market's API shape (<c>/api/ledger/blocks/{height}</c>): decoded header fields, raw header
    /// and signature, the leaves; every block of the replica was verified, so it is valid.</summary>
    private static object BlockJson(LedgerBlock block)
    {
        var h = BlockHeader.Decode(block.HeaderBytes);
        var interval = h.Kind is BlockKind.OrderBook or BlockKind.Clearing;
        var kind = h.Kind switch
        {
            BlockKind.KeyEvent => "key-event",
            BlockKind.OrderBook => "order-book",
            BlockKind.Clearing => "clearing",
            BlockKind.Rules => "rules",
            BlockKind.Reconciliation => "reconciliation",
            _ => "unknown",
        };
        var leaves = new List<string>(block.Leaves.Count);
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            leaves.Add(Convert.ToHexStringLower(block.Leaves.GetSpan(i)));
        }

        return new
        {
            block = new
            {
                height = h.Height,
                kind,
                intervalStart = interval ? h.IntervalStart : (long?)null,
                intervalEnd = interval ? h.IntervalEnd : (long?)null,
                leafCount = h.LeafCount,
                headerHash = Convert.ToHexStringLower(BlockHeader.Hash(block.HeaderBytes)),
                previousHash = Convert.ToHexStringLower(h.PreviousHash),
                payloadRoot = Convert.ToHexStringLower(h.PayloadRoot),
                keyId = Convert.ToHexStringLower(h.KeyId),
                sealedAtMs = h.SealedAtUnixMs,
                header = Convert.ToHexStringLower(block.HeaderBytes),
                signature = Convert.ToHexStringLower(block.Signature),
            },
            leaves,
            valid = true,
            problem = (string?)null,
        };
    }

    // The body is read up to one byte past the limit: a larger one is refused without reading it all.
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > AddCheckpointRequest.MaxBodyBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == (int)HttpStatusCode.RequestEntityTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    private static IResult NoCheckpoint() =>
        Results.Problem(statusCode: 503, title: "No checkpoint yet", detail: "This witness has cosigned no checkpoint yet.");

    /// <summary>Waits until the server is stopped (Ctrl+C or SIGTERM, or <paramref name="stop"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken stop) => _app.WaitForShutdownAsync(stop);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _gossip;
        await _app.DisposeAsync();
        Witness.Dispose();
        _stop.Dispose();
    }
}
