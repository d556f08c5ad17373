using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests;

public sealed class ClearingJobTests
{
    [Fact]
    public async Task RunAsync_TwoCrossingOrdersAfterGateClosure_OneTradeInOneValidBlock()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval, sellPrice: 1500, sellWh: 1500);

        var cleared = await app.CloseGateAndClearAsync(interval);

        cleared.ShouldBe(1);
        await using var db = app.CreateDb();
        var trade = await db.Trades.SingleAsync();
        trade.EnergyWh.ShouldBe(1000);
        trade.Price.ShouldBe(1500);
        trade.Amount.ShouldBe(1500);
        trade.BuyerHouseholdId.ShouldBe(ben.Id);
        trade.SellerHouseholdId.ShouldBe(anna.Id);
        var report = await app.Get<LedgerReader>().VerifyAsync();
        report.IsValid.ShouldBeTrue(report.Message);
        report.BlockCount.ShouldBe(6); // genesis, rules, the witness policy, the households' keys, the order book, the clearing
    }

    [Fact]
    public async Task RunAsync_Settlement_PostingsSumToZeroAndBalancesMatch()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval, sellPrice: 1000, sellWh: 1234, buyPrice: 3001, buyWh: 2000);

        await app.CloseGateAndClearAsync(interval);

        await using var db = app.CreateDb();
        (await db.Postings.SumAsync(p => p.Amount)).ShouldBe(0);
        var trade = await db.Trades.SingleAsync();
        var queries = app.Get<MarketQueries>();
        (await queries.BalanceOfAsync(anna.Id)).ShouldBe(trade.Amount);
        (await queries.BalanceOfAsync(ben.Id)).ShouldBe(-trade.Amount);
    }

    [Fact]
    public async Task RunAsync_RunTwice_IntervalClearedOnce()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var interval = await app.TradeAndClearAsync();

        var again = await app.Get<ClearingJob>().RunAsync(CancellationToken.None);

        again.ShouldBe(0);
        await using var db = app.CreateDb();
        (await db.Trades.CountAsync()).ShouldBe(1);
        (await db.Blocks.CountAsync(b => b.IntervalStart == interval)).ShouldBe(2);
    }

    [Fact]
    public async Task SaveChanges_SecondClearingBlockForSameInterval_RejectedByUniqueIndex()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.CloseGateAndClearAsync(interval);
        await using var db = app.CreateDb();
        var existing = await db.Blocks.AsNoTracking().SingleAsync(b => b.IntervalStart == interval && b.Kind == (byte)Market.Ledger.BlockKind.Clearing);

        db.Blocks.Add(new BlockEntity
        {
            Height = existing.Height + 100,
            Kind = existing.Kind,
            IntervalStart = interval,
            Header = existing.Header,
            HeaderHash = new byte[32],
            Signature = existing.Signature,
        });

        await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task RunAsync_GateStillOpen_ClearsNothing()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1000, 1000, interval));

        var cleared = await app.Get<ClearingJob>().RunAsync(CancellationToken.None);

        cleared.ShouldBe(0);
        await using var db = app.CreateDb();
        (await db.Orders.SingleAsync()).Status.ShouldBe(OrderStatus.Open);
    }

    [Fact]
    public async Task RunAsync_OrdersNotCrossing_OrdersExpireUnmatchedAndBlockHasNoTrades()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        var orders = app.Get<OrderService>();
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1000, 3000, interval));
        await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1000, 2000, interval));

        await app.CloseGateAndClearAsync(interval);

        await using var db = app.CreateDb();
        (await db.Trades.CountAsync()).ShouldBe(0);
        (await db.Orders.Select(o => o.Status).ToListAsync()).ShouldAllBe(s => s == OrderStatus.Unmatched);
        var cleared = await db.ClearedIntervals.SingleAsync();
        cleared.Price.ShouldBeNull();
    }
}
