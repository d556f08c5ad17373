namespace Market.Ledger.Tests;

public sealed class GridRecordTests
{
    [Fact]
    public void RulesRecord_GridMechanism_EncodesVersion2WithFeesAndDecodesBack()
    {
        var rules = GridChain.Rules;

        var bytes = rules.Encode();

        (bytes.Length, bytes[0]).ShouldBe((RulesRecord.SizeV2, (byte)2));
        RulesRecord.Decode(bytes).ShouldBe(rules);
    }

    [Fact]
    public void RulesRecord_UniformPrice_StillEncodesVersion1()
    {
        TestChain.Rules.Encode().Length.ShouldBe(RulesRecord.Size);
    }

    [Fact]
    public void RulesRecord_Version1NamingMechanism2_Refused()
    {
        var bytes = TestChain.Rules.Encode();
        bytes[3] = ClearingMechanisms.GridZonalAuction;

        RulesRecord.TryDecode(bytes, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("version 2");
    }

    [Fact]
    public void RulesRecord_FeesDecreasingWithDistance_Invalid()
    {
        var rules = GridChain.Rules with { SameTransformerFee = 5 };

        rules.Validate(out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("decrease");
    }

    [Fact]
    public void NetworkNodeLeaf_EncodeDecode_RoundTrips()
    {
        var node = GridChain.Network()[3];

        NetworkNodeLeaf.TryDecode(node.Encode(), out var decoded, out var error).ShouldBeTrue(error);

        decoded.ShouldBe(node);
    }

    [Fact]
    public void NetworkNodeLeaf_IdWithASpace_Refused()
    {
        var bytes = GridChain.Network()[1].Encode();
        bytes[^1] = (byte)' ';

        NetworkNodeLeaf.TryDecode(bytes, out _, out _).ShouldBeFalse();
    }

    [Fact]
    public void GridTopology_HouseholdAtTwoConnections_Refused()
    {
        var nodes = GridChain.Network();
        nodes[4] = nodes[4] with { Household = nodes[3].Household };

        GridTopology.TryCreate(nodes, out _, out var error, out var node).ShouldBeFalse();

        (node, error).ShouldBe((4, "node 4's household is already at connection 3"));
    }

    [Fact]
    public void GridTopology_FeederUnderTheCommunity_Refused()
    {
        var nodes = GridChain.Network();
        nodes[5] = nodes[5] with { Parent = 0 };

        GridTopology.TryCreate(nodes, out _, out _, out var node).ShouldBeFalse();

        node.ShouldBe(5);
    }

    [Fact]
    public void GridTopology_MeetNodeAndPathFee_ByDistance()
    {
        GridTopology.TryCreate(GridChain.Network(), out var t, out _, out _).ShouldBeTrue();

        (t!.MeetNode(3, 4), t.PathFee(3, 2, GridChain.Rules)).ShouldBe((2, 10L));
        (t.MeetNode(3, 7), t.PathFee(3, 1, GridChain.Rules)).ShouldBe((1, 30L));
        (t.MeetNode(3, 3), t.PathFee(3, 3, GridChain.Rules)).ShouldBe((3, 0L));
    }

    [Theory]
    [InlineData(6000L, 900L, 1500L)]
    [InlineData(1L, 900L, 0L)]
    [InlineData(-1L, 900L, long.MaxValue)]
    [InlineData(long.MaxValue, 7200L, long.MaxValue)]
    [InlineData(long.MaxValue, 900L, long.MaxValue / 4)]
    public void CapacityWh_WattsOverAnInterval_FloorOrUnlimited(long watts, long seconds, long expected)
    {
        GridTopology.CapacityWh(watts, seconds).ShouldBe(expected);
    }

    [Fact]
    public void GridTradeLeaf_EncodeDecode_RoundTrips()
    {
        var leaf = new GridTradeLeaf(1, 2, 3, new PartyId(1, 2), new PartyId(3, 4), 5, 6, 7, 8, 9, 10, 11, 12, 13);

        GridTradeLeaf.TryDecode(leaf.Encode(), out var decoded, out _).ShouldBeTrue();

        decoded.ShouldBe(leaf);
    }
}
