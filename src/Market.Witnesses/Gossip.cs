using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Market.Ledger;
using Microsoft.Extensions.Logging;

namespace Market.Witnesses;

/// <summary>
/// Compares this witness's view with other witnesses' (tlog-witness monitoring endpoint,
/// <c>GET /&lt;origin hash&gt;/checkpoint</c>): a split view, where the log showed each witness another history, is
/// caught by any two witnesses that talk. A peer's note must carry the log's signature; at a size this witness has,
/// the roots must agree; when the peer is ahead, its consistency proof from this witness's size must verify, and
/// otherwise its replica's blocks are fetched to prove the fork. A contradiction is written as fork evidence.
/// </summary>
internal sealed partial class Gossip
{
    private readonly Witness _witness;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<Uri, PeerComparison> _peers = new();
    private volatile PeerComparison? _logComparison;

    public Gossip(Witness witness, HttpClient http, TimeProvider time, ILogger log)
    {
        _witness = witness;
        _http = http;
        _time = time;
        _log = log;
        foreach (var peer in witness.Config.Peers)
        {
            _peers[peer] = new PeerComparison(peer.AbsoluteUri, null, null, "not compared yet", false);
        }
    }

    /// <summary>The last comparison with each peer.</summary>
    public IReadOnlyList<PeerComparison> Peers => [.. _witness.Config.Peers.Select(p => _peers[p])];

    /// <summary>The last comparison with the note the market publishes (<c>/api/ledger/checkpoint.note</c>), or null.</summary>
    public PeerComparison? Log => _logComparison;

    /// <summary>Compares with the market's published note and every peer now, then every
    /// <see cref="WitnessConfig.GossipInterval"/> until stopped.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_witness.Config.GossipInterval, _time);
        try
        {
            do
            {
                await CompareLogAsync(cancellationToken);
                foreach (var peer in _witness.Config.Peers)
                {
                    await CompareAsync(peer, cancellationToken);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// Compares with the checkpoint note the market shows everyone (<c>/api/ledger/checkpoint.note</c>), as with a
    /// peer: a market that shows the public another history than the one it gave this witness is caught too.
    /// </summary>
    public async Task<PeerComparison> CompareLogAsync(CancellationToken cancellationToken)
    {
        var result = await CompareSafelyAsync(_witness.Config.LogUrl, "api/ledger/checkpoint.note", "the market", cancellationToken);
        _logComparison = result;
        return result;
    }

    /// <summary>Compares with one peer once and records the outcome.</summary>
    public async Task<PeerComparison> CompareAsync(Uri peer, CancellationToken cancellationToken)
    {
        var result = await CompareSafelyAsync(peer, _witness.Config.OriginHash + "/checkpoint", "the peer", cancellationToken);
        _peers[peer] = result;
        return result;
    }

    private async Task<PeerComparison> CompareSafelyAsync(Uri peer, string notePath, string who, CancellationToken cancellationToken)
    {
        PeerComparison result;
        try
        {
            result = await CompareOnceAsync(peer, notePath, who, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            result = Compared(peer, null, $"unreachable: {e.Message}");
        }

        if (result.Fork)
        {
            LogSplitView(_log, peer.AbsoluteUri, result.Result);
        }

        return result;
    }

    private async Task<PeerComparison> CompareOnceAsync(Uri peer, string notePath, string who, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(peer, notePath), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return Compared(peer, null, $"{who} has no checkpoint note for this log yet");
        }

        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!SignedNote.TryParse(text, out var note, out var why) || !CheckpointNote.TryParse(note!.Text, out var checkpoint, out why))
        {
            return Compared(peer, null, $"{who} served no checkpoint note: {why}");
        }

        if (checkpoint!.Origin != _witness.Config.LogKey.Name || _witness.Config.SignedByLog(note) != true)
        {
            return Compared(peer, checkpoint.Size, $"{who}'s note is not signed by the log (ignored)");
        }

        var state = _witness.State;
        if (state.Note is null)
        {
            return Compared(peer, checkpoint.Size, "nothing cosigned here yet");
        }

        if (checkpoint.Size <= state.Size)
        {
            var fork = _witness.Contradicts(note, checkpoint, state, $"gossip with {peer.AbsoluteUri}");
            return fork is null
                ? Compared(peer, checkpoint.Size, $"consistent at size {checkpoint.Size}")
                : Compared(peer, checkpoint.Size, $"SPLIT VIEW: the log showed {who} another history at size {checkpoint.Size}; evidence: {fork}", fork: true);
        }

        var proven = await ProvesConsistencyAsync(peer, state, checkpoint, cancellationToken);
        if (proven is true)
        {
            return Compared(peer, checkpoint.Size, $"consistent: {who} is at {checkpoint.Size}, its consistency proof from {state.Size} verifies");
        }

        if (proven is null)
        {
            // Fetching a whole ledger every round because a proof was unavailable would be a burden on the other side.
            return Compared(peer, checkpoint.Size, $"not checked: {who} is at {checkpoint.Size} and gave no consistency proof from {state.Size}");
        }

        // A proof that fails: the other side's blocks show whether its history contains ours.
        var leaves = await _witness.LeafHashesAsync(peer, checkpoint, cancellationToken);
        if (leaves is null)
        {
            return Compared(peer, checkpoint.Size, $"not checked: {who} is at {checkpoint.Size}, gives no consistency proof from {state.Size}, and its blocks could not be fetched or do not give its root");
        }

        var split = _witness.Contradicts(note, checkpoint, state, $"gossip with {peer.AbsoluteUri}", leaves);
        return split is null
            ? Compared(peer, checkpoint.Size, $"consistent: {who} is at {checkpoint.Size}; its blocks extend ours")
            : Compared(peer, checkpoint.Size, $"SPLIT VIEW: the log showed {who} another history at size {checkpoint.Size}; evidence: {split}", fork: true);
    }

    /// <summary>Whether the peer's consistency proof from this witness's size to the peer's verifies; null when it
    /// gave none.</summary>
    private async Task<bool?> ProvesConsistencyAsync(Uri peer, WitnessState state, CheckpointNote theirs, CancellationToken cancellationToken)
    {
        try
        {
            var url = new Uri(peer, $"api/ledger/consistency?from={state.Size}&to={theirs.Size}");
            using var doc = JsonDocument.Parse(await _http.GetStringAsync(url, cancellationToken));
            var proof = doc.RootElement.GetProperty("proof").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();
            return MerkleTree.VerifyConsistency(state.Size, theirs.Size, proof, state.Root, theirs.Root);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private PeerComparison Compared(Uri peer, long? size, string result, bool fork = false) =>
        new(peer.AbsoluteUri, _time.GetUtcNow(), size, result, fork);

    [LoggerMessage(Level = LogLevel.Critical, Message = "SPLIT VIEW with peer {Peer}: {Result}")]
    private static partial void LogSplitView(ILogger log, string peer, string result);
}

/// <summary>The last comparison with a peer witness.</summary>
internal sealed record PeerComparison(string Url, DateTimeOffset? At, long? PeerSize, string Result, bool Fork);
