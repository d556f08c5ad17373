using Market.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Market.Cli.Tests.Witness;

/// <summary>
/// A market's log over real HTTP on a loopback port, as a witness sees it: <c>/api/ledger/export</c> (whole, or
/// <c>?from=H&amp;to=N</c>: blocks [H, N) then the market's checkpoint of size N, 404 beyond the blocks) and
/// <c>/api/ledger/checkpoint.note</c> and <c>/api/ledger/consistency</c>. It serves whatever blocks a test gives it (an honest chain, a re-signed fork,
/// tampered blocks) and signs checkpoint notes of any size with the log's note key.
/// </summary>
internal sealed class FakeLog : IAsyncDisposable
{
    public const string Origin = "market.example/ledger";

    private static readonly DateTimeOffset CheckpointTime = new(2026, 6, 16, 8, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private volatile IReadOnlyList<LedgerBlock> _blocks = [];
    private int _exportRequests;

    private FakeLog(WebApplication app, SigningKey operatorKey, NoteSigningKey noteKey)
    {
        _app = app;
        OperatorKey = operatorKey;
        NoteKey = noteKey;
    }

    /// <summary>The market's base URL, e.g. http://127.0.0.1:41234.</summary>
    public string Url => _app.Urls.Single();

    public SigningKey OperatorKey { get; }

    /// <summary>The log's note key (type 0x01, named after the origin).</summary>
    public NoteSigningKey NoteKey { get; }

    /// <summary>How many export requests were served.</summary>
    public int ExportRequests => _exportRequests;

    /// <summary>A fixed log note key, the same for every fake log (a split view is one log showing two histories).</summary>
    public static NoteSigningKey DefaultNoteKey { get; } = NoteSigningKey.FromSeed(Origin, NoteVerifierKey.Ed25519, new byte[32].Select((_, i) => (byte)(i + 7)).ToArray());

    public static async Task<FakeLog> StartAsync(SigningKey operatorKey, IReadOnlyList<LedgerBlock> blocks, NoteSigningKey? noteKey = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var log = new FakeLog(app, operatorKey, noteKey ?? DefaultNoteKey) { _blocks = blocks };
        app.MapGet("/api/ledger/export", (long? from, long? to) =>
        {
            Interlocked.Increment(ref log._exportRequests);
            var served = log._blocks;
            var (start, end) = (from ?? 0, to ?? served.Count);
            return end > served.Count || start < 0 || start > end
                ? Results.Problem(statusCode: 404, title: "No checkpoint of that size")
                : Results.Bytes(log.Export(served, start, end), "application/x-ndjson");
        });
        app.MapGet("/api/ledger/consistency", (long from, long to) =>
            to > log._blocks.Count || from < 0 || from > to
                ? Results.Problem(statusCode: 400, title: "Bad sizes")
                : Results.Ok(new { from, to, proof = log.ConsistencyProof(from, to).Select(Convert.ToHexStringLower) }));
        app.MapGet("/api/ledger/checkpoint.note", () => Results.Text(log.Note(log._blocks.Count), "text/plain; charset=utf-8"));
        await app.StartAsync();
        return log;
    }

    /// <summary>Serves these blocks from now on.</summary>
    public void Serve(IReadOnlyList<LedgerBlock> blocks) => _blocks = blocks;

    /// <summary>The export of blocks [from, to) of what is served, with the market's checkpoint of size to.</summary>
    public byte[] Export(long from, long to) => Export(_blocks, from, to);

    /// <summary>The checkpoint note of the first <paramref name="size"/> served blocks, signed by the log.</summary>
    public string Note(long size) => SignedNoteFor(size, Root(_blocks, size));

    /// <summary>A checkpoint note of any size and root, signed by the log (what a lying log can sign).</summary>
    public string SignedNoteFor(long size, byte[] root) => SignedNoteFor(NoteKey, size, root);

    /// <summary>A checkpoint note of this origin signed by <paramref name="key"/>.</summary>
    public static string SignedNoteFor(NoteSigningKey key, long size, byte[] root)
    {
        var body = new CheckpointNote(Origin, size, root, []).Body();
        return new SignedNote(body, [SignedNote.Sign(body, key)]).Encode();
    }

    /// <summary>RFC 9162 consistency proof between two sizes of what is served.</summary>
    public byte[][] ConsistencyProof(long from, long to) => Tree(_blocks).ConsistencyProof(from, to);

    /// <summary>The ledger tree's root at a size of the given blocks.</summary>
    public static byte[] Root(IReadOnlyList<LedgerBlock> blocks, long size) => Tree(blocks).RootAt(size);

    private static MerkleTree Tree(IReadOnlyList<LedgerBlock> blocks) => MerkleTree.FromLeaves(blocks.Select(b => BlockHeader.Hash(b.HeaderBytes)));

    private byte[] Export(IReadOnlyList<LedgerBlock> blocks, long from, long to)
    {
        using var stream = new MemoryStream();
        using (var writer = new LedgerExportWriter(stream))
        {
            for (var i = from; i < to; i++)
            {
                writer.WriteBlock(blocks[(int)i]);
            }

            if (to > 0)
            {
                writer.WriteCheckpoint(Checkpoint.Create(to, Root(blocks, to), CheckpointTime, OperatorKey));
            }
        }

        return stream.ToArray();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
