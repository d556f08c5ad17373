using Market.Web.Tests.Support;

namespace Market.Web.Tests.Persistence;

/// <summary>The ledger lock on the engine under test: one appender at a time, across connections (so across nodes).</summary>
public sealed class LedgerLockTests
{
    private const long Interval = 1_800_000_000;

    [Fact]
    public async Task EnterClearing_AnotherConnectionHoldsTheLock_WaitsThenSeesItsBlock()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await using var first = app.CreateDb();
        await using var firstTransaction = await first.Database.BeginTransactionAsync();
        (await LedgerLock.EnterClearingAsync(first, Interval, CancellationToken.None)).ShouldBeFalse();

        // Another thread, because SQLite waits for its write lock synchronously (in BEGIN IMMEDIATE or the write).
        var waiting = Task.Run(async () =>
        {
            await using var second = app.CreateDb();
            await using var secondTransaction = await second.Database.BeginTransactionAsync();
            return await LedgerLock.EnterClearingAsync(second, Interval, CancellationToken.None);
        });
        // A bounded look, not a sleep-to-sync: the second appender must still be waiting while the first holds the lock.
        var finishedEarly = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(500))) == waiting;
        first.Blocks.Add(new BlockEntity
        {
            Height = 1_000_000,
            Kind = (byte)Market.Ledger.BlockKind.Clearing,
            IntervalStart = Interval,
            Header = [1],
            HeaderHash = [2],
            Signature = [3],
        });
        await first.SaveChangesAsync();
        await firstTransaction.CommitAsync();

        finishedEarly.ShouldBeFalse();
        (await waiting).ShouldBeTrue();
    }

    [Fact]
    public async Task Acquire_WithoutTransaction_Throws()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await using var db = app.CreateDb();

        await Should.ThrowAsync<InvalidOperationException>(() => LedgerLock.AcquireAsync(db, CancellationToken.None));
    }
}
