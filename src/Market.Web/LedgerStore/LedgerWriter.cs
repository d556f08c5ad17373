using System.Data.Common;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.LedgerStore;

/// <summary>Appends sealed blocks to the database and keeps the genesis block and the signing key in step.</summary>
public sealed partial class LedgerWriter(
    SigningKeyStore keys,
    IDbContextFactory<MarketDbContext> dbFactory,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<CommunityOptions> community,
    RulesBook rulesBook,
    ILogger<LedgerWriter> logger)
{
    /// <summary>The community's rules as configured, in the ledger's form, effective from <paramref name="effectiveFrom"/>.</summary>
    public RulesRecord ConfiguredRules(long effectiveFrom) => RulesBook.FromOptions(community.Value, effectiveFrom);

    public SigningKey Key => keys.Key;

    /// <summary>The key to seal with, checked against the ledger's key events; call under the ledger lock.</summary>
    public Task<SigningKey> SigningKeyAsync(MarketDbContext db, CancellationToken cancellationToken) => keys.CurrentAsync(db, cancellationToken);

    /// <summary>Where the next block goes: height, previous header hash, next trade id, last sealing time.</summary>
    public static async Task<ChainTip> TipAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        var last = await db.Blocks.AsNoTracking().OrderByDescending(b => b.Height).Select(b => b.Header).FirstOrDefaultAsync(cancellationToken);
        if (last is null)
        {
            return ChainTip.Genesis;
        }

        var nextTradeId = (await db.Trades.MaxAsync(t => (long?)t.Id, cancellationToken) ?? 0) + 1;
        return ChainTip.After(BlockHeader.Decode(last), nextTradeId);
    }

    /// <summary>Stages a sealed block and its leaves in <paramref name="db"/>; the caller commits.</summary>
    public static void Add(MarketDbContext db, SealedBlock block)
    {
        var header = block.Header;
        db.Blocks.Add(ToEntity(block));
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            db.BlockLeaves.Add(new BlockLeafEntity { BlockHeight = header.Height, Index = i, Data = block.Leaves.GetSpan(i).ToArray() });
        }
    }

    private static readonly BulkTable Leaves = new("BlockLeaves",
        BulkTable.Column<long>("BlockHeight"), BulkTable.Column<int>("Index"), BulkTable.Column<byte[]>("Data"));

    /// <summary>Writes a sealed block's leaves (<c>BlockLeaves</c>) in the caller's transaction, in bulk.</summary>
    public static Task WriteLeavesAsync(DbConnection connection, DbTransaction transaction, SealedBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        var height = block.Header.Height;
        var leaves = block.Leaves;
        LedgerGate.Wrote(block);
        return BulkWriter.InsertAsync(connection, transaction, Leaves, leaves.Count, (i, v) =>
        {
            v[0] = height;
            v[1] = i;
            v[2] = leaves.GetSpan(i).ToArray();
        }, cancellationToken);
    }

    /// <summary>The block's row (header, hash, signature), without its leaves.</summary>
    public static BlockEntity ToEntity(SealedBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var header = block.Header;
        var interval = header.Kind is BlockKind.OrderBook or BlockKind.Clearing;
        return new BlockEntity
        {
            Height = header.Height,
            Kind = (byte)header.Kind,
            IntervalStart = interval ? header.IntervalStart : null,
            Header = block.HeaderBytes,
            HeaderHash = block.HeaderHash,
            Signature = block.Signature,
            LeafCount = header.LeafCount,
            SealedAtMs = header.SealedAtUnixMs,
        };
    }

    /// <summary>
    /// On first start, seals the genesis block introducing the operator's key. On later starts, refuses to run
    /// with a key other than the one the ledger says is current (a new key needs a signed rotation).
    /// </summary>
    public async Task EnsureGenesisAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Blocks.AnyAsync(b => b.Kind == (byte)BlockKind.KeyEvent, cancellationToken))
        {
            if (await db.Blocks.AnyAsync(cancellationToken))
            {
                throw new InvalidOperationException("The ledger has blocks but no genesis key block: the database is damaged.");
            }

            // Genesis introduces the operator's key; the next block states the rules every interval is cleared under.
            var now = time.GetUtcNow();
            var genesis = BlockSealer.SealGenesis(Key, now);
            var seconds = now.ToUnixTimeSeconds();
            var length = community.Value.IntervalSeconds;
            var rules = BlockSealer.SealRules(genesis.NextTip, Key, ConfiguredRules(seconds - (((seconds % length) + length) % length)), now);
            Add(db, genesis);
            Add(db, rules);
            await db.SaveChangesAsync(cancellationToken);
            rulesBook.Load([RulesRecord.Decode(rules.Leaves.GetSpan(0))]);
            var keyId = Convert.ToHexStringLower(Key.KeyId);
            LogGenesis(logger, keyId);
            return;
        }

        await CheckRulesAsync(db, cancellationToken);
        // A rotation that stopped part-way is finished or dropped before the key is checked.
        await keys.SettleStagedAsync(dbFactory, cancellationToken);
        var current = await SigningKeyStore.LedgerKeyIdAsync(db, cancellationToken);
        if (!current.AsSpan().SequenceEqual(Key.KeyId))
        {
            throw new InvalidOperationException(
                $"The signing key at {keys.Path} (id {Convert.ToHexStringLower(Key.KeyId)}) is not the ledger's current key " +
                $"(id {Convert.ToHexStringLower(current)}). Restore the right key file, or rotate keys with a signed key event.");
        }
    }

    /// <summary>
    /// Loads rules blocks sealed since this node last read them (by another node, when several share a database).
    /// Rules take effect at least the order horizon after they are sealed, so reading them once per clearing run
    /// and order-intake minute is always in time.
    /// </summary>
    public async Task RefreshRulesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var sealedCount = await db.Blocks.AsNoTracking().CountAsync(b => b.Kind == (byte)BlockKind.Rules, cancellationToken);
        if (sealedCount > rulesBook.All.Count)
        {
            var leaves = await SealedRulesAsync(db, cancellationToken);
            rulesBook.Load(leaves.Select(l => RulesRecord.Decode(l)));
        }
    }

    /// <summary>The leaves of every rules block, oldest first.</summary>
    private static Task<List<byte[]>> SealedRulesAsync(MarketDbContext db, CancellationToken cancellationToken) =>
        db.Blocks.AsNoTracking()
            .Where(b => b.Kind == (byte)BlockKind.Rules)
            .Join(db.BlockLeaves, b => b.Height, l => l.BlockHeight, (b, l) => new { b.Height, l.Data })
            .OrderBy(x => x.Height)
            .Select(x => x.Data)
            .ToListAsync(cancellationToken);

    /// <summary>
    /// The ledger, not the configuration, is the record of the rules: they are loaded from its rules blocks.
    /// Configuration only seeds them at genesis; a differing configuration is reported and otherwise ignored
    /// (managers change rules on the rules page, as signed ledger entries).
    /// </summary>
    private async Task CheckRulesAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        var leaves = await SealedRulesAsync(db, cancellationToken);
        if (leaves.Count == 0)
        {
            throw new InvalidOperationException("The ledger has no rules block: the database is damaged.");
        }

        var sealedRules = leaves.Select(l => RulesRecord.Decode(l)).ToList();
        rulesBook.Load(sealedRules);
        var latest = sealedRules[^1];
        var configured = ConfiguredRules(latest.EffectiveFrom) with { RulesVersion = latest.RulesVersion };
        if (latest != configured)
        {
            var sealedText = Describe(latest);
            var configuredText = Describe(configured);
            LogRulesDiffer(logger, configuredText, sealedText);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The community rules in configuration ({Configured}) differ from the rules sealed in the ledger ({Sealed}); the ledger's apply. Change rules on the rules page.")]
    private static partial void LogRulesDiffer(ILogger logger, string configured, string @sealed);

    private static string Describe(RulesRecord r) =>
        $"interval {r.IntervalLengthSeconds} s, gate {r.GateClosureLeadSeconds} s, band {r.PriceFloor}..{r.PriceCeiling}, mechanism {r.Mechanism}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed the genesis block with signing key {KeyId}")]
    private static partial void LogGenesis(ILogger logger, string keyId);
}
