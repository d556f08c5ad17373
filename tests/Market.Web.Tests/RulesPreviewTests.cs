using Market.Ledger;
using Market.Matching;
using Market.Replay;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests;

/// <summary>A proposed rules change replayed on the sealed books of the last week (docs/adr/0028).</summary>
public sealed class RulesPreviewTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    private static RulesChange Change(long floor = 786, long ceiling = 3970, Mechanism mechanism = Mechanism.UniformPrice) =>
        new(15, 5, floor, ceiling, mechanism, 0);

    /// <summary>Three intervals whose books cross in several steps, so the two mechanisms give different prices.</summary>
    private async Task ClearThreeBooksAsync()
    {
        var orders = _app.Get<OrderService>();
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        var ben = await _app.HouseholdAsync("ben@demo.energy");
        for (var i = 0; i < 3; i++)
        {
            var interval = _app.Get<MarketClock>().FirstOpenInterval();
            (await _app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1500, 1100 + (i * 100), interval))).Succeeded.ShouldBeTrue();
            (await _app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 500, 2600, interval))).Succeeded.ShouldBeTrue();
            (await _app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 1200, 2400, interval))).Succeeded.ShouldBeTrue();
            (await _app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 800, 1500, interval))).Succeeded.ShouldBeTrue();
            await _app.CloseGateAndClearAsync(interval);
        }
    }

    [Fact]
    public async Task Preview_KnownBooks_AsSealedIsTheLedgersTradesAndProposedIsTheMatchingEngines()
    {
        await ClearThreeBooksAsync();

        var preview = await _app.Get<RulesPreview>().PreviewAsync(Change(mechanism: Mechanism.PayAsBid));

        await using var db = _app.CreateDb();
        preview.Books.ShouldBe(3);
        preview.Capped.ShouldBeFalse();
        preview.SealedVolumeWh.ShouldBe(await db.Trades.SumAsync(t => t.EnergyWh));
        preview.SealedAmount.ShouldBe(await db.Trades.SumAsync(t => t.Amount));
        preview.SealedTrades.ShouldBe(await db.Trades.CountAsync());
        long volume = 0, amount = 0;
        var trades = 0;
        foreach (var height in await db.ClearedIntervals.Select(c => c.OrderBookHeight).ToListAsync())
        {
            var leaves = await db.BlockLeaves.Where(l => l.BlockHeight == height).OrderBy(l => l.Index).Select(l => l.Data).ToListAsync();
            var result = DoubleAuction.Clear(AuctionOrders.FromLeaves(leaves), Mechanism.PayAsBid);
            volume += result.VolumeWh;
            amount += result.Trades.Sum(t => Money.Amount(t.EnergyWh, t.Price));
            trades += result.Trades.Length;
        }

        (preview.ProposedVolumeWh, preview.ProposedAmount, preview.ProposedTrades).ShouldBe((volume, amount, trades));
        preview.ProposedAveragePrice.ShouldBe(amount * 1000 / volume);
        preview.ProposedAveragePrice.ShouldNotBe(preview.SealedAveragePrice);   // pay-as-bid: each bid's own limit
        (preview.OrdersRefused, preview.OrdersMoved).ShouldBe((0, 0));
    }

    [Fact]
    public async Task Preview_SameRules_NobodyGainsOrLoses()
    {
        await ClearThreeBooksAsync();

        var preview = await _app.Get<RulesPreview>().PreviewAsync(Change());

        (preview.ProposedVolumeWh, preview.ProposedAmount).ShouldBe((preview.SealedVolumeWh, preview.SealedAmount));
        preview.Households.Count.ShouldBe(2);
        preview.Households.ShouldAllBe(h => h.Gain == 0);
    }

    [Fact]
    public async Task Preview_CeilingBelowTheOffer_OfferRefusedBidAtTheCeilingAndGainsSumToTheGridsShare()
    {
        // Anna offers 1,000 Wh at 15 ct, Ben bids 25 ct: they trade 1,000 Wh. Under a ceiling of 14 ct Anna's offer
        // would have been refused and Ben's bid placed at 14 ct: no trade; Anna exports at the feed-in tariff
        // (1,000 Wh at 7.86 ct = 786) and Ben buys at retail (3,970).
        await _app.TradeAndClearAsync(sellPrice: 1500);
        var (annaName, benName) = ((await _app.HouseholdAsync("anna@demo.energy")).Name, (await _app.HouseholdAsync("ben@demo.energy")).Name);
        await using var db = _app.CreateDb();
        var sealedAmount = (await db.Trades.SingleAsync()).Amount;

        var preview = await _app.Get<RulesPreview>().PreviewAsync(Change(ceiling: 1400));

        (preview.OrdersRefused, preview.OrdersMoved).ShouldBe((1, 1));
        (preview.SealedVolumeWh, preview.ProposedVolumeWh).ShouldBe((1000L, 0L));
        preview.ProposedAveragePrice.ShouldBeNull();
        var anna = preview.Households.Single(h => h.Name == annaName);
        var ben = preview.Households.Single(h => h.Name == benName);
        (anna.SealedNet, anna.ProposedNet).ShouldBe((sealedAmount, 786L));
        (ben.SealedNet, ben.ProposedNet).ShouldBe((-sealedAmount, -3970L));
        preview.TotalGain.ShouldBe(anna.Gain + ben.Gain);
        preview.TotalGain.ShouldBe(786 - 3970);   // the trade's money only moved between them
        preview.Households[0].ShouldBe(anna);     // most gained first
    }

    [Fact]
    public async Task Preview_FloorAboveTheOffer_OfferCountedAtTheFloor()
    {
        await _app.TradeAndClearAsync(sellPrice: 1500);

        var preview = await _app.Get<RulesPreview>().PreviewAsync(Change(floor: 1600));

        (preview.OrdersRefused, preview.OrdersMoved).ShouldBe((0, 1));
        preview.ProposedVolumeWh.ShouldBe(1000);
        preview.ProposedAveragePrice!.Value.ShouldBeInRange(1600, 2500);
    }

    [Fact]
    public async Task Preview_NothingCleared_EmptyAndNothingWritten()
    {
        await using var before = _app.CreateDb();
        var blocks = await before.Blocks.CountAsync();

        var preview = await _app.Get<RulesPreview>().PreviewAsync(Change(mechanism: Mechanism.PayAsBid));

        (preview.Books, preview.SealedVolumeWh, preview.ProposedVolumeWh, preview.Households.Count).ShouldBe((0, 0L, 0L, 0));
        await using var after = _app.CreateDb();
        (await after.Blocks.CountAsync()).ShouldBe(blocks);
    }
}
