using System.Text;

namespace Market.Web.Witnessing;

/// <summary>The checkpoint in the witnesses' own form, and the sealed policy: read by anyone, no sign-in.</summary>
public static class WitnessingEndpoints
{
    public static WebApplication MapWitnessing(this WebApplication app)
    {
        var ledger = app.MapGroup("/api/ledger").WithTags("Ledger").RequireRateLimiting(RateLimits.Ledger);
        ledger.MapGet("/checkpoint.note", async (LedgerPublication publication, CheckpointNotes notes, bool? witnessed, CancellationToken ct) =>
        {
            var note = witnessed == true
                ? await notes.LatestWitnessedAsync(ct)
                : await publication.LatestCheckpointAsync(ct) is { } latest ? await notes.NoteAsync(latest, ct) : null;
            return note is null
                ? Results.Problem(statusCode: 404, title: "No checkpoint note", detail: witnessed == true
                    ? "No checkpoint has met the witness policy's quorum yet."
                    : "The ledger has no checkpoint under a sealed witness policy yet.")
                : Results.Text(note.Note.Encode(), "text/plain; charset=utf-8", Encoding.UTF8);
        }).WithSummary("The newest checkpoint as a C2SP signed note (tlog-checkpoint) with the log's signature and every cosignature gathered; witnessed=true: the newest that met the quorum");
        ledger.MapGet("/witness-policy", async (CheckpointNotes notes, CancellationToken ct) =>
            await notes.CurrentPolicyAsync(ct) is { } policy
                ? Results.Text(policy.Policy.Encode(), "text/plain; charset=utf-8", Encoding.UTF8)
                : Results.Problem(statusCode: 404, title: "No witness policy", detail: "The ledger has no sealed witness policy yet."))
            .WithSummary("The witness policy in force, as sealed in the ledger (C2SP tlog-policy)");
        ledger.MapGet("/witnesses", async (WitnessingStatus status, CancellationToken ct) =>
            await status.ReadAsync(ct) is { } view
                ? Results.Ok(new
                {
                    origin = view.Policy.Origin,
                    policyHeight = view.Policy.Height,
                    threshold = view.Policy.Policy.Threshold,
                    latest = view.Latest is { } l ? new { size = l.Checkpoint.Size, quorumMet = l.QuorumMet, cosigners = l.Cosigners.Select(c => c.Witness) } : null,
                    witnessed = view.Witnessed is { } w ? new { size = w.Checkpoint.Size, sealedAtMs = w.Checkpoint.TimestampUnixMs, quorumAtMs = w.QuorumAtMs, cosigners = w.Cosigners.Select(c => c.Witness) } : null,
                    witnesses = view.Witnesses.Select(x => new { name = x.Name, demo = x.Demo, size = x.Size, lastSuccessMs = x.LastSuccessMs, lastError = x.LastError }),
                })
                : Results.Problem(statusCode: 404, title: "No witness policy", detail: "The ledger has no sealed witness policy yet."))
            .WithSummary("How witnessing stands: the policy, the newest checkpoint's cosigners, the newest witnessed checkpoint, each witness");
        return app;
    }
}
