using Microsoft.EntityFrameworkCore;

namespace Market.Web.Witnessing;

/// <summary>What the ledger page shows of witnessing: the policy in force, the newest checkpoint and who cosigned it,
/// the newest witnessed checkpoint, and how each witness is doing.</summary>
public sealed class WitnessingStatus(LedgerPublication publication, CheckpointNotes notes, IDbContextFactory<MarketDbContext> dbFactory, DemoWitnesses demo)
{
    public async Task<WitnessingView?> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (await notes.CurrentPolicyAsync(cancellationToken) is not { } policy)
        {
            return null;
        }

        var latest = await publication.LatestCheckpointAsync(cancellationToken);
        var latestNote = latest is null ? null : await notes.NoteAsync(latest, cancellationToken);
        var witnessed = latestNote is { QuorumMet: true } ? latestNote : await notes.LatestWitnessedAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var progress = await db.WitnessProgress.AsNoTracking().ToListAsync(cancellationToken);
        var witnesses = policy.Policy.Witnesses
            .Select(w => progress.SingleOrDefault(p => p.Witness == w.Name) is { } p
                ? new WitnessRow(w.Name, demo.IsDemo(w.Name), p.Size, p.LastSuccessMs, p.LastError)
                : new WitnessRow(w.Name, demo.IsDemo(w.Name), 0, null, null))
            .ToList();
        return new WitnessingView(policy, latestNote, witnessed, witnesses);
    }
}

/// <summary>The witnessing state at one moment.</summary>
/// <param name="Policy">The sealed policy in force.</param>
/// <param name="Latest">The newest checkpoint's note and cosigners, or null before the first.</param>
/// <param name="Witnessed">The newest checkpoint that met its quorum, or null.</param>
/// <param name="Witnesses">Each witness of the policy.</param>
public sealed record WitnessingView(SealedPolicy Policy, WitnessedNote? Latest, WitnessedNote? Witnessed, IReadOnlyList<WitnessRow> Witnesses)
{
    /// <summary>Whether every witness is one the app runs itself for the demo.</summary>
    public bool OnlyDemoWitnesses => Witnesses.Count > 0 && Witnesses.All(w => w.Demo);
}

/// <summary>One witness: its policy name, whether the demo runs it, the size it holds, its last success and error.</summary>
public sealed record WitnessRow(string Name, bool Demo, long Size, long? LastSuccessMs, string? LastError);
