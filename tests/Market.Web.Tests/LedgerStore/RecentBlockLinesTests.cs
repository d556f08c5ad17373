using Market.Ledger;
using System.Text;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.LedgerStore;

/// <summary>
/// The newest blocks' export lines are built once and shared by the replicas that fetch them; what they are served
/// is byte for byte what the full export (read from the database) holds.
/// </summary>
public sealed class RecentBlockLinesTests
{
    [Fact]
    public async Task GetAsync_ConcurrentReadersOfOneBlock_BuildItOnce()
    {
        var lines = new RecentBlockLines();
        var builds = 0;
        var release = new TaskCompletionSource();
        async Task<byte[]> Build(long height)
        {
            Interlocked.Increment(ref builds);
            await release.Task;
            return Encoding.UTF8.GetBytes($"line {height}\n");
        }

        var readers = Enumerable.Range(0, 3).Select(_ => lines.GetAsync(7, Build)).ToArray();
        release.SetResult();
        var got = await Task.WhenAll(readers);

        builds.ShouldBe(1);
        got.ShouldAllBe(line => Encoding.UTF8.GetString(line) == "line 7\n");
    }

    [Fact]
    public async Task GetAsync_ABuildFails_TheNextReaderBuildsAgain()
    {
        var lines = new RecentBlockLines();
        var calls = 0;
        Task<byte[]> Build(long height) => ++calls == 1 ? throw new InvalidOperationException("database gone") : Task.FromResult(new byte[] { 1 });

        await Should.ThrowAsync<InvalidOperationException>(() => lines.GetAsync(3, Build));
        (await lines.GetAsync(3, Build)).ShouldBe([1]);
        calls.ShouldBe(2);
    }

    [Fact]
    public async Task GetAsync_MoreBlocksThanKept_TheOldestHeightsAreDropped()
    {
        var lines = new RecentBlockLines();
        for (var height = 0L; height < RecentBlockLines.MaxBlocks + 5; height++)
        {
            await lines.GetAsync(height, h => Task.FromResult(new byte[] { (byte)h }));
        }

        lines.Heights.ShouldBe(Enumerable.Range(5, RecentBlockLines.MaxBlocks).Select(h => (long)h));
    }

    [Fact]
    public async Task Offer_AnOfferedBlock_IsServedWithoutBuildingItFromTheDatabase()
    {
        var lines = new RecentBlockLines();
        var header = new byte[BlockHeader.Size];
        header[2] = (byte)BlockKind.Rules;
        var block = new LedgerBlock(header, new byte[64], [[1, 2, 3], [4, 5]]);
        await lines.GetAsync(4, _ => Task.FromResult(new byte[] { 4 }));
        lines.Offer(5, block);

        var line = await lines.GetAsync(5, _ => throw new InvalidOperationException("read from the database"));

        line.ShouldBe(LedgerExportWriter.BlockLine(block));
    }

    [Fact]
    public void Offer_NoReplicaFollows_KeepsNothing()
    {
        var lines = new RecentBlockLines();
        var header = new byte[BlockHeader.Size];
        header[2] = (byte)BlockKind.Rules;

        lines.Offer(5, new LedgerBlock(header, new byte[64], [[1]]));

        lines.Heights.ShouldBeEmpty();
    }

    [Fact]
    public async Task Export_FromAHeight_ServesTheSharedLinesExactlyAsTheFullExportHasThem()
    {
        await using var app = new MarketFactory();
        using var http = app.CreateClient();
        await app.TradeAndClearAsync(1499);
        // A replica follows: it fetched the newest blocks once.
        await using (var before = app.CreateDb())
        {
            await http.GetStringAsync($"/api/ledger/export?from={await before.Checkpoints.MaxAsync(c => c.Size) - 1}");
        }

        for (var i = 0; i < 3; i++)
        {
            await app.TradeAndClearAsync(1500 + i);
        }

        await using var db = app.CreateDb();
        var size = await db.Checkpoints.MaxAsync(c => c.Size);
        var from = size - 4;
        // The gate offered what it sealed (order books and clearings) before anyone asked for them.
        app.Get<RecentBlockLines>().Heights.ShouldContain(size - 1);
        app.Get<RecentBlockLines>().Heights.ShouldContain(size - 2);

        var full = (await http.GetStringAsync("/api/ledger/export")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var first = await http.GetStringAsync($"/api/ledger/export?from={from}");
        var again = await http.GetStringAsync($"/api/ledger/export?from={from}");

        app.Get<RecentBlockLines>().Heights.ShouldBeSubsetOf(Enumerable.Range(0, (int)size).Select(h => (long)h));
        Enumerable.Range((int)from, 4).Select(h => (long)h).ShouldBeSubsetOf(app.Get<RecentBlockLines>().Heights);
        var expected = string.Join('\n', [full[0], .. full[(int)(from + 1)..]]) + "\n";
        first.ShouldBe(expected);
        again.ShouldBe(expected);
    }
}
