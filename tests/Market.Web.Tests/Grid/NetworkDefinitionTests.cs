using Market.Matching;
using Market.Matching.Grid;
using Market.Web.Grid;
using static Market.Web.Tests.Grid.GridSamples;

namespace Market.Web.Tests.Grid;

/// <summary>The network as the auction sees it: capacities per interval and fees by distance.</summary>
[Trait("Database", "Independent")]
public sealed class NetworkDefinitionTests
{
    private static readonly NetworkFees Fees = new(SameFeeder: 100, SameTransformer: 250, AcrossTransformers: 600);

    [Fact]
    public void ToGridNodes_QuarterHour_WattsBecomeWattHoursRoundedDownAndEmptyIsUnlimited()
    {
        var network = Network();

        var nodes = network.ToGridNodes(900, Fees);

        network.TryGetIndex("C1", out var c1).ShouldBeTrue();
        nodes[c1].ExportCapacityWh.ShouldBe(1250);   // 5000 W × 900 s / 3600
        nodes[c1].ImportCapacityWh.ShouldBe(3000);   // 12000 W
        network.TryGetIndex("C2", out var c2).ShouldBeTrue();
        nodes[c2].ExportCapacityWh.ShouldBe(250);    // 1001 W: 250.25 Wh, rounded down
        network.TryGetIndex("C3", out var c3).ShouldBeTrue();
        nodes[c3].ExportCapacityWh.ShouldBe(GridNetwork.Unlimited);
        nodes[c3].ImportCapacityWh.ShouldBe(GridNetwork.Unlimited);
    }

    [Fact]
    public void ToGridNodes_SampleNetwork_ParentsAreIndexesAndTheRootIsMinusOne()
    {
        var network = Network();

        var nodes = network.ToGridNodes(900, Fees);

        nodes.Select(n => n.Parent).ShouldBe([-1, 0, 0, 1, 1, 2, 3, 3, 4, 5, 5]);
    }

    [Fact]
    public void ToGridNodes_FeesByKind_AllOnTheExportSide()
    {
        var network = Network();

        var nodes = network.ToGridNodes(900, Fees);

        nodes.Select(n => n.ExportFee).ShouldBe([0, 350, 350, 150, 150, 150, 100, 100, 100, 100, 100]);
        nodes.ShouldAllBe(n => n.ImportFee == 0);
    }

    [Fact]
    public void ToGridNodes_EveryPairOfConnections_PathFeeEqualsTheTable()
    {
        var network = Network();
        var nodes = network.ToGridNodes(900, Fees);

        foreach (var (seller, buyer) in ConnectionPairs(network))
        {
            var meet = MeetingNode(nodes, seller, buyer);

            var fee = LineFees(nodes, seller, meet, n => n.ExportFee) + LineFees(nodes, buyer, meet, n => n.ImportFee);

            fee.ShouldBe(TableFee(network, seller, buyer), $"{network.Nodes[seller].Id} → {network.Nodes[buyer].Id}");
        }
    }

    [Fact]
    public void ToGridNetwork_EveryPairOfConnections_AuctionChargesTheTableFee()
    {
        var network = Network();
        var grid = network.ToGridNetwork(900, Fees);

        foreach (var (seller, buyer) in ConnectionPairs(network))
        {
            Order[] orders = [new(1, Side.Sell, 100, 1_000, 1), new(2, Side.Buy, 100, 100_000, 2)];

            var result = GridAuction.Clear(grid, orders, [seller, buyer]);

            result.Trades.ShouldHaveSingleItem().FeePrice.ShouldBe(TableFee(network, seller, buyer), $"{network.Nodes[seller].Id} → {network.Nodes[buyer].Id}");
        }
    }

    [Fact]
    public void ToGridNetwork_SampleNetwork_AcceptedByTheGridModel()
    {
        var grid = Network().ToGridNetwork(300, new NetworkFees(0, 0, 0));

        grid.Count.ShouldBe(11);
        grid.Root.ShouldBe(0);
    }

    [Theory]
    [InlineData(-1, 0, 0, "The same-feeder fee -1 is negative.")]
    [InlineData(200, 100, 300, "The same-transformer fee 100 is below the same-feeder fee 200; a longer way cannot cost less.")]
    [InlineData(100, 300, 200, "The across-transformers fee 200 is below the same-transformer fee 300; a longer way cannot cost less.")]
    [InlineData(0, 0, (1L << 40) + 1, "The across-transformers fee 1099511627777 is above the highest fee 1099511627776.")]
    public void IsValid_DecreasingNegativeOrTooHighFees_ProblemNamed(long sameFeeder, long sameTransformer, long across, string problem)
    {
        var fees = new NetworkFees(sameFeeder, sameTransformer, across);

        fees.IsValid(out var message).ShouldBeFalse();
        message.ShouldBe(problem);
    }

    [Fact]
    public void IsValid_EqualFees_Valid()
    {
        new NetworkFees(300, 300, 300).IsValid(out var problem).ShouldBeTrue();
        problem.ShouldBeNull();
    }

    [Fact]
    public void ToGridNodes_InvalidFees_Throws()
    {
        var network = Network();

        Should.Throw<ArgumentException>(() => network.ToGridNodes(900, new NetworkFees(300, 200, 100)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(86_401)]
    public void ToGridNodes_IntervalOutOfRange_Throws(int seconds)
    {
        var network = Network();

        Should.Throw<ArgumentOutOfRangeException>(() => network.ToGridNodes(seconds, Fees));
    }

    [Theory]
    [InlineData(null, 900, GridNetwork.Unlimited)]
    [InlineData(0L, 900, 0L)]
    [InlineData(3L, 900, 0L)]
    [InlineData(4L, 900, 1L)]
    [InlineData(5000L, 300, 416L)]
    [InlineData(100_000_000_000L, 86_400, 2_400_000_000_000L)]
    public void ToWattHours_Power_FloorOfWattsTimesSecondsOver3600(long? watts, int seconds, long wattHours)
    {
        NetworkDefinition.ToWattHours(watts, seconds).ShouldBe(wattHours);
    }

    [Theory]
    [InlineData("C1", true)]
    [InlineData("a.b_c-D9", true)]
    [InlineData("", false)]
    [InlineData("C 1", false)]
    [InlineData("C1\n", false)]
    [InlineData("Ω", false)]
    public void IsWellFormedNodeId_Candidates_OnlyTheAllowedCharacters(string id, bool wellFormed)
    {
        NetworkDefinition.IsWellFormedNodeId(id).ShouldBe(wellFormed);
    }

    private static IEnumerable<(int Seller, int Buyer)> ConnectionPairs(NetworkDefinition network)
    {
        var connections = Enumerable.Range(0, network.Count).Where(i => network.Nodes[i].Kind == NetworkNodeKind.Connection).ToList();
        connections.Count.ShouldBe(5);
        return from s in connections from b in connections where s != b select (s, b);
    }

    /// <summary>The fee by distance: which feeder and which transformer each connection hangs from.</summary>
    private static long TableFee(NetworkDefinition network, int seller, int buyer)
    {
        var sellerFeeder = network.ParentIndex(seller);
        var buyerFeeder = network.ParentIndex(buyer);
        return sellerFeeder == buyerFeeder ? Fees.SameFeeder
            : network.ParentIndex(sellerFeeder) == network.ParentIndex(buyerFeeder) ? Fees.SameTransformer
            : Fees.AcrossTransformers;
    }

    private static int MeetingNode(IReadOnlyList<GridNode> nodes, int a, int b)
    {
        var above = new HashSet<int>();
        for (var n = a; n >= 0; n = nodes[n].Parent)
        {
            above.Add(n);
        }

        var meet = b;
        while (!above.Contains(meet))
        {
            meet = nodes[meet].Parent;
        }

        return meet;
    }

    /// <summary>The fees of the lines from <paramref name="node"/> up to, not including, <paramref name="meet"/>.</summary>
    private static long LineFees(IReadOnlyList<GridNode> nodes, int node, int meet, Func<GridNode, long> fee)
    {
        long sum = 0;
        for (var n = node; n != meet; n = nodes[n].Parent)
        {
            sum += fee(nodes[n]);
        }

        return sum;
    }
}
