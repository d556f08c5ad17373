using Market.Ledger;
using Market.Matching;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Market.Web.Tests;

/// <summary>
/// One app with a book of 3,000 open orders in its first open interval (<see cref="LargeBook"/>), cleared once by the
/// clearing job; the tests that share it only read what the clearing stored, or try to clear it again.
/// </summary>
public sealed class ClearedLargeBook : IAsyncLifetime
{
    public MarketFactory App { get; } = new();

    public LargeBook Book { get; private set; } = null!;

    /// <summary>What the clearing job returned: how many intervals it cleared.</summary>
    public int Cleared { get; private set; }

    public async Task InitializeAsync()
    {
        Book = await LargeBook.CreateAsync(App);
        Cleared = await App.CloseGateAndClearAsync(Book.Interval);
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>
/// Clearing a book of a few thousand orders goes through the batched writer; what it stores must be exactly what the
/// double auction and the ledger's canonical encodings say, row for row.
/// </summary>
public sealed class LargeIntervalClearingTests(ClearedLargeBook cleared) : IClassFixture<ClearedLargeBook>
{
    private readonly MarketFactory _app = cleared.App;
    private readonly LargeBook _book = cleared.Book;

    [Fact]
    public async Task RunAsync_ThreeThousandOrders_TradesAreTheAuctionsInOrder()
    {
        cleared.Cleared.ShouldBe(1);

        await using var db = _app.CreateDb();
        var expected = _book.Expected();
        var trades = await db.Trades.AsNoTracking().OrderBy(t => t.Id).ToListAsync();
        var clearingHeight = await ClearingHeightAsync(db, _book.Interval);
        trades.Count.ShouldBe(expected.Trades.Length);
        trades.Count.ShouldBeGreaterThan(LargeBook.OrderCount / 4);
        for (var i = 0; i < trades.Count; i++)
        {
            var t = expected.Trades[i];
            var stored = trades[i];
            stored.Id.ShouldBe(i + 1L);
            stored.LeafIndex.ShouldBe(i);
            stored.BlockHeight.ShouldBe(clearingHeight);
            stored.IntervalStart.ShouldBe(_book.Interval);
            (stored.BuyOrderId, stored.SellOrderId, stored.EnergyWh, stored.Price).ShouldBe((t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price));
            stored.Amount.ShouldBe(Money.Amount(t.EnergyWh, t.Price));
            stored.BuyerHouseholdId.ShouldBe(_book.Orders[t.BuyIndex].HouseholdId);
            stored.SellerHouseholdId.ShouldBe(_book.Orders[t.SellIndex].HouseholdId);
        }
    }

    [Fact]
    public async Task RunAsync_ThreeThousandOrders_PostingsDebitBuyerCreditSellerPerTradeAndSumToZero()
    {
        await using var db = _app.CreateDb();
        var trades = await db.Trades.AsNoTracking().OrderBy(t => t.Id).ToListAsync();
        var postings = await db.Postings.AsNoTracking().OrderBy(p => p.Id).ToListAsync();
        postings.Count.ShouldBe(2 * trades.Count);
        postings.Sum(p => p.Amount).ShouldBe(0);
        for (var i = 0; i < trades.Count; i++)
        {
            var (debit, credit) = (postings[2 * i], postings[(2 * i) + 1]);
            (debit.TradeId, debit.HouseholdId, debit.Amount).ShouldBe((trades[i].Id, trades[i].BuyerHouseholdId, -trades[i].Amount));
            (credit.TradeId, credit.HouseholdId, credit.Amount).ShouldBe((trades[i].Id, trades[i].SellerHouseholdId, trades[i].Amount));
        }
    }

    [Fact]
    public async Task RunAsync_ThreeThousandOrders_EveryOrderHasItsOutcomeAndOthersAreUntouched()
    {
        await using var db = _app.CreateDb();
        var expected = _book.Expected();
        var stored = await db.Orders.AsNoTracking().ToDictionaryAsync(o => o.Id);
        for (var i = 0; i < _book.Orders.Count; i++)
        {
            var order = stored[_book.Orders[i].Id];
            var outcome = expected.Outcomes[i];
            order.FilledWh.ShouldBe(outcome.FilledWh);
            order.Outcome.ShouldBe(outcome.Reason.ToString());
            order.Status.ShouldBe(outcome.FilledWh == order.EnergyWh ? OrderStatus.Filled
                : outcome.FilledWh > 0 ? OrderStatus.PartiallyFilled : OrderStatus.Unmatched);
        }

        foreach (var id in _book.Untouched)
        {
            stored[id].FilledWh.ShouldBe(0);
            stored[id].Outcome.ShouldBeNull();
        }

        stored[_book.Untouched[0]].Status.ShouldBe(OrderStatus.Cancelled);
        stored[_book.Untouched[1]].Status.ShouldBe(OrderStatus.Open);
    }

    [Fact]
    public async Task RunAsync_ThreeThousandOrders_LeavesAreTheCanonicalOrdersAndTradesAndTheChainReplays()
    {
        await using var db = _app.CreateDb();
        var expected = _book.Expected();
        var end = _app.Get<MarketClock>().Next(_book.Interval);
        var blocks = await db.Blocks.AsNoTracking().Where(b => b.IntervalStart == _book.Interval).OrderBy(b => b.Height).ToListAsync();
        blocks.Select(b => b.LeafCount).ShouldBe([_book.Orders.Count, expected.Trades.Length]);
        var orderLeaves = await LeavesAsync(db, blocks[0].Height);
        orderLeaves.Count.ShouldBe(_book.Orders.Count);
        for (var i = 0; i < orderLeaves.Count; i++)
        {
            var o = _book.Orders[i];
            var side = o.Side == OrderSide.Buy ? Market.Ledger.OrderSide.Buy : Market.Ledger.OrderSide.Sell;
            orderLeaves[i].ShouldBe(new OrderLeaf(o.Id, _book.Pseudonyms[o.HouseholdId], side, o.EnergyWh, o.LimitPrice, o.Nonce, OrderAuthorizations.Decode(o.Authorization)).Encode());
        }

        var tradeLeaves = await LeavesAsync(db, blocks[1].Height);
        tradeLeaves.Count.ShouldBe(expected.Trades.Length);
        for (var i = 0; i < tradeLeaves.Count; i++)
        {
            var t = expected.Trades[i];
            var fill = new TradeFill(_book.Pseudonyms[_book.Orders[t.BuyIndex].HouseholdId], _book.Pseudonyms[_book.Orders[t.SellIndex].HouseholdId],
                t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price);
            tradeLeaves[i].ShouldBe(TradeLeaf.Create(i + 1, _book.Interval, end, fill).Encode());
        }

        var report = await _app.Get<LedgerReader>().VerifyAsync();
        report.IsValid.ShouldBeTrue(report.Message);
    }

    [Fact]
    public async Task RunAsync_ThreeThousandOrders_SummaryRowCountsTheBook()
    {
        await using var db = _app.CreateDb();
        var expected = _book.Expected();
        var summary = await db.ClearedIntervals.AsNoTracking().SingleAsync(c => c.IntervalStart == _book.Interval);
        summary.TradeCount.ShouldBe(expected.Trades.Length);
        summary.Price.ShouldBe(expected.Price);
        summary.VolumeWh.ShouldBe(expected.VolumeWh);
        summary.BidCount.ShouldBe(_book.Orders.Count(o => o.Side == OrderSide.Buy));
        summary.OfferCount.ShouldBe(_book.Orders.Count(o => o.Side == OrderSide.Sell));
        summary.DemandWh.ShouldBe(_book.Orders.Where(o => o.Side == OrderSide.Buy).Sum(o => o.EnergyWh));
        summary.SupplyWh.ShouldBe(_book.Orders.Where(o => o.Side == OrderSide.Sell).Sum(o => o.EnergyWh));
        summary.ActiveHouseholds.ShouldBe(_book.Orders.Select(o => o.HouseholdId).Distinct().Count());
    }

    [Fact]
    public async Task ClearDueIntervalsAsync_AfterLargeClearing_SecondRunWritesNothing()
    {
        var before = await CountsAsync(_app);

        var again = await _app.Get<ClearingService>().ClearDueIntervalsAsync();

        again.ShouldBe(0);
        (await CountsAsync(_app)).ShouldBe(before);
    }

    [Fact]
    public async Task WriteAsync_IntervalAlreadyCleared_RejectedByUniqueIndexBeforeAnyBulkRow()
    {
        var before = await CountsAsync(_app);
        await using var db = _app.CreateDb();
        var tip = await LedgerWriter.TipAsync(db, CancellationToken.None);
        var key = _app.Get<LedgerWriter>().Key;
        var now = _app.Clock.GetUtcNow();
        var end = _app.Get<MarketClock>().Next(_book.Interval);
        var orderBook = BlockSealer.SealOrderBook(tip, key, _book.Interval, end, 1, 1, [new OrderLeaf(_book.Orders[0].Id, _book.Pseudonyms[_book.Orders[0].HouseholdId], Market.Ledger.OrderSide.Buy, 1, 1000, _book.Orders[0].Nonce, OrderAuthorizations.Decode(_book.Orders[0].Authorization))], now);
        var clearing = BlockSealer.SealClearing(orderBook.NextTip, key, orderBook.Header, [], now);
        var rows = new IntervalRows(orderBook, clearing, new ClearedIntervalEntity { IntervalStart = _book.Interval + 1, IntervalEnd = end }, [],
            [new OrderResultRow(_book.Orders[0].Id, 0, OrderStatus.Unmatched, nameof(FillReason.PriceOnWrongSide))]);
        await using var transaction = await db.Database.BeginTransactionAsync();

        await Should.ThrowAsync<DbUpdateException>(() => IntervalWriter.WriteAsync(db, rows, CancellationToken.None));

        await transaction.RollbackAsync();
        (await CountsAsync(_app)).ShouldBe(before);
    }

    [Fact]
    public async Task InsertAsync_RowsSpanningSeveralStatements_AllWrittenInOrder()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await using var db = app.CreateDb();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var perStatement = BatchedStatement.RowsPerStatement(3, BatchedStatement.SqliteParameters);
        var count = (2 * perStatement) + 5;

        await BatchedStatement.InsertAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), "Postings", ["TradeId", "HouseholdId", "Amount"],
            count, BatchedStatement.SqliteParameters, (i, v) => (v[0], v[1], v[2]) = (i + 1L, 7L, i * 10L), CancellationToken.None);
        await transaction.CommitAsync();

        var rows = await db.Postings.AsNoTracking().OrderBy(p => p.Id).Select(p => new { p.TradeId, p.Amount }).ToListAsync();
        rows.Select(r => r.TradeId).ShouldBe(Enumerable.Range(1, count).Select(i => (long)i));
        rows.Select(r => r.Amount).ShouldBe(Enumerable.Range(0, count).Select(i => i * 10L));
    }

    private static async Task<long> ClearingHeightAsync(MarketDbContext db, long interval) =>
        await db.Blocks.Where(b => b.IntervalStart == interval && b.Kind == (byte)BlockKind.Clearing).Select(b => b.Height).SingleAsync();

    private static async Task<List<byte[]>> LeavesAsync(MarketDbContext db, long height) =>
        await db.BlockLeaves.AsNoTracking().Where(l => l.BlockHeight == height).OrderBy(l => l.Index).Select(l => l.Data).ToListAsync();

    private static async Task<(int Trades, int Postings, int Leaves, int Blocks, int Cleared, int Settled)> CountsAsync(MarketFactory app)
    {
        await using var db = app.CreateDb();
        return (await db.Trades.CountAsync(), await db.Postings.CountAsync(), await db.BlockLeaves.CountAsync(), await db.Blocks.CountAsync(),
            await db.ClearedIntervals.CountAsync(), await db.Orders.CountAsync(o => o.Status != OrderStatus.Open));
    }
}

/// <summary>
/// SQLite takes at most 32,766 parameters per statement; PostgreSQL 65,535, which a book of this size does not reach,
/// so these run on SQLite only (test.sh leaves the "Sqlite" trait out of the PostgreSQL run).
/// </summary>
[Trait("Database", "Sqlite")]
public sealed class SqliteParameterLimitTests
{
    [Fact]
    public async Task RunAsync_MoreHouseholdsInTheBookThanSqliteTakesParameters_Clears()
    {
        // SQLite takes at most 32,766 parameters per statement; looking pseudonyms up by a list of ids failed here.
        const int households = 33_000;
        await using var app = new MarketFactory();
        _ = app.Server;
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await using (var db = app.CreateDb())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var connection = db.Database.GetDbConnection();
            await BatchedStatement.InsertAsync(connection, transaction.GetDbTransaction(), "Households", ["UserId", "Name", "Pseudonym", "PvPeakW", "MaxImportW", "TimeZone"],
                households, BatchedStatement.SqliteParameters, (i, v) => (v[0], v[1], v[2], v[3], v[4], v[5]) = ($"many-{i}", $"Household {i}", BitConverter.GetBytes((long)i + 1).Concat(new byte[8]).ToArray(), 10_000L, 20_000L, "Europe/Berlin"),
                CancellationToken.None);
            // One order per household, bids and offers alternating, every bid above every offer.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "Orders" ("HouseholdId", "Side", "EnergyWh", "LimitPrice", "IntervalStart", "Status", "FilledWh", "CreatedAtMs", "Nonce", "Authorization", "StatementHash")
                SELECT "Id", CASE WHEN "Id" % 2 = 0 THEN 1 ELSE 2 END, 1000, CASE WHEN "Id" % 2 = 0 THEN 3000 ELSE 1000 END, {interval}, 1, 0, 0, {Array.Empty<byte>()}, {Array.Empty<byte>()}, {Array.Empty<byte>()}
                FROM "Households" WHERE "UserId" LIKE 'many-%'
                """);
            await transaction.CommitAsync();
        }

        await app.SignStoredOrdersAsync();

        var cleared = await app.CloseGateAndClearAsync(interval);

        cleared.ShouldBe(1);
        await using var check = app.CreateDb();
        var summary = await check.ClearedIntervals.SingleAsync(c => c.IntervalStart == interval);
        summary.ActiveHouseholds.ShouldBe(households);
        summary.TradeCount.ShouldBeGreaterThan(0);
    }
}

public sealed record LargeBook(long Interval, Mechanism Mechanism, List<OrderEntity> Orders, Dictionary<long, PartyId> Pseudonyms, long[] Untouched)
{
    public const int OrderCount = 3_000;

    /// <summary>
    /// Twelve households and 3,000 open orders for the first open interval (random sides, energies and prices in the
    /// band, crossing), plus a cancelled order in the same interval and an open one in the next.
    /// </summary>
    public static async Task<LargeBook> CreateAsync(MarketFactory app)
    {
        _ = app.Server;
        var clock = app.Get<MarketClock>();
        var interval = clock.FirstOpenInterval();
        var mechanism = (Mechanism)app.Get<RulesBook>().At(interval).Mechanism;
        var random = new Random(20260615);
        await using var db = app.CreateDb();
        var households = Enumerable.Range(0, 12).Select(i => new Household
        {
            UserId = $"large-book-{i}",
            Name = $"Household {i}",
            Pseudonym = random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 16),
            PvPeakW = 10_000,
            MaxImportW = 20_000,
        }).ToList();
        db.Households.AddRange(households);
        await db.SaveChangesAsync();

        var orders = Enumerable.Range(0, OrderCount).Select(_ => new OrderEntity
        {
            HouseholdId = households[random.Next(households.Count)].Id,
            Side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell,
            EnergyWh = random.Next(100, 5001),
            LimitPrice = random.Next(786, 3971),
            IntervalStart = interval,
            Status = OrderStatus.Open,
        }).ToList();
        db.Orders.AddRange(orders);
        await db.SaveChangesAsync();
        orders = [.. orders.OrderBy(o => o.Id)];
        var cancelled = new OrderEntity { HouseholdId = households[0].Id, Side = OrderSide.Buy, EnergyWh = 1000, LimitPrice = 3900, IntervalStart = interval, Status = OrderStatus.Cancelled };
        var later = new OrderEntity { HouseholdId = households[1].Id, Side = OrderSide.Sell, EnergyWh = 1000, LimitPrice = 800, IntervalStart = clock.Next(interval), Status = OrderStatus.Open };
        db.Orders.AddRange(cancelled, later);
        await db.SaveChangesAsync();
        await app.SignStoredOrdersAsync();
        orders = await db.Orders.AsNoTracking().Where(o => o.IntervalStart == interval && o.Status == OrderStatus.Open).OrderBy(o => o.Id).ToListAsync();

        return new LargeBook(interval, mechanism, orders, households.ToDictionary(h => h.Id, h => PartyId.FromBytes(h.Pseudonym)), [cancelled.Id, later.Id]);
    }

    /// <summary>The auction run directly on the book, orders by id, the id being the sequence.</summary>
    public ClearingResult Expected() => DoubleAuction.Clear(
        Orders.Select(o => new Order(o.Id, o.Side == OrderSide.Buy ? Side.Buy : Side.Sell, o.EnergyWh, o.LimitPrice, o.Id)).ToArray(), Mechanism);
}
