using Market.Matching;
using Market.Matching.Grid;

namespace Market.Cli.Bench;

/// <summary>
/// A reproducible random network and book for benchmarks of the clearing under the grid's limits: the same counts
/// and seed give the same network and book on every machine.
/// </summary>
/// <remarks>
/// Shaped like a sunny interval in a large community: the root, one transformer per 20 feeders, the feeders, and one
/// connection per four orders spread evenly over the feeders. The book is <see cref="RandomBook"/>'s, except that
/// each feeder has its own share of offers (20 to 80 %), so some feeders export and others import. Each connection's
/// envelope allows 1,000 to 6,000 Wh each way; each feeder carries 0.5 to 1.5 times its expected net flow, so about
/// half of them bind; fees are 0.5 ct/kWh on a feeder, 1.5 across feeders and 3 across transformers.
/// </remarks>
internal sealed class RandomGrid
{
    private RandomGrid(GridNetwork network, Order[] orders, int[] orderNodes)
    {
        Network = network;
        Orders = orders;
        OrderNodes = orderNodes;
    }

    public GridNetwork Network { get; }

    public Order[] Orders { get; }

    public int[] OrderNodes { get; }

    public static RandomGrid Generate(int orderCount, int feederCount, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(orderCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(feederCount, 1);
        var random = new SplitMix64(seed);
        var transformerCount = Math.Max(1, feederCount / 20);
        var connectionCount = Math.Max(feederCount, orderCount / 4);
        var nodes = new List<GridNode> { new(-1, 0, 0, 0, 0) };
        for (var t = 0; t < transformerCount; t++)
        {
            nodes.Add(new GridNode(0, GridNetwork.Unlimited, GridNetwork.Unlimited, 150, 0));
        }

        var firstFeeder = nodes.Count;
        var sellShare = new long[feederCount];
        for (var f = 0; f < feederCount; f++)
        {
            sellShare[f] = random.Between(20, 80);
            var perFeeder = (long)orderCount / feederCount;
            var expectedNet = Math.Abs(perFeeder * (2 * sellShare[f] - 100) / 100 * ((RandomBook.MinEnergyWh + RandomBook.MaxEnergyWh) / 2));
            var capacity = Math.Max(1_000, expectedNet * random.Between(50, 150) / 100);
            nodes.Add(new GridNode(1 + (f % transformerCount), capacity, capacity, 100, 0));
        }

        var firstConnection = nodes.Count;
        for (var c = 0; c < connectionCount; c++)
        {
            nodes.Add(new GridNode(firstFeeder + (c % feederCount), random.Between(1_000, 6_000), random.Between(1_000, 6_000), 50, 0));
        }

        if (!GridNetwork.TryCreate(nodes.ToArray(), out var network, out var error))
        {
            throw new InvalidOperationException(error.Message);
        }

        var orders = new Order[orderCount];
        var orderNodes = new int[orderCount];
        var sequences = new long[orderCount];
        for (var i = 0; i < orderCount; i++)
        {
            var connection = (int)random.Between(0, connectionCount - 1);
            var feeder = connection % feederCount;
            var side = random.Between(1, 100) <= sellShare[feeder] ? Side.Sell : Side.Buy;
            orders[i] = new Order(i + 1, side, random.Between(RandomBook.MinEnergyWh, RandomBook.MaxEnergyWh), random.Between(RandomBook.MinPrice, RandomBook.MaxPrice), 0);
            orderNodes[i] = firstConnection + connection;
            sequences[i] = i + 1;
        }

        for (var i = orderCount - 1; i > 0; i--)
        {
            var j = (int)random.Between(0, i);
            (sequences[i], sequences[j]) = (sequences[j], sequences[i]);
        }

        for (var i = 0; i < orderCount; i++)
        {
            orders[i] = orders[i] with { Sequence = sequences[i] };
        }

        return new RandomGrid(network, orders, orderNodes);
    }
}
