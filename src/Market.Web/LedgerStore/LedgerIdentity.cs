using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>
/// The ledger id: the header hash of the genesis block. Every household statement names it, so a signature made for
/// this community's ledger means nothing in another's (docs/ledger-format.md §3.1).
/// </summary>
public sealed class LedgerIdentity(IDbContextFactory<MarketDbContext> dbFactory)
{
    private byte[]? _id;

    /// <summary>The 32-byte ledger id; fails while the ledger has no genesis block.</summary>
    public async Task<byte[]> IdAsync(CancellationToken cancellationToken = default)
    {
        if (_id is { } known)
        {
            return known;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hash = await db.Blocks.AsNoTracking().Where(b => b.Height == 0).Select(b => b.HeaderHash).SingleOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException("The ledger has no genesis block yet.");
        _id = hash;
        return hash;
    }
}
