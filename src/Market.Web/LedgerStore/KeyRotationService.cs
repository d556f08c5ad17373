using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>A rotation this node sealed: the key event block, and the key ids before and after.</summary>
public sealed record KeyRotated(long BlockHeight, string PreviousKeyId, string KeyId);

/// <summary>
/// Replaces the operator's signing key with a new one (ADR 15): the new key is written next to the current one,
/// a key event introducing it and retiring the current one is sealed and signed by the current key under the ledger
/// lock, then the new key becomes the key file and signs everything after, starting with the gate's checkpoint. The old key
/// is kept as <c>.retired-</c>id next to it; it signs nothing again.
/// </summary>
public sealed partial class KeyRotationService(
    IDbContextFactory<MarketDbContext> dbFactory,
    SigningKeyStore keys,
    LedgerGate gate,
    TimeProvider time,
    ILogger<KeyRotationService> logger)
{
    public Task<KeyRotated> RotateAsync(CancellationToken cancellationToken = default) =>
        gate.SealAsync(async () =>
        {
            var next = keys.Stage();
            KeyRotated rotated;
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await LedgerLock.AcquireAsync(db, cancellationToken);
                var current = await keys.CurrentAsync(db, cancellationToken);
                // A node starting meanwhile settles staged keys the ledger does not know yet: write it again if so.
                keys.EnsureStaged(next);
                var tip = await LedgerWriter.TipAsync(db, cancellationToken);
                var now = time.GetUtcNow();
                var sealedAt = now.ToUnixTimeMilliseconds() < tip.LastSealedAtUnixMs ? DateTimeOffset.FromUnixTimeMilliseconds(tip.LastSealedAtUnixMs) : now;
                var block = BlockSealer.SealKeyRotation(tip, current, next.PublicKey, sealedAt);
                LedgerWriter.Add(db, block);
                // From here on a cancelled request must not leave the outcome unknown.
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
                rotated = new KeyRotated(block.Header.Height, Convert.ToHexStringLower(current.KeyId), Convert.ToHexStringLower(next.KeyId));
            }
            catch
            {
                // A failed commit may have committed after all: the ledger decides whether the staged key is kept.
                keys.ForgetPending();
                try
                {
                    await keys.SettleStagedAsync(dbFactory, CancellationToken.None);
                }
                catch (Exception settle) when (settle is InvalidOperationException or DbUpdateException or System.Data.Common.DbException or IOException)
                {
                    LogSettleFailed(logger, settle.Message);
                }

                throw;
            }

            keys.Promote(next);
            LogRotated(logger, rotated.PreviousKeyId, rotated.KeyId, rotated.BlockHeight);
            return rotated;
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "A failed key rotation could not be settled now ({Reason}); the next start settles it")]
    private static partial void LogSettleFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotated the signing key {Previous} to {KeyId} in block {Height}")]
    private static partial void LogRotated(ILogger logger, string previous, string keyId, long height);
}
