using Market.Ledger;
using Market.Replay;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>The outcome of verifying the stored chain.</summary>
public sealed record ChainReport(bool IsValid, long BlockCount, long TradeCount, string Message, VerificationFailure? Failure);

/// <summary>Runs <c>Market.Ledger</c>'s chain verifier, with clearing replay, over the blocks as stored.</summary>
public sealed class ChainVerification(MatchingReplayer replayer, LedgerPublication publication)
{
    public async Task<ChainReport> VerifyAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        // The latest published checkpoint, so verification also checks the ledger-wide tree it signs.
        if (await publication.LatestCheckpointAsync(cancellationToken) is not { } checkpoint)
        {
            return new ChainReport(false, 0, 0, "The ledger has no signed checkpoint yet.", null);
        }

        var blocks = await db.Blocks.AsNoTracking().Where(b => b.Height < checkpoint.Size).OrderBy(b => b.Height).ToListAsync(cancellationToken);
        var leaves = (await db.BlockLeaves.AsNoTracking().OrderBy(l => l.BlockHeight).ThenBy(l => l.Index).ToListAsync(cancellationToken))
            .ToLookup(l => l.BlockHeight, l => l.Data);
        var ledgerBlocks = blocks.Select(b => new LedgerBlock(b.Header, b.Signature, leaves[b.Height]));
        var result = ChainVerifier.Verify(ledgerBlocks, checkpoint, replayer);
        return new ChainReport(result.IsValid, result.BlockCount, result.TradeCount,
            result.IsValid ? $"{result.BlockCount} blocks and {result.TradeCount} trades verified, every clearing replayed." : result.Failure!.ToString(),
            result.Failure);
    }
}
