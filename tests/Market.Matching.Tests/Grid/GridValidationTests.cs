using Market.Matching.Grid;

namespace Market.Matching.Tests.Grid;

public sealed class GridValidationTests
{
    private const long Unlimited = GridNetwork.Unlimited;

    private static readonly GridNode Root = new(-1, 0, 0, 0, 0);

    private static GridNode Under(int parent) => new(parent, Unlimited, Unlimited, 0, 0);

    public static TheoryData<GridNode[], GridNetworkErrorCode, int, string> BadTrees => new()
    {
        { [], GridNetworkErrorCode.Empty, -1, "The network has no node." },
        { [Under(1), Under(0)], GridNetworkErrorCode.NoRoot, 0, "No node is the root (parent -1)." },
        { [Root, Under(0), Root], GridNetworkErrorCode.SeveralRoots, 2, "Node 2 is a second root (node 0 is the first)." },
        { [Root, Under(0), Under(7)], GridNetworkErrorCode.UnknownParent, 2, "Node 2 has parent 7, which is not a node of the network." },
        { [Root, Under(-2)], GridNetworkErrorCode.UnknownParent, 1, "Node 1 has parent -2, which is not a node of the network." },
        { [Root, Under(1)], GridNetworkErrorCode.Cycle, 1, "Node 1 is its own parent." },
        { [Root, Under(0), Under(3), Under(2)], GridNetworkErrorCode.Cycle, 2, "Node 2 does not lead to the root: its parents form a cycle." },
        { [Root, Under(0) with { ExportCapacityWh = -1 }], GridNetworkErrorCode.NegativeCapacity, 1, "Node 1 has a negative capacity (-1 Wh export, 9223372036854775807 Wh import)." },
        { [Root, Under(0) with { ImportFee = GridNetwork.MaxFee + 1 }], GridNetworkErrorCode.FeeOutOfRange, 1, "Node 1 has a fee outside 0..1099511627776 (0 export, 1099511627777 import)." },
        { [Root, .. Enumerable.Range(0, GridNetwork.MaxDepth + 1).Select(Under)], GridNetworkErrorCode.TooDeep, GridNetwork.MaxDepth + 1, "Node 65 lies 65 levels below the root; at most 64 are allowed." },
    };

    [Theory]
    [MemberData(nameof(BadTrees))]
    public void TryCreate_BadTree_IsRefusedNamingTheNode(GridNode[] nodes, GridNetworkErrorCode code, int node, string message)
    {
        Assert.False(GridNetwork.TryCreate(nodes, out var network, out var error));
        Assert.Null(network);
        Assert.Equal(new GridNetworkError(node, code, message), error);
    }

    [Fact]
    public void TryCreate_RootAnywhere_IsAccepted()
    {
        Assert.True(GridNetwork.TryCreate([Under(2), Under(2), Root], out var network, out _));
        Assert.Equal(2, network.Root);
        Assert.Equal([0, 1], network.Children(2).ToArray());
    }

    public static TheoryData<Order, int, RejectionCode> BadOrders => new()
    {
        { new Order(7, (Side)3, 10, 10, 1), 0, RejectionCode.UnknownSide },
        { new Order(7, Side.Buy, 0, 10, 1), 0, RejectionCode.EnergyNotPositive },
        { new Order(7, Side.Buy, 10, -1, 1), 0, RejectionCode.NegativePrice },
        { new Order(7, Side.Buy, 10, GridAuction.MaxPrice + 1, 1), 0, RejectionCode.PriceTooHigh },
        { new Order(7, Side.Buy, 10, 10, 1), 5, RejectionCode.UnknownNode },
        { new Order(7, Side.Buy, 10, 10, 1), -1, RejectionCode.UnknownNode },
        { new Order(1, Side.Buy, 10, 10, 1), 0, RejectionCode.DuplicateId },
        { new Order(7, Side.Buy, long.MaxValue, 10, 1), 0, RejectionCode.TotalEnergyOverflow },
    };

    [Theory]
    [MemberData(nameof(BadOrders))]
    public void Clear_BadOrder_IsRejectedNamingIt(Order order, int node, RejectionCode code)
    {
        Assert.True(GridNetwork.TryCreate([Root, Under(0)], out var network, out _));

        var result = GridAuction.Clear(network, [new Order(1, Side.Sell, 10, 10, 1), order], [1, node]);

        Assert.False(result.IsSuccess);
        Assert.Equal((order.Id, 1, code), (result.Rejection!.OrderId, result.Rejection.Index, result.Rejection.Code));
        Assert.Empty(result.Trades);
        Assert.Empty(result.Outcomes);
    }

    [Fact]
    public void Clear_LimitsOfTheWrongCountOrNegative_Throw()
    {
        Assert.True(GridNetwork.TryCreate([Root, Under(0)], out var network, out _));

        Assert.Throws<ArgumentException>(() => GridAuction.Clear(network, [], [], [new EdgeLimit(1, 1)]));
        Assert.Throws<ArgumentException>(() => GridAuction.Clear(network, [], [], [new EdgeLimit(0, 0), new EdgeLimit(-1, 0)]));
        Assert.Throws<ArgumentException>(() => GridAuction.Clear(network, [new Order(1, Side.Buy, 1, 1, 1)], []));
    }
}
