using Market.Ledger;
using Market.Web.Clearing;
using Market.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>A rotation this node sealed: the key event block, and the key ids before and after.</summary>
public sealed record KeyRotated(long BlockHeight, string PreviousKeyId, string KeyId);

/// <summary>
/// Replaces the operator's signing key with a new one (ADR 15): the new key is written next to the current one,
/// a key event introducing it and retiring the current one is sealed and signed by the current key under the ledger
/// lock, then the new key becomes the key file and signs everything after, starting with a checkpoint. The old key
/// is kept as <c>.retired-</c>id next to it; it signs nothing again.
/// </summary>
public sealed partial class KeyRotationService(
    IDbContextFactory<MarketDbContext> dbFactory,
    SigningKeyStore keys,
    ClearingService clearing,
    LedgerPublication publication,
    TimeProvider time,
    ILogger<KeyRotationService> logger)
{
    public Task<KeyRotated> RotateAsync(CancellationToken cancellationToken = default) =>
        clearing.ExclusiveAsync(async () =>
        {
            await using (var settle = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                await keys.SettleStagedAsync(settle, cancellationToken);
            }

            var next = keys.StageNext();
            KeyRotated rotated;
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await LedgerLock.AcquireAsync(db, cancellationToken);
                var current = await keys.CurrentAsync(db, cancellationToken);
                var tip = await LedgerWriter.TipAsync(db, cancellationToken);
                var now = time.GetUtcNow();
                var sealedAt = now.ToUnixTimeMilliseconds() < tip.LastSealedAtUnixMs ? DateTimeOffset.FromUnixTimeMilliseconds(tip.LastSealedAtUnixMs) : now;
                var block = BlockSealer.SealKeyRotation(tip, current, next.PublicKey, sealedAt);
                LedgerWriter.Add(db, block);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                rotated = new KeyRotated(block.Header.Height, Convert.ToHexStringLower(current.KeyId), Convert.ToHexStringLower(next.KeyId));
            }
            catch
            {
                // Perhaps not sealed (a failed commit may still have committed): the staged key signs nothing here
                // and stays on disk until the ledger says which (at the next rotation or start).
                keys.ForgetPending();
                throw;
            }

            keys.Promote(next);
            LogRotated(logger, rotated.PreviousKeyId, rotated.KeyId, rotated.BlockHeight);
            await publication.LatestCheckpointAsync(cancellationToken);
            return rotated;
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotated the signing key {Previous} to {KeyId} in block {Height}")]
    private static partial void LogRotated(ILogger logger, string previous, string keyId, long height);
}
