using Bunit;
using Market.Web.Components.Shared;
using Market.Web.Tests.Components;
using Market.Web.Tests.Support;
using NetworkNodeKind = Market.Ledger.NetworkNodeKind;

namespace Market.Web.Tests.Trading;

/// <summary>
/// What a household reads about an order or a trade cleared under the grid's mechanism: the line that cut it (its own
/// connection's envelope, its feeder, its transformer) with the limit in kW and the network operator's event, its
/// zone's price against the community's, and where the money of a trade went.
/// </summary>
[Trait("Database", "Independent")]
public sealed class GridExplanationTests
{
    private const long Interval = 1_781_517_600; // 2026-06-15 10:00 UTC
    private const long QuarterHour = 900;

    private static OrderEntity Order(OrderSide side, long energyWh, long filledWh, long limit, string outcome, long zone, int? limitingNode = null) => new()
    {
        Id = 1,
        Side = side,
        EnergyWh = energyWh,
        FilledWh = filledWh,
        LimitPrice = limit,
        IntervalStart = Interval,
        Status = filledWh == energyWh ? OrderStatus.Filled : filledWh > 0 ? OrderStatus.PartiallyFilled : OrderStatus.Unmatched,
        Outcome = outcome,
        ZonePrice = zone,
        LimitingNode = limitingNode,
    };

    private static OrderGridFacts Line(NetworkNodeKind kind, string id, long? exportWh, long? importWh, bool fromEnvelope = false, string? eventId = null) =>
        new(new GridNodeResultEntity
        {
            IntervalStart = Interval, Node = 4, NodeId = id, Kind = (byte)kind, ExportLimitWh = exportWh, ImportLimitWh = importWh, FromEnvelope = fromEnvelope, EventId = eventId,
            State = LineState.ExportBinding,
        }, QuarterHour);

    [Fact]
    public void Explain_SellerCutByItsEnvelope_NamesTheExportLimitInKwAndTheEvent()
    {
        var order = Order(OrderSide.Sell, 1000, 600, 1000, "NetworkLimit", 1000, limitingNode: 4);

        var text = OrderExplainer.Explain(order, 3000, Line(NetworkNodeKind.Connection, "C-ANNA", 600, 3000, fromEnvelope: true, eventId: "DOE-42"));

        text.ShouldBe("Limited by your connection's export limit of 2.4 kW from the network operator (event DOE-42): 0.600 kWh of 1.000 kWh sold at your zone's price of 10.00 ct/kWh.");
    }

    [Fact]
    public void Explain_BuyerCutByItsEnvelope_NamesTheImportLimit()
    {
        var order = Order(OrderSide.Buy, 2000, 1500, 3000, "NetworkLimit", 3000, limitingNode: 7);

        var text = OrderExplainer.Explain(order, 1000, Line(NetworkNodeKind.Connection, "C-D", 5000, 1500, fromEnvelope: true));

        text.ShouldBe("Limited by your connection's import limit of 6 kW from the network operator: 1.500 kWh of 2.000 kWh bought at your zone's price of 30.00 ct/kWh.");
    }

    [Fact]
    public void Explain_SellerCutByAFullFeeder_NamesTheFeederItsLimitAndBothPrices()
    {
        var order = Order(OrderSide.Sell, 2000, 1000, 800, "NetworkLimit", 800, limitingNode: 2);

        var text = OrderExplainer.Explain(order, 2500, Line(NetworkNodeKind.Feeder, "F1", 750, null));

        text.ShouldBe("Feeder F1 was full: it could carry at most 3 kW out to the rest of the community, so 1.000 kWh of 2.000 kWh sold. Your zone's price was 8.00 ct/kWh, the community's 25.00 ct/kWh.");
    }

    [Fact]
    public void Explain_BuyerCutByAFullTransformer_NamesTheTransformerAndWhatItCouldBringIn()
    {
        var order = Order(OrderSide.Buy, 3000, 0, 3000, "NetworkLimit", 3000, limitingNode: 1);

        var text = OrderExplainer.Explain(order, 1000, Line(NetworkNodeKind.Transformer, "T2", null, 1000, fromEnvelope: true, eventId: "CAP-7"));

        text.ShouldBe("The transformer T2 was full: it could bring at most 4 kW in from the rest of the community as the network operator set it (event CAP-7), so none of your 3.000 kWh bought. Your zone's price was 30.00 ct/kWh, the community's 10.00 ct/kWh.");
    }

    [Fact]
    public void Explain_OfferAboveItsZonesPrice_ComparesWithTheZoneNotTheCommunity()
    {
        var order = Order(OrderSide.Sell, 1000, 0, 1000, "PriceOnWrongSide", 975);

        var text = OrderExplainer.Explain(order, 2100);

        text.ShouldBe("Your offer of 10.00 ct/kWh was above your zone's price of 9.75 ct/kWh (the community's price: 21.00 ct/kWh).");
    }

    [Fact]
    public void Explain_HouseholdAtNoConnection_SaysTheMarketCouldNotPlaceIt()
    {
        var order = new OrderEntity { Side = OrderSide.Sell, EnergyWh = 1000, LimitPrice = 1000, Status = OrderStatus.Cancelled, Outcome = OrderExplainer.NotConnected };

        var text = OrderExplainer.Explain(order, null);

        text.ShouldStartWith("Not cleared: when the gate closed your home was at no connection of the community's network");
    }

    [Fact]
    public void Explain_German_LimitAndPricesWithADecimalComma()
    {
        using var german = CultureScope.In("de-DE");
        var order = Order(OrderSide.Sell, 1000, 600, 1000, "NetworkLimit", 910, limitingNode: 4);

        var text = OrderExplainer.Explain(order, 2550, Line(NetworkNodeKind.Feeder, "F2", 600, null));

        text.ShouldBe("Feeder F2 was full: it could carry at most 2,4 kW out to the rest of the community, so 0,600 kWh of 1,000 kWh sold. Your zone's price was 9,10 ct/kWh, the community's 25,50 ct/kWh.");
    }

    [Fact]
    public void ExplainTrade_SellerWhenTheZonesSplit_SaysTheBuyerPaidMoreAndWhereTheDifferenceWent()
    {
        var trade = new MyTrade(1, Interval, OrderSide.Sell, 600, 1000, 600, new byte[16], 5, new TradeGridPrices(3000, 1000, 100));

        var text = TradeExplainer.Explain(trade);

        text.ShouldBe("Your zone's price. A full line split the zones, so the buyer paid more, 30.00 ct/kWh: the difference, the network fee of 1.00 ct/kWh and the congestion rent, went to the network operator.");
    }

    [Fact]
    public void ExplainTrade_BuyerPayingAFee_NamesTheFeeAndWhatTheSellerReceived()
    {
        var trade = new MyTrade(1, Interval, OrderSide.Buy, 1000, 2100, 2100, new byte[16], 5, new TradeGridPrices(2100, 1900, 200));

        var text = TradeExplainer.Explain(trade);

        text.ShouldBe("Your zone's price, with the network fee of 2.00 ct/kWh; the seller received 19.00 ct/kWh.");
    }

    [Fact]
    public void ExplainTrade_OutsideTheGridsMechanism_HasNothingToExplain()
    {
        var trade = new MyTrade(1, Interval, OrderSide.Sell, 1000, 2100, 2100, new byte[16], 5);

        TradeExplainer.Explain(trade).ShouldBeNull();
    }

    [Fact]
    public async Task OrdersTable_GridFacts_ExplainTheCutInTheRow()
    {
        await using var t = new ComponentTestContext();
        var order = Order(OrderSide.Sell, 1000, 600, 1000, "NetworkLimit", 1000, limitingNode: 4);
        var facts = new Dictionary<long, OrderGridFacts> { [order.Id] = Line(NetworkNodeKind.Connection, "C-ANNA", 600, 3000, fromEnvelope: true, eventId: "DOE-42") };

        var table = t.Context.Render<OrdersTable>(p => p.Add(x => x.Orders, [order]).Add(x => x.Prices, new Dictionary<long, long> { [Interval] = 3000 }).Add(x => x.Grid, facts));

        table.Find("[data-testid=order-explanation]").TextContent.ShouldStartWith("Limited by your connection's export limit of 2.4 kW from the network operator (event DOE-42)");
    }

    [Fact]
    public async Task TradesTable_GridTrade_HasAWhyThisPriceColumn()
    {
        await using var t = new ComponentTestContext();
        var grid = new MyTrade(1, Interval, OrderSide.Sell, 600, 1000, 600, new byte[16], 5, new TradeGridPrices(3000, 1000, 100));

        var table = t.Context.Render<TradesTable>(p => p.Add(x => x.Trades, [grid]));

        table.Find("[data-testid=trade-explanation]").TextContent.ShouldStartWith("Your zone's price. A full line split the zones");
        table.Find("[data-testid=trade-row]").TextContent.ShouldContain("10.00 ct/kWh");
    }
}
