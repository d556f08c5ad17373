using System.Text;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>
/// Checkpoints in the form witnesses speak (C2SP tlog-checkpoint signed notes): the body (origin, size, base64
/// root), the log key's signature, and every cosignature gathered so far. The origin and the witness policy are
/// the ones sealed in the ledger (block kind 7), so what is published here can be checked against the ledger alone.
/// </summary>
public sealed class CheckpointNotes(IDbContextFactory<MarketDbContext> dbFactory, LogKeyStore logKey)
{
    private readonly Lock _lock = new();
    private (long Height, WitnessPolicy Policy)[] _policies = [];

    /// <summary>The witness policy in force for a checkpoint of <paramref name="size"/> blocks (the last policy block
    /// below it), or null when none is sealed there.</summary>
    public async Task<SealedPolicy?> PolicyAtAsync(long size, CancellationToken cancellationToken = default)
    {
        var policies = await PoliciesAsync(cancellationToken);
        for (var i = policies.Length - 1; i >= 0; i--)
        {
            if (policies[i].Height < size)
            {
                return new SealedPolicy(policies[i].Height, policies[i].Policy);
            }
        }

        return null;
    }

    /// <summary>The newest sealed policy, or null before the first.</summary>
    public async Task<SealedPolicy?> CurrentPolicyAsync(CancellationToken cancellationToken = default) =>
        await PolicyAtAsync(long.MaxValue, cancellationToken);

    /// <summary>The checkpoint's note signed by the log key, with every verified cosignature stored for its size;
    /// null when no policy (so no origin) is sealed below it or the log key is missing.</summary>
    public async Task<WitnessedNote?> NoteAsync(Checkpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (await PolicyAtAsync(checkpoint.Size, cancellationToken) is not { } policy || logKey.Existing is not { } key)
        {
            return null;
        }

        var origin = policy.Origin;
        if (key.Name != origin || !policy.Policy.Logs.Any(l => l.Key.SameKey(key.VerifierKey)))
        {
            return null;
        }

        var body = new CheckpointNote(origin, checkpoint.Size, checkpoint.Root, []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, key)]);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var cosignatures = await db.Cosignatures.AsNoTracking().Where(c => c.Size == checkpoint.Size).OrderBy(c => c.Witness).ToListAsync(cancellationToken);
        foreach (var c in cosignatures)
        {
            note = note.WithSignature(new NoteSignature(c.KeyName, (uint)c.KeyId, c.Signature));
        }

        return new WitnessedNote(checkpoint, note, policy, cosignatures.Select(c => new Cosigner(c.Witness, c.Timestamp, c.ReceivedAtMs)).ToList());
    }

    /// <summary>The newest checkpoint whose cosignatures meet the policy in force for it, with its note; null when none.</summary>
    public async Task<WitnessedNote?> LatestWitnessedAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The newest checkpoint first: under a policy that needs no cosignature ("quorum none") it is witnessed as is.
        var newest = await db.Checkpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(cancellationToken);
        if (newest is not null && await NoteAsync(LedgerPublication.ToCheckpoint(newest), cancellationToken) is { QuorumMet: true } latest)
        {
            return latest;
        }

        // Newest first; each candidate is one small query, and the newest witnessed one is normally among the first.
        var sizes = await db.Cosignatures.AsNoTracking().Select(c => c.Size).Distinct().OrderByDescending(s => s).Take(64).ToListAsync(cancellationToken);
        foreach (var size in sizes)
        {
            var entity = await db.Checkpoints.AsNoTracking().SingleOrDefaultAsync(c => c.Size == size, cancellationToken);
            if (entity is not null && await NoteAsync(LedgerPublication.ToCheckpoint(entity), cancellationToken) is { QuorumMet: true } note)
            {
                return note;
            }
        }

        return null;
    }

    /// <summary>Forgets the cached policies (after a policy block is sealed on this node).</summary>
    public void PolicyChanged()
    {
        lock (_lock)
        {
            _policies = [];
        }
    }

    private async Task<(long Height, WitnessPolicy Policy)[]> PoliciesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var count = await db.Blocks.AsNoTracking().CountAsync(b => b.Kind == (byte)BlockKind.WitnessPolicy, cancellationToken);
        lock (_lock)
        {
            if (_policies.Length == count)
            {
                return _policies;
            }
        }

        var rows = await db.Blocks.AsNoTracking()
            .Where(b => b.Kind == (byte)BlockKind.WitnessPolicy)
            .Join(db.BlockLeaves, b => b.Height, l => l.BlockHeight, (b, l) => new { b.Height, l.Data })
            .OrderBy(x => x.Height)
            .ToListAsync(cancellationToken);
        var policies = rows.Select(r => WitnessPolicy.TryParse(Encoding.UTF8.GetString(r.Data), out var p, out var error)
                ? (r.Height, p!)
                : throw new InvalidOperationException($"The witness policy sealed at height {r.Height} does not parse: {error}"))
            .ToArray();
        lock (_lock)
        {
            _policies = policies;
        }

        return policies;
    }
}

/// <summary>A witness policy as sealed in the ledger.</summary>
/// <param name="Height">The policy block's height.</param>
/// <param name="Policy">The policy.</param>
public sealed record SealedPolicy(long Height, WitnessPolicy Policy)
{
    /// <summary>The ledger's origin: the name of the policy's log key.</summary>
    public string Origin => Policy.Logs[0].Key.Name;
}

/// <summary>A witness that cosigned, with its own timestamp (Unix seconds) and when the market received it (Unix ms).</summary>
public sealed record Cosigner(string Witness, long Timestamp, long ReceivedAtMs);

/// <summary>A checkpoint's signed note with its cosigners under the policy in force for it.</summary>
public sealed record WitnessedNote(Checkpoint Checkpoint, SignedNote Note, SealedPolicy Policy, IReadOnlyList<Cosigner> Cosigners)
{
    /// <summary>Whether the cosigners meet the policy's quorum.</summary>
    public bool QuorumMet => Policy.Policy.IsSatisfiedBy(Cosigners.Select(c => c.Witness).ToHashSet());

    /// <summary>When the quorum was first met (Unix ms), or null: the time the cosignature that completed it arrived.</summary>
    public long? QuorumAtMs
    {
        get
        {
            var have = new HashSet<string>();
            foreach (var c in Cosigners.OrderBy(c => c.ReceivedAtMs))
            {
                have.Add(c.Witness);
                if (Policy.Policy.IsSatisfiedBy(have))
                {
                    return c.ReceivedAtMs;
                }
            }

            return Policy.Policy.IsSatisfiedBy(have) && Cosigners.Count == 0 ? Checkpoint.TimestampUnixMs : null;
        }
    }
}
