using Market.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Market.Cli.Tests;

/// <summary>
/// A market's ledger API over real HTTP on a loopback port (Kestrel): it serves whatever export file a test gives it
/// at <c>/api/ledger/export</c>, consistency proofs over that export's blocks at <c>/api/ledger/consistency</c>, and a
/// receipt at <c>/api/ledger/trades/{id}/proof</c>, as a market (honest or not) would.
/// </summary>
internal sealed class LedgerServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile byte[] _export = [];
    private volatile string _receipt = "";

    private LedgerServer(WebApplication app) => _app = app;

    /// <summary>The market's URL, e.g. http://127.0.0.1:41234.</summary>
    public string Url => _app.Urls.Single();

    public static async Task<LedgerServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LedgerServer(app);
        app.MapGet("/api/ledger/export", () => Results.Bytes(server._export, "application/x-ndjson"));
        app.MapGet("/api/ledger/trades/{id:long}/proof", (long id) => Results.Text(server._receipt, "application/json"));
        app.MapGet("/api/ledger/consistency", (long from, long to) =>
        {
            var tree = MerkleTree.FromLeaves(new LedgerExportReader(new MemoryStream(server._export)).ReadBlocks().Select(b => BlockHeader.Hash(b.HeaderBytes)));
            return to > tree.Size || from > to
                ? Results.Problem(statusCode: 400, title: "Bad sizes")
                : Results.Ok(new { from, to, proof = tree.ConsistencyProof(from, to).Select(Convert.ToHexStringLower) });
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>Serves this export file from now on.</summary>
    public void Serve(string exportPath) => _export = File.ReadAllBytes(exportPath);

    /// <summary>Serves this receipt (JSON) for every trade id.</summary>
    public void ServeReceipt(TradeReceipt receipt) => _receipt = receipt.ToJson();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
