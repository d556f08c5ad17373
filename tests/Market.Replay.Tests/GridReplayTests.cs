using Market.Ledger;

namespace Market.Replay.Tests;

/// <summary>
/// <see cref="MatchingReplayer.ReplayGrid"/> on the network, limits and book of Market.Ledger.Tests' GridChain (the
/// shared tamper cases' "grid" ledger): the trades and zone prices sealed there are what GridAuction gives.
/// </summary>
public sealed class GridReplayTests
{
    private static readonly RulesRecord Rules = new(1, ClearingMechanisms.GridZonalAuction, 900, 300, 0, 10_000, 0)
    {
        SameFeederFee = 10,
        SameTransformerFee = 30,
        AcrossTransformersFee = 50,
    };

    private static readonly long[] ZonePrices = [3010, 3000, 2010, 2000, 2010, 3000, 3000, 2995];

    [Fact]
    public void ReplayGrid_GridChainBook_TradesAndZonePricesAsSealed()
    {
        var input = Input(fills: [2000, 1500, 0, 500], ZonePrices);

        var replay = new MatchingReplayer().ReplayGrid(input);

        replay.ShouldNotBeNull();
        replay.Trades.ShouldBe([new ReplayedGridTrade(4, 1, 500, 2010, 2000, 10, 2), new ReplayedGridTrade(2, 1, 1500, 3000, 2000, 30, 1)]);
        replay.ZonePrices.ShouldBe(ZonePrices);
        replay.CertificateFailure.ShouldBeNull();
        (replay.Residual.MinInjectionWh, replay.Residual.MaxInjectionWh).ShouldBe((-3500, 1500));
        replay.Residual.Export.ShouldBe([new ResidualStep(3020, 1500)]);
        replay.Residual.Import.ShouldBe([new ResidualStep(3000, 500), new ResidualStep(2500, 1500), new ResidualStep(2030, 3000), new ResidualStep(2010, 3500)]);
    }

    [Fact]
    public void ReplayGrid_RecordedZonePriceTooLow_CertificateRefused()
    {
        long[] prices = [.. ZonePrices];
        prices[6] = 2900;

        var replay = new MatchingReplayer().ReplayGrid(Input(fills: [2000, 1500, 0, 500], prices));

        replay!.CertificateFailure.ShouldStartWith("OrderOnWrongSide");
    }

    [Fact]
    public void ReplayGrid_UniformPriceRules_Null()
    {
        var input = Input([2000, 1500, 0, 500], ZonePrices) with { Rules = Rules with { Mechanism = 1, SameFeederFee = 0, SameTransformerFee = 0, AcrossTransformersFee = 0 } };

        new MatchingReplayer().ReplayGrid(input).ShouldBeNull();
    }

    private static GridReplayInput Input(long[] fills, long[] zonePrices)
    {
        PartyId H(ulong k) => new(7, k);
        NetworkNodeLeaf[] nodes =
        [
            new(-1, NetworkNodeKind.Community, -1, -1, default, "c"),
            new(0, NetworkNodeKind.Transformer, -1, -1, default, "t1"),
            new(1, NetworkNodeKind.Feeder, 6000, -1, default, "f1"),
            new(2, NetworkNodeKind.Connection, 12_000, 12_000, H(1), "h1"),
            new(2, NetworkNodeKind.Connection, 12_000, 12_000, H(2), "h2"),
            new(1, NetworkNodeKind.Feeder, -1, -1, default, "f2"),
            new(5, NetworkNodeKind.Connection, 12_000, 12_000, H(3), "h3"),
            new(5, NetworkNodeKind.Connection, 12_000, 12_000, H(4), "h4"),
        ];
        GridTopology.TryCreate(nodes, out var topology, out var error, out _).ShouldBeTrue(error);
        var limits = topology!.StaticLimits(900);
        limits[3] = (2500, 3000);
        OrderLeaf[] orders =
        [
            Order(1, H(1), OrderSide.Sell, 3000, 2000),
            Order(2, H(3), OrderSide.Buy, 2000, 3000),
            Order(3, H(4), OrderSide.Buy, 1000, 2500),
            Order(4, H(2), OrderSide.Buy, 500, 2800),
        ];
        return new GridReplayInput(orders, [3, 6, 7, 4], topology, Rules, limits, fills, zonePrices);
    }

    private static OrderLeaf Order(long sequence, PartyId owner, OrderSide side, long energyWh, long limitPrice) =>
        new(sequence, owner, side, energyWh, limitPrice, new byte[16], new MandateOrder(new byte[32]));
}
