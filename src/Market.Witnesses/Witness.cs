using System.Globalization;
using Market.Ledger;
using Microsoft.Extensions.Logging;

namespace Market.Witnesses;

/// <summary>
/// A C2SP tlog-witness for one market's ledger that cosigns only what it verified itself. Before cosigning a
/// checkpoint note it fetches the new blocks from the log, verifies them (every rule, every clearing replayed)
/// continuing from its replica, checks the note's root is the root of those blocks, and persists its state; it never
/// cosigns a smaller tree or one inconsistent with what it cosigned, and turns any log-signed note that contradicts
/// its replica into fork evidence. Requests are serialized (one lock: one origin per witness).
/// </summary>
internal sealed partial class Witness : IDisposable
{
    private readonly WitnessConfig _config;
    private readonly NoteSigningKey _key;
    private readonly Replica _replica;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile WitnessState _state;

    private Witness(WitnessConfig config, NoteSigningKey key, WitnessState state, Replica replica, HttpClient http, TimeProvider time, ILogger log)
    {
        _config = config;
        _key = key;
        _state = state;
        _replica = replica;
        _http = http;
        _time = time;
        _log = log;
        Evidence = new EvidenceStore(config.DataFolder, time);
    }

    public WitnessConfig Config => _config;

    /// <summary>This witness's verifier key (what a market adds to its policy).</summary>
    public NoteVerifierKey VerifierKey => _key.VerifierKey;

    /// <summary>The latest persisted state (what it cosigned last).</summary>
    public WitnessState State => _state;

    public Replica Replica => _replica;

    public EvidenceStore Evidence { get; }

    /// <summary>
    /// Opens a witness from its data folder: the key (generated at the first start), the state, the replica
    /// (cut back to the state and re-verified from the disk). Null with the reason when it cannot start.
    /// </summary>
    public static Witness? Open(WitnessConfig config, HttpClient http, TimeProvider time, ILogger log, out bool keyCreated, out string? problem)
    {
        var key = WitnessKeyFile.LoadOrCreate(config.DataFolder, config.Name, out keyCreated, out problem);
        if (key is null)
        {
            return null;
        }

        var statePath = Path.Combine(config.DataFolder, WitnessState.FileName);
        var state = WitnessState.Empty(config.LogKey.Name);
        if (File.Exists(statePath))
        {
            var read = WitnessState.Read(statePath, out var why);
            if (read is null)
            {
                problem = $"{statePath} is unreadable: {why}";
                return null;
            }

            state = read;

            if (state.Origin != config.LogKey.Name)
            {
                problem = $"{statePath} is the state of log \"{state.Origin}\", not \"{config.LogKey.Name}\"";
                return null;
            }
        }

        Replica replica;
        try
        {
            replica = Replica.Open(config.DataFolder, state, new ChainVerifierOptions { TrustedGenesisKeyId = config.TrustedGenesisKeyId }, time);
        }
        catch (InvalidDataException e)
        {
            problem = $"the replica does not match the state, refusing to start: {e.Message}";
            return null;
        }

        return new Witness(config, key, state, replica, http, time, log);
    }

    /// <summary>The latest cosigned note (the log's signatures and this witness's cosignature), or null.</summary>
    public string? CosignedNote => _state.Note;

    /// <summary>Handles a tlog-witness add-checkpoint body.</summary>
    public async Task<WitnessAnswer> AddCheckpointAsync(byte[] body, CancellationToken cancellationToken)
    {
        if (!AddCheckpointRequest.TryParse(body, out var request, out var error))
        {
            return WitnessAnswer.BadRequest(error!);
        }

        if (!SignedNote.TryParse(request!.Note, out var note, out error))
        {
            return WitnessAnswer.BadRequest($"the checkpoint is not a signed note: {error}");
        }

        if (!CheckpointNote.TryParse(note!.Text, out var checkpoint, out error))
        {
            return WitnessAnswer.BadRequest($"the note is not a checkpoint: {error}");
        }

        if (checkpoint!.Origin != _config.LogKey.Name)
        {
            return WitnessAnswer.Text(404, $"unknown origin \"{checkpoint.Origin}\"");
        }

        var signed = _config.SignedByLog(note);
        if (signed != true)
        {
            return WitnessAnswer.Text(403, signed is null ? "no signature from the log's key" : "the log's signature does not verify");
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            return await AddLockedAsync(request, note, checkpoint, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<WitnessAnswer> AddLockedAsync(AddCheckpointRequest request, SignedNote note, CheckpointNote checkpoint, CancellationToken cancellationToken)
    {
        var state = _state;
        var (old, size) = (request.OldSize, checkpoint.Size);
        if (old > size)
        {
            Contradicts(note, checkpoint, state, "add-checkpoint");
            return WitnessAnswer.BadRequest($"old size {old} is larger than the checkpoint's size {size}");
        }

        if (old != state.Size)
        {
            Contradicts(note, checkpoint, state, "add-checkpoint");
            return new WitnessAnswer(409, "text/x.tlog.size", string.Create(CultureInfo.InvariantCulture, $"{state.Size}\n"));
        }

        if (size == 0)
        {
            return !checkpoint.Root.AsSpan().SequenceEqual(MerkleTree.EmptyRoot())
                ? WitnessAnswer.Text(422, "a checkpoint of size 0 must have the empty tree's root")
                : request.Proof.Count != 0 ? WitnessAnswer.Text(422, "old size 0 takes no consistency proof") : Cosign(note, checkpoint, state, null);
        }

        if (old == 0 && request.Proof.Count != 0)
        {
            return WitnessAnswer.Text(422, "old size 0 takes no consistency proof");
        }

        if (size == state.Size)
        {
            if (!checkpoint.Root.AsSpan().SequenceEqual(state.Root) || request.Proof.Count != 0)
            {
                Contradicts(note, checkpoint, state, "add-checkpoint");
                return WitnessAnswer.Text(422, request.Proof.Count != 0 ? "equal sizes take no consistency proof" : "same size as the checkpoint cosigned last, but another root");
            }

            return Cosign(note, checkpoint, state, null);
        }

        if (old > 0 && !MerkleTree.VerifyConsistency(old, size, request.Proof, state.Root, checkpoint.Root))
        {
            // The log's own blocks for the new note show whether it forked or merely sent a bad proof.
            var leaves = await LeafHashesAsync(_config.LogUrl, checkpoint, cancellationToken);
            var fork = leaves is null ? null : Contradicts(note, checkpoint, state, "add-checkpoint", leaves);
            return WitnessAnswer.Text(422, fork is null
                ? $"the consistency proof from {old} to {size} does not verify"
                : $"the consistency proof from {old} to {size} does not verify: the log forked (evidence written)");
        }

        return await VerifyAndCosignAsync(note, checkpoint, state, cancellationToken);
    }

    /// <summary>Fetches [state size, new size) from the log, verifies and appends them, then persists and cosigns.</summary>
    private async Task<WitnessAnswer> VerifyAndCosignAsync(SignedNote note, CheckpointNote checkpoint, WitnessState state, CancellationToken cancellationToken)
    {
        AppendOutcome outcome;
        try
        {
            using var response = await _http.GetAsync(WitnessConfig.ExportRange(_config.LogUrl, state.Size, checkpoint.Size), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var why = $"the log answered {(int)response.StatusCode} for blocks [{state.Size}, {checkpoint.Size})";
                LogRefused(_log, checkpoint.Size, why);
                return WitnessAnswer.Text(response.StatusCode == System.Net.HttpStatusCode.NotFound ? 422 : 503, $"cannot verify: {why}");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            outcome = await Task.Run(() => _replica.Append(stream, note, checkpoint.Size, _time), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            _replica.Rollback();
            LogRefused(_log, checkpoint.Size, e.Message);
            return WitnessAnswer.Text(503, $"cannot fetch the log's blocks [{state.Size}, {checkpoint.Size}): {e.Message}");
        }

        if (outcome.Problem is null && !outcome.Root.AsSpan().SequenceEqual(checkpoint.Root))
        {
            outcome = outcome with { Problem = $"the note's root is not the root of the log's {checkpoint.Size} blocks" };
        }

        if (outcome.Problem is not null)
        {
            _replica.Rollback();
            LogRefused(_log, checkpoint.Size, outcome.Problem);
            return WitnessAnswer.Text(422, outcome.Problem);
        }

        try
        {
            return Cosign(note, checkpoint, state, outcome);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _replica.Rollback();
            throw;
        }
    }

    /// <summary>Persists the new state (when it grew or was never cosigned), then answers with a cosignature.</summary>
    private WitnessAnswer Cosign(SignedNote note, CheckpointNote checkpoint, WitnessState state, AppendOutcome? appended)
    {
        var cosignature = Cosignature.Sign(note.Text, _time.GetUtcNow().ToUnixTimeSeconds(), _key);
        if (appended is not null || state.Note is null)
        {
            var logSignatures = note.Signatures.Where(s => _config.LogKeys.Any(s.IsFrom));
            var kept = new SignedNote(note.Text, [.. logSignatures, cosignature]);
            var next = new WitnessState(checkpoint.Origin, checkpoint.Size, checkpoint.Root, kept.Encode(),
                appended?.MarketCheckpoint ?? state.MarketCheckpoint, appended?.Length ?? _replica.CommittedLength);
            Durable.ReplaceFile(Path.Combine(_config.DataFolder, WitnessState.FileName), next.ToBytes());
            if (appended is not null)
            {
                _replica.Commit();
            }

            _state = next;
            var root = Convert.ToBase64String(checkpoint.Root);
            LogCosigned(_log, checkpoint.Size, root);
        }

        return new WitnessAnswer(200, "text/plain; charset=utf-8", cosignature.ToLine());
    }

    /// <summary>
    /// Checks a log-signed note against what this witness cosigned: at a size it has, the roots must agree; at a
    /// larger size, <paramref name="largerLeaves"/> (the leaf hashes of the note's tree, checked to reproduce its
    /// root) must have a prefix giving the cosigned root. A contradiction is written as fork evidence.
    /// </summary>
    /// <remarks>Without <paramref name="largerLeaves"/> a larger note is not checked (a request merely out of date is
    /// no sign of a fork, and fetching a whole ledger for it would be a burden).</remarks>
    /// <returns>The evidence file (or a sentence when it was recorded before), or null when there is no provable fork.</returns>
    internal string? Contradicts(SignedNote note, CheckpointNote checkpoint, WitnessState state, string source, IReadOnlyList<byte[]>? largerLeaves = null)
    {
        if (state.Note is null || state.Size == 0 || checkpoint.Size == 0 || (checkpoint.Size > state.Size && largerLeaves is null)
            || !SignedNote.TryParse(state.Note, out var ours, out _))
        {
            return null;
        }

        IReadOnlyList<byte[]> leaves;
        if (checkpoint.Size <= state.Size)
        {
            if (_replica.RootAt(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.Root))
            {
                return null;
            }

            leaves = _replica.LeafHashes(state.Size);
        }
        else
        {
            leaves = largerLeaves!;
        }

        // Evidence names one key that signed both notes (across a key change there may be none: not provable this way).
        var key = _config.KeySigningBoth(ours, note);
        var evidence = key is null ? null : ForkEvidence.Build(key, ours, note, leaves);
        if (evidence is null || !evidence.Verify(out _))
        {
            return null;
        }

        var file = Evidence.Write(evidence);
        if (file is not null)
        {
            LogFork(_log, source, state.Size, checkpoint.Size, file);
        }

        return file ?? "(recorded before)";
    }

    /// <summary>The leaf hashes of the first <paramref name="checkpoint"/>.Size blocks served at <paramref name="baseUrl"/>
    /// (<c>export?from=0&amp;to=N</c>), when they reproduce the note's root; else null (logged).</summary>
    internal async Task<IReadOnlyList<byte[]>?> LeafHashesAsync(Uri baseUrl, CheckpointNote checkpoint, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(WitnessConfig.ExportRange(baseUrl, 0, checkpoint.Size), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var leaves = await Task.Run(() => new LedgerExportReader(stream).ReadBlocks().Select(b => MerkleTree.HashLeaf(BlockHeader.Hash(b.HeaderBytes))).ToList(), cancellationToken);
            var tree = new CompactMerkleTree();
            foreach (var leaf in leaves)
            {
                tree.AppendLeafHash(leaf);
            }

            if (leaves.Count == checkpoint.Size && tree.Root().AsSpan().SequenceEqual(checkpoint.Root))
            {
                return leaves;
            }

            LogUnprovable(_log, baseUrl.AbsoluteUri, checkpoint.Size, "its blocks do not reproduce the note's root");
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or LedgerFormatException)
        {
            LogUnprovable(_log, baseUrl.AbsoluteUri, checkpoint.Size, e.Message);
            return null;
        }
    }

    public void Dispose()
    {
        _replica.Dispose();
        _lock.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cosigned size {Size}, root {Root}")]
    private static partial void LogCosigned(ILogger log, long size, string root);

    [LoggerMessage(Level = LogLevel.Warning, Message = "refused to cosign size {Size}: {Reason}")]
    private static partial void LogRefused(ILogger log, long size, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "FORK: the log signed a checkpoint of size {Theirs} ({Source}) that contradicts the cosigned size {Ours}; evidence: {File}")]
    private static partial void LogFork(ILogger log, string source, long ours, long theirs, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot check the blocks of size {Size} served by {Url}: {Reason}")]
    private static partial void LogUnprovable(ILogger log, string url, long size, string reason);
}

/// <summary>An HTTP answer of the witness protocol.</summary>
internal sealed record WitnessAnswer(int Status, string ContentType, string Body)
{
    public static WitnessAnswer Text(int status, string message) => new(status, "text/plain; charset=utf-8", message + "\n");

    public static WitnessAnswer BadRequest(string message) => Text(400, message);
}
