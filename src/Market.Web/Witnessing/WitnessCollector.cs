using System.Globalization;
using System.Net;
using System.Text;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Witnessing;

/// <summary>
/// Gathers cosignatures: after each checkpoint (and again after a delay while the quorum is missing) it offers the
/// newest checkpoint to every witness of the sealed policy that has not cosigned it, speaking C2SP tlog-witness
/// (<c>POST add-checkpoint</c> with the old size the witness holds and a consistency proof from it). Each returned
/// cosignature is verified against the witness's key in the policy before it is stored. Runs in the background:
/// sealing and trading never wait for witnesses.
/// </summary>
public sealed partial class WitnessCollector(
    CheckpointNotifier notifier,
    LedgerPublication publication,
    CheckpointNotes notes,
    IDbContextFactory<MarketDbContext> dbFactory,
    IHttpClientFactory httpFactory,
    DemoWitnesses demo,
    IOptions<WitnessingOptions> options,
    TimeProvider time,
    ILogger<WitnessCollector> logger) : BackgroundService
{
    /// <summary>The named HTTP client witnesses are called with.</summary>
    public const string HttpClientName = "witnesses";

    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromSeconds(options.Value.RetrySeconds);
        var wait = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (wait > TimeSpan.Zero)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait);
                try
                {
                    await notifier.WaitAsync(timeout.Token);
                    // A new checkpoint: offer it at once, and start the back-off afresh.
                    retry = TimeSpan.FromSeconds(options.Value.RetrySeconds);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The delay is over.
                }
            }

            notifier.TryTake();
            bool met;
            try
            {
                met = await CollectAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogCollectFailed(logger, e);
                met = false;
            }

            if (met)
            {
                wait = Idle;
                retry = TimeSpan.FromSeconds(options.Value.RetrySeconds);
            }
            else
            {
                wait = retry;
                retry = retry * 2 > MaxRetry ? MaxRetry : retry * 2;
            }
        }
    }

    /// <summary>
    /// Offers the checkpoints signed since the newest witnessed one (oldest first, at most
    /// <see cref="MaxOffered"/>) to the witnesses that have not cosigned them, so each checkpoint gets its
    /// cosignatures even when several were signed in a row. Returns whether the newest one's quorum is met (or there
    /// is nothing to witness).
    /// </summary>
    public async Task<bool> CollectAsync(CancellationToken cancellationToken = default)
    {
        if (await publication.LatestCheckpointAsync(cancellationToken) is not { } latest)
        {
            return true;
        }

        var witnessed = (await notes.LatestWitnessedAsync(cancellationToken))?.Checkpoint.Size ?? 0;
        List<CheckpointEntity> waiting;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            waiting = await db.Checkpoints.AsNoTracking().Where(c => c.Size > witnessed)
                .OrderByDescending(c => c.Size).Take(MaxOffered).ToListAsync(cancellationToken);
        }

        var met = true;
        foreach (var checkpoint in waiting.OrderBy(c => c.Size).Select(LedgerPublication.ToCheckpoint))
        {
            met = await OfferAsync(checkpoint, cancellationToken);
        }

        return met;
    }

    /// <summary>How many unwitnessed checkpoints one round offers; older ones are covered by the newer ones'
    /// consistency proofs.</summary>
    public const int MaxOffered = 16;

    private async Task<bool> OfferAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        if (await notes.NoteAsync(checkpoint, cancellationToken) is not { } note || note.Policy.Policy.Witnesses.Count == 0)
        {
            return true;
        }

        if (note.Cosigners.Count == note.Policy.Policy.Witnesses.Count)
        {
            return true;
        }

        // Offered with the log's signature only: what the witness cosigns is the checkpoint, not others' opinions.
        var offered = new SignedNote(note.Note.Text, [note.Note.Signatures[0]]).Encode();
        var done = note.Cosigners.Select(c => c.Witness).ToHashSet(StringComparer.Ordinal);
        var pending = note.Policy.Policy.Witnesses.Where(w => !done.Contains(w.Name)).ToList();
        await Task.WhenAll(pending.Select(w => OfferAsync(w.Name, w.Key, w.Url ?? demo.UrlOf(w.Name), checkpoint, note.Note.Text, offered, cancellationToken)));
        return (await notes.NoteAsync(checkpoint, cancellationToken))?.QuorumMet ?? true;
    }

    private async Task OfferAsync(string name, NoteVerifierKey key, string? url, Checkpoint checkpoint, string body, string offered, CancellationToken cancellationToken)
    {
        if (url is null)
        {
            await RecordAsync(name, null, "no address for this witness (set Witnessing:Witnesses:N:Url)", cancellationToken);
            return;
        }

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var known = await db.WitnessProgress.AsNoTracking().Where(w => w.Witness == name).Select(w => (long?)w.Size).SingleOrDefaultAsync(cancellationToken);
            if (known > checkpoint.Size)
            {
                // It already holds a newer checkpoint (another node offered it); the next round offers that one.
                return;
            }
        }

        var old = await KnownSizeAsync(name, cancellationToken);
        using var client = httpFactory.CreateClient(HttpClientName);
        client.Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
        var target = new Uri(new Uri(url.EndsWith('/') ? url : url + "/"), "add-checkpoint");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var proof = old == 0 ? [] : await publication.ConsistencyProofAsync(old, checkpoint.Size, cancellationToken);
            if (proof is null)
            {
                await RecordAsync(name, null, string.Create(CultureInfo.InvariantCulture, $"the witness holds size {old}, beyond this ledger's {checkpoint.Size} blocks"), cancellationToken);
                return;
            }

            var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"old {old}\n");
            foreach (var hash in proof)
            {
                request.Append(Convert.ToBase64String(hash)).Append('\n');
            }

            request.Append('\n').Append(offered);
            HttpResponseMessage response;
            string answer;
            try
            {
                using var content = new StringContent(request.ToString(), Encoding.UTF8, "text/plain");
                response = await client.PostAsync(target, content, cancellationToken);
                answer = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await RecordAsync(name, null, "unreachable: " + e.Message, cancellationToken);
                return;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Conflict
                    && long.TryParse(answer.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var held) && held != old)
                {
                    // The witness holds another size than we thought: offer again from there.
                    await RecordAsync(name, held, null, cancellationToken);
                    if (held > checkpoint.Size)
                    {
                        return;
                    }

                    old = held;
                    continue;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    var status = (int)response.StatusCode;
                    await RecordAsync(name, null, string.Create(CultureInfo.InvariantCulture, $"refused with {status}: {Short(answer)}"), cancellationToken);
                    LogRefused(logger, name, checkpoint.Size, status, Short(answer));
                    return;
                }

                await StoreAsync(name, key, checkpoint.Size, body, answer, cancellationToken);
                return;
            }
        }
    }

    private async Task StoreAsync(string name, NoteVerifierKey key, long size, string body, string answer, CancellationToken cancellationToken)
    {
        foreach (var line in answer.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (NoteSignature.TryParseLine(line, out var signature, out _)
                && signature!.Name == key.Name && signature.KeyId == key.KeyId
                && Cosignature.TryVerify(body, signature, key, out var timestamp))
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                if (!await db.Cosignatures.AnyAsync(c => c.Size == size && c.Witness == name, cancellationToken))
                {
                    db.Cosignatures.Add(new CosignatureEntity
                    {
                        Size = size,
                        Witness = name,
                        KeyName = signature.Name,
                        KeyId = signature.KeyId,
                        Signature = signature.Signature,
                        Timestamp = timestamp,
                        ReceivedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
                    });
                    try
                    {
                        await db.SaveChangesAsync(cancellationToken);
                    }
                    catch (DbUpdateException)
                    {
                        // Another node stored this witness's cosignature of the same size first.
                    }
                }

                await RecordAsync(name, size, null, cancellationToken);
                return;
            }
        }

        await RecordAsync(name, null, "answered 200 without a valid cosignature from its key", cancellationToken);
        LogBadCosignature(logger, name, size);
    }

    private async Task<long> KnownSizeAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WitnessProgress.AsNoTracking().Where(w => w.Witness == name).Select(w => w.Size).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Records an attempt: the witness's size when learned (cosigned or told in a 409), or the error.</summary>
    private async Task RecordAsync(string name, long? size, string? error, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = await db.WitnessProgress.SingleOrDefaultAsync(w => w.Witness == name, cancellationToken);
        if (row is null)
        {
            row = new WitnessProgressEntity { Witness = name };
            db.WitnessProgress.Add(row);
        }

        row.LastAttemptMs = now;
        if (size is { } s)
        {
            row.Size = s;
        }

        if (error is null)
        {
            row.LastSuccessMs = size is null ? row.LastSuccessMs : now;
            row.LastError = null;
        }
        else
        {
            row.LastError = error.Length > 1000 ? error[..1000] : error;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node added this witness's row at the same moment; its record will do.
        }
    }

    private static string Short(string text) => text.Length > 200 ? text[..200] : text.Trim();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Witness} refused checkpoint {Size} with {Status}: {Answer}")]
    private static partial void LogRefused(ILogger logger, string witness, long size, int status, string answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Witness} answered checkpoint {Size} without a valid cosignature from its key")]
    private static partial void LogBadCosignature(ILogger logger, string witness, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gathering cosignatures failed; trying again later")]
    private static partial void LogCollectFailed(ILogger logger, Exception exception);
}
