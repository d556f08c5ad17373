using System.Text;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Witnessing;

/// <summary>
/// Seals the witness policy in the ledger (block kind 7) at start whenever the configured one differs from the one in
/// force: the log's note key (named by the origin) and the witnesses with their threshold. The origin is fixed by the
/// first policy and never changes; the first start makes the log key.
/// </summary>
public sealed partial class WitnessPolicySealer(
    IDbContextFactory<MarketDbContext> dbFactory,
    LedgerGate gate,
    LedgerWriter ledger,
    LogKeyStore logKey,
    CheckpointNotes notes,
    LedgerIdentity identity,
    DemoWitnesses demo,
    IOptions<WitnessingOptions> options,
    IOptions<PublicLinkOptions> links,
    MarketClock clock,
    ILogger<WitnessPolicySealer> logger)
{
    /// <summary>The policy the configuration asks for, with the log key named by <paramref name="origin"/>.</summary>
    public WitnessPolicy Configured(string origin)
    {
        var key = logKey.GetOrCreate(origin);
        var witnesses = options.Value.Witnesses
            .Select(w => (w.Name, Key: Parse(w.Key!), (string?)w.Url))
            .Concat(demo.Witnesses.Select(w => (w.Name, w.Key, (string?)null)))
            .ToList();
        var threshold = options.Value.Witnesses.Count == 0 ? witnesses.Count : options.Value.ThresholdFor(witnesses.Count);
        return WitnessPolicy.Create(key.VerifierKey, links.Value.PublicBaseUrl, witnesses, threshold);
    }

    /// <summary>Seals the configured policy unless it is the one in force. Idempotent; safe on several nodes.</summary>
    public async Task EnsureSealedAsync(CancellationToken cancellationToken = default)
    {
        var current = await notes.CurrentPolicyAsync(cancellationToken);
        var origin = current?.Origin ?? options.Value.Origin ?? await DefaultOriginAsync(cancellationToken);
        if (current is not null && options.Value.Origin is { } configured && configured != current.Origin)
        {
            throw new InvalidOperationException(
                $"Witnessing:Origin is '{configured}', but the ledger's origin is '{current.Origin}' and never changes. Remove the setting or restore it.");
        }

        var policy = Configured(origin);
        var text = policy.Encode();
        if (current?.Policy.Encode() == text)
        {
            return;
        }

        await gate.SealAsync(async () =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LedgerLock.AcquireAsync(db, cancellationToken);
            // Again under the lock: another node may have sealed the same policy since.
            var latest = await db.Blocks.AsNoTracking()
                .Where(b => b.Kind == (byte)BlockKind.WitnessPolicy)
                .OrderByDescending(b => b.Height)
                .Join(db.BlockLeaves, b => b.Height, l => l.BlockHeight, (b, l) => l.Data)
                .FirstOrDefaultAsync(cancellationToken);
            if (latest is not null && Encoding.UTF8.GetString(latest) == text)
            {
                return false;
            }

            var tip = await LedgerWriter.TipAsync(db, cancellationToken);
            var block = BlockSealer.SealWitnessPolicy(tip, await ledger.SigningKeyAsync(db, cancellationToken), policy, clock.Now);
            LedgerWriter.Add(db, block);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            notes.PolicyChanged();
            LogSealed(logger, block.Header.Height, policy.Witnesses.Count, policy.Threshold, origin);
            return true;
        }, cancellationToken);
    }

    private async Task<string> DefaultOriginAsync(CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(links.Value.PublicBaseUrl, UriKind.Absolute, out var url))
        {
            return url.Host + url.AbsolutePath.TrimEnd('/') + "/ledger";
        }

        return "energy-market.invalid/" + Convert.ToHexStringLower(await identity.IdAsync(cancellationToken))[..16];
    }

    private static NoteVerifierKey Parse(string vkey) =>
        NoteVerifierKey.TryParse(vkey, out var key, out var error) ? key! : throw new InvalidOperationException(error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed the witness policy at height {Height}: {Count} witnesses, {Threshold} needed, origin {Origin}")]
    private static partial void LogSealed(ILogger logger, long height, int count, int threshold, string origin);
}
