using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Clearing;

/// <summary>
/// The clearing job under the grid's mechanism: the limits at gate closure sealed before the book, zone prices and
/// fees in the trades, the network operator's share posted, each cut order with the line that cut it, and a chain
/// the verifier replays.
/// </summary>
public sealed class GridClearingTests
{
    // Feeder F1 carries 4 kW up (1,000 Wh a quarter hour); Anna's envelope allows 2 kW (500 Wh) for one interval.
    private const long SameFeederFee = 50;
    private const long SameTransformerFee = 100;

    private static MarketFactory GridApp()
    {
        var app = new MarketFactory();
        app.Settings["Community:Mechanism"] = "grid-zonal";
        app.Settings["Community:SameFeederFee"] = SameFeederFee.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Community:SameTransformerFee"] = SameTransformerFee.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Community:AcrossTransformersFee"] = "200";
        return app;
    }

    [Fact]
    public async Task Clear_FeederAndEnvelopeBind_SplitPricesFeesCutOrdersAndAVerifiedChain()
    {
        await using var app = GridApp();
        _ = app.Server;
        var (anna, ben, seller2, localBuyer) = await app.ImportTwoFeedersAsync();
        var clock = app.Get<MarketClock>();
        var interval = clock.FirstOpenInterval();
        await app.SendEnvelopeAsync("C-ANNA", interval, exportW: 2000);

        (await app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 2000, 1000, interval))).Succeeded.ShouldBeTrue();
        (await app.PlaceSignedAsync(seller2, new PlaceOrder(OrderSide.Sell, 2000, 1100, interval))).Succeeded.ShouldBeTrue();
        (await app.PlaceSignedAsync(localBuyer, new PlaceOrder(OrderSide.Buy, 500, 2000, interval))).Succeeded.ShouldBeTrue();
        (await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 2500, 3000, interval))).Succeeded.ShouldBeTrue();

        (await app.CloseGateAndClearAsync(interval)).ShouldBeGreaterThanOrEqualTo(1);

        await using var db = app.CreateDb();
        var orders = await db.Orders.AsNoTracking().Where(o => o.IntervalStart == interval).ToDictionaryAsync(o => o.HouseholdId);
        // Anna's envelope (500 Wh) cuts her offer, the feeder (1,000 Wh up) cuts Sol's; Nora buys on her feeder.
        orders[anna.Id].FilledWh.ShouldBe(500);
        orders[anna.Id].Outcome.ShouldBe("NetworkLimit");
        orders[seller2.Id].FilledWh.ShouldBe(1000);
        orders[seller2.Id].Outcome.ShouldBe("NetworkLimit");
        orders[localBuyer.Id].FilledWh.ShouldBe(500);
        orders[ben.Id].FilledWh.ShouldBe(1000);
        var nodes = await db.GridNodeResults.AsNoTracking().Where(n => n.IntervalStart == interval).ToDictionaryAsync(n => n.NodeId);
        orders[anna.Id].LimitingNode.ShouldBe(nodes["C-ANNA"].Node);
        orders[seller2.Id].LimitingNode.ShouldBe(nodes["F1"].Node);
        nodes["F1"].State.ShouldBe(LineState.ExportBinding);
        nodes["F1"].FlowWh.ShouldBe(1000);
        nodes["F1"].ExportLimitWh.ShouldBe(1000);
        nodes["C-ANNA"].FromEnvelope.ShouldBeTrue();
        nodes["C-ANNA"].EventId.ShouldBe("DOE-42");
        nodes["C-ANNA"].ExportLimitWh.ShouldBe(500);
        nodes["C-ANNA"].State.ShouldBe(LineState.ExportBinding);
        nodes.ShouldNotContainKey("C-BEN"); // a connection without an envelope whose line did not bind
        nodes["F1"].ZonePrice.ShouldBeLessThan(nodes["F2"].ZonePrice);
        nodes["C-ANNA"].ZonePrice.ShouldBe(orders[anna.Id].ZonePrice!.Value);
        orders[anna.Id].ZonePrice!.Value.ShouldBeLessThan(orders[seller2.Id].ZonePrice!.Value);
        orders[seller2.Id].ZonePrice!.Value.ShouldBeLessThan(orders[ben.Id].ZonePrice!.Value);

        var trades = await db.Trades.AsNoTracking().Where(t => t.IntervalStart == interval).ToListAsync();
        trades.Sum(t => t.EnergyWh).ShouldBe(1500);
        foreach (var t in trades)
        {
            var sameFeeder = t.BuyerHouseholdId == localBuyer.Id;
            t.FeePrice.ShouldBe(sameFeeder ? SameFeederFee : SameTransformerFee);
            // Each side trades at its own zone's price: its connection's node.
            t.SellPrice.ShouldBe(orders[t.SellerHouseholdId].ZonePrice!.Value);
            t.Price.ShouldBe(orders[t.BuyerHouseholdId].ZonePrice!.Value);
            t.Price.ShouldBeGreaterThanOrEqualTo(t.SellPrice + t.FeePrice);
            t.MeetNode.ShouldBe(sameFeeder ? nodes["F1"].Node : nodes["T1"].Node);
        }

        // Buyer pays, seller receives, the network operator gets the difference: fees and congestion rent.
        var postings = await db.Postings.AsNoTracking().ToListAsync();
        postings.Sum(p => p.Amount).ShouldBe(0);
        postings.Where(p => p.HouseholdId == PostingEntity.NetworkOperatorAccount).Sum(p => p.Amount)
            .ShouldBe(trades.Sum(t => t.Amount - t.SellAmount));
        trades.Sum(t => t.Amount - t.SellAmount).ShouldBeGreaterThan(0);

        // Ben's statement says how much of what he paid went to the network operator; Anna, a seller, paid none.
        var month = DateTimeOffset.FromUnixTimeSeconds(interval).UtcDateTime;
        var statements = app.Get<Market.Web.Metering.StatementService>();
        var bens = await statements.MonthWithSummaryAsync(ben, month.Year, month.Month);
        bens.Summary.BoughtNetworkShare.ShouldBe(trades.Where(t => t.BuyerHouseholdId == ben.Id).Sum(t => t.Amount - t.SellAmount));
        bens.Summary.BoughtNetworkShare.ShouldBeGreaterThan(0);
        (await statements.MonthWithSummaryAsync(anna, month.Year, month.Month)).Summary.BoughtNetworkShare.ShouldBe(0);

        var summary = await db.ClearedIntervals.AsNoTracking().SingleAsync(c => c.IntervalStart == interval);
        summary.Mechanism.ShouldBe((byte)3);
        summary.NetworkHeight.ShouldNotBeNull();
        summary.LimitsHeight.ShouldNotBeNull();
        var report = await app.Get<LedgerReader>().VerifyAsync();
        report.IsValid.ShouldBeTrue(report.Message);

        // Receipts, the trade's page, its PDF and the block's page read trade leaves version 2 and the zone leaves.
        var crossing = trades.First(t => t.BuyerHouseholdId == ben.Id);
        var receipt = await app.Get<LedgerPublication>().ReceiptAsync(crossing.Id);
        var verified = receipt!.Verify();
        verified.IsValid.ShouldBeTrue(verified.Failure?.ToString());
        verified.Trade!.Value.SellAmount.ShouldBe(crossing.SellAmount);
        using var client = app.CreateClient();
        var tradePage = await client.GetStringAsync(new Uri($"/ledger/trades/{crossing.Id}", UriKind.Relative));
        tradePage.ShouldContain("Proven.");
        tradePage.ShouldContain("data-testid=\"sell-price\"");
        var pdf = await client.GetAsync(new Uri($"/ledger/trades/{crossing.Id}/receipt.pdf", UriKind.Relative));
        pdf.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        var blockPage = await client.GetStringAsync(new Uri($"/ledger/blocks/{summary.ClearingHeight}", UriKind.Relative));
        blockPage.ShouldContain("data-testid=\"zone-table\"");
        System.Text.RegularExpressions.Regex.Count(blockPage, "data-testid=\"zone-row\"").ShouldBe(nodes.Count + 3); // every node; three connections had no row
    }

    [Fact]
    public async Task Place_HouseholdAtNoConnection_RefusedWithAReasonAndNothingStored()
    {
        await using var app = GridApp();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        await app.ImportNetworkAsync(
            "node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id\n" +
            "ROOT,,community,,,\n" +
            "T1,ROOT,transformer,250000,250000,\n" +
            "F1,T1,feeder,40000,60000,\n" +
            $"C-ANNA,F1,connection,10000,12000,{anna.MeterId}\n");
        var interval = app.Get<MarketClock>().FirstOpenInterval();

        var refused = await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 500, 2000, interval));

        refused.Succeeded.ShouldBeFalse();
        refused.Error!.ShouldContain("no connection of the community's network");
        await using var db = app.CreateDb();
        (await db.Orders.CountAsync(o => o.HouseholdId == ben.Id)).ShouldBe(0);
    }

    [Fact]
    public async Task Clear_NoNetworkSealed_FailsLoudlyAndSealsNothing()
    {
        await using var app = GridApp();
        _ = app.Server;
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        int blocksBefore;
        await using (var db = app.CreateDb())
        {
            blocksBefore = await db.Blocks.CountAsync();
        }

        var failure = await Should.ThrowAsync<InvalidOperationException>(() => app.CloseGateAndClearAsync(interval));

        failure.Message.ShouldContain("no network is sealed");
        await using var after = app.CreateDb();
        (await after.Blocks.CountAsync()).ShouldBe(blocksBefore);
        (await after.ClearedIntervals.CountAsync()).ShouldBe(0);
    }
}
