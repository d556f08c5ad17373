using System.Net.Http.Json;
using System.Text.Json;
using Market.Ledger;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.LedgerStore;

/// <summary>Checkpoints are signed where blocks are sealed; reading the ledger never signs anything.</summary>
public sealed class CheckpointSigningTests
{
    [Fact]
    public async Task ClearingJob_SealsBlocks_ACheckpointCoversThemAtOnce()
    {
        await using var app = new MarketFactory();
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval);

        await app.CloseGateAndClearAsync(interval);

        await using var db = app.CreateDb();
        var blocks = await db.Blocks.LongCountAsync();
        (await db.Checkpoints.MaxAsync(c => c.Size)).ShouldBe(blocks);
    }

    [Fact]
    public async Task Reads_ABlockSealedButNotYetCheckpointed_NothingIsSignedAndTheExportStopsAtTheCheckpoint()
    {
        await using var app = new MarketFactory();
        using var http = app.CreateClient();
        var signedSize = await SealRulesBlockOutsideTheGateAsync(app);
        var checkpointsBefore = await CountCheckpointsAsync(app);

        var checkpoint = await http.GetFromJsonAsync<JsonElement>("/api/ledger/checkpoint");
        var export = await http.GetStringAsync("/api/ledger/export");
        (await http.GetAsync("/ledger")).EnsureSuccessStatusCode();
        (await http.GetAsync("/api/ledger/blocks")).EnsureSuccessStatusCode();

        checkpoint.GetProperty("size").GetInt64().ShouldBe(signedSize);
        var lines = export.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Count(l => l.Contains("\"type\":\"block\"", StringComparison.Ordinal)).ShouldBe((int)signedSize);
        (await CountCheckpointsAsync(app)).ShouldBe(checkpointsBefore);
    }

    [Fact]
    public async Task Start_BlocksLeftWithoutCheckpoint_TheStartSignsOne()
    {
        var folder = Directory.CreateTempSubdirectory("market-test-").FullName;
        try
        {
            long size;
            await using (var first = new MarketFactory(folder))
            {
                _ = first.Services;
                size = await SealRulesBlockOutsideTheGateAsync(first) + 1;
            }

            await using var second = new MarketFactory(folder);
            _ = second.Services;

            await using var db = second.CreateDb();
            (await db.Checkpoints.MaxAsync(c => c.Size)).ShouldBe(size);
        }
        finally
        {
            TestDatabase.DropFor(folder);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A block appended as a crash or another node would leave it: committed, no checkpoint yet.</summary>
    private static async Task<long> SealRulesBlockOutsideTheGateAsync(MarketFactory app)
    {
        await using var db = app.CreateDb();
        var signed = await db.Checkpoints.MaxAsync(c => c.Size);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await LedgerLock.AcquireAsync(db, CancellationToken.None);
        var tip = await LedgerWriter.TipAsync(db, CancellationToken.None);
        var rules = app.Get<RulesBook>().Latest;
        var key = await app.Get<LedgerWriter>().SigningKeyAsync(db, CancellationToken.None);
        var block = BlockSealer.SealRules(tip, key, rules with { RulesVersion = rules.RulesVersion + 1, EffectiveFrom = rules.EffectiveFrom + 86_400 }, app.Clock.GetUtcNow());
        LedgerWriter.Add(db, block);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return signed;
    }

    private static async Task<int> CountCheckpointsAsync(MarketFactory app)
    {
        await using var db = app.CreateDb();
        return await db.Checkpoints.CountAsync();
    }
}
