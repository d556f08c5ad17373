using System.Text;
using Market.Cli.Commands;
using Market.Witnesses;
using Microsoft.Extensions.Logging.Abstractions;
using WitnessCore = Market.Witnesses.Witness;

namespace Market.Cli.Tests.Witness;

/// <summary>A <c>market witness</c> served in-process on a loopback port (port 0), with its data folder.</summary>
internal sealed class WitnessHost : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly WitnessServer _server;

    private WitnessHost(WitnessServer server, HttpClient http, string folder)
    {
        _server = server;
        _http = http;
        Folder = folder;
        Client = new HttpClient { BaseAddress = new Uri(server.Url) };
    }

    public string Folder { get; }

    public string Url => _server.Url;

    /// <summary>A client for the witness's own endpoints.</summary>
    public HttpClient Client { get; }

    public WitnessCore Witness => _server.Witness;

    public Gossip Gossip => _server.Gossip;

    public string EvidenceFolder => Path.Combine(Folder, EvidenceStore.FolderName);

    /// <summary>Starts a witness named <paramref name="name"/> for <paramref name="log"/> over <paramref name="folder"/>
    /// (trusting the log's note key, or <paramref name="logKeys"/>).</summary>
    public static async Task<WitnessHost> StartAsync(string folder, FakeLog log, string name = "witness.example/w1", IReadOnlyList<string>? peers = null, string? trust = null,
        IReadOnlyList<string>? logKeys = null)
    {
        WitnessCommand.TryConfig(folder, name, logKeys ?? [log.NoteKey.VerifierKey.Encode()], log.Url, peers ?? [], trust, 3600, out var config, out var problem)
            .ShouldBeTrue(problem);
        var http = new HttpClient();
        var witness = WitnessCore.Open(config!, http, TimeProvider.System, NullLogger.Instance, out _, out problem);
        witness.ShouldNotBeNull(problem);
        var server = await WitnessServer.StartAsync(witness, "127.0.0.1:0", http, TimeProvider.System, NullLoggerFactory.Instance);
        return new WitnessHost(server, http, folder);
    }

    /// <summary>POSTs an add-checkpoint body.</summary>
    public async Task<(int Status, string? ContentType, string Body)> AddCheckpointAsync(long old, IEnumerable<byte[]> proof, string note)
    {
        using var content = new StringContent(AddCheckpointRequest.Format(old, proof, note), Encoding.UTF8);
        return await PostAsync(content);
    }

    public async Task<(int Status, string? ContentType, string Body)> PostAsync(HttpContent content)
    {
        using var response = await Client.PostAsync(new Uri("add-checkpoint", UriKind.Relative), content);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Adds the log's note of <paramref name="size"/> from the witness's current size, with the log's proof.</summary>
    public Task<(int Status, string? ContentType, string Body)> GrowAsync(FakeLog log, long size)
    {
        var old = Witness.State.Size;
        return AddCheckpointAsync(old, old == 0 ? [] : log.ConsistencyProof(old, size), log.Note(size));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
        _http.Dispose();
    }
}
