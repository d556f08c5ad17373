using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Market.Matching.Grid;

namespace Market.Matching.Tests.Grid;

/// <summary>
/// One shared certificate vector: a network, the interval's limits (empty for the static capacities), a book, a
/// certificate (each order's fill and each node's zone price) and what a checker must report for it.
/// </summary>
internal sealed record CertificateCase(
    string Name, GridNode[] Nodes, EdgeLimit[] Limits, Order[] Orders, int[] OrderNodes, long[] FilledWh, long[] ZonePrices)
{
    public CertificateExpectation? Expected { get; } = CertificateVectors.Expect(Nodes, Limits, Orders, OrderNodes, FilledWh, ZonePrices);

    public override string ToString() => Name;
}

/// <summary>
/// What a checker must report: a <see cref="GridCertificateCode"/> name with its index and message, or
/// <see cref="CertificateVectors.NetworkCode"/> with the <see cref="GridNetworkErrorCode"/> name, node and message
/// when the nodes are not a valid tree (then <see cref="GridCertificate.Check"/> is never reached).
/// </summary>
internal sealed record CertificateExpectation(string Code, int Index, string? NetworkCode, string Message);

/// <summary>A valid clearing of <see cref="GridAuction.Clear"/> that the tampered cases start from.</summary>
internal sealed record BaseClearing(string Name, GridNode[] Nodes, EdgeLimit[] Limits, Order[] Orders, int[] OrderNodes, GridClearingResult Result)
{
    public GridNetwork Network => GridNetwork.TryCreate(Nodes, out var network, out var error)
        ? network
        : throw new InvalidOperationException(error.Message);

    /// <summary>The limits in force, one per node, also when the case uses the static capacities.</summary>
    public EdgeLimit[] LimitsInForce => Limits.Length > 0
        ? [.. Limits]
        : [.. Nodes.Select(n => new EdgeLimit(n.ExportCapacityWh, n.ImportCapacityWh))];

    public long[] Fills => [.. Result.Outcomes.Select(o => o.FilledWh)];

    public long[] Prices => [.. Result.ZonePrices];

    public CertificateCase Certificate(string name, long[]? fills = null, long[]? prices = null, EdgeLimit[]? limits = null) =>
        new(name, Nodes, limits ?? Limits, Orders, OrderNodes, fills ?? Fills, prices ?? Prices);
}

/// <summary>
/// The shared certificate vectors (tests/grid-cases/certificates.json): valid clearings of <see cref="GridAuction"/> on
/// small networks with binding limits and fees, and tampered certificates, each with what
/// <see cref="GridCertificate.Check"/> (or, for a broken tree, <see cref="GridNetwork.TryCreate"/>) reports. The
/// JavaScript verifier's port of the check runs every case and must report the same. Everything comes from fixed
/// seeds of <see cref="Random"/>, whose seeded sequence .NET keeps stable, so the file is the same on every run.
/// </summary>
internal static class CertificateVectors
{
    /// <summary>Set to 1 to write the generated file instead of only comparing it.</summary>
    public const string WriteVariable = "MARKET_WRITE_GRID_CASES";

    /// <summary>The code of a case whose nodes are not a valid tree.</summary>
    public const string NetworkCode = "Network";

    private const int Seed = 20_250_612;
    private const int BindingClearings = 36;
    private const int FreeClearings = 12;

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>tests/grid-cases/certificates.json of the repository holding the test assembly.</summary>
    public static string FilePath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Market.sln")))
            {
                dir = dir.Parent;
            }

            return dir is null
                ? throw new InvalidOperationException($"no Market.sln above {AppContext.BaseDirectory}: run the tests from the repository")
                : Path.Combine(dir.FullName, "tests", "grid-cases", "certificates.json");
        }
    }

    /// <summary>What a checker must report for a certificate.</summary>
    public static CertificateExpectation? Expect(
        GridNode[] nodes, EdgeLimit[] limits, Order[] orders, int[] orderNodes, long[] filledWh, long[] zonePrices)
    {
        if (!GridNetwork.TryCreate(nodes, out var network, out var error))
        {
            return new CertificateExpectation(NetworkCode, error.Node, error.Code.ToString(), error.Message);
        }

        var failure = GridCertificate.Check(network, limits, orders, orderNodes, filledWh, zonePrices);
        return failure is null ? null : new CertificateExpectation(failure.Code.ToString(), failure.Index, null, failure.Message);
    }

    /// <summary>The valid clearings the random cases start from: most with a binding limit, some without.</summary>
    public static List<BaseClearing> Clearings()
    {
        var random = new Random(Seed);
        var clearings = new List<BaseClearing>();
        int binding = 0, free = 0;
        while (binding < BindingClearings || free < FreeClearings)
        {
            var (nodes, limits, orders, orderNodes) = RandomBook(random);
            var result = GridAuction.Clear(Network(nodes), orders, orderNodes, limits);
            var isBinding = result.EdgeStates.Any(s => s != EdgeState.Free);
            if (result.VolumeWh == 0 || (isBinding ? binding == BindingClearings : free == FreeClearings))
            {
                continue;
            }

            if (isBinding)
            {
                binding++;
            }
            else
            {
                free++;
            }

            clearings.Add(new BaseClearing($"clearing-{clearings.Count + 1:D2}", nodes, limits, orders, orderNodes, result));
        }

        return clearings;
    }

    /// <summary>Every case, in file order.</summary>
    public static List<CertificateCase> Cases()
    {
        var cases = new List<CertificateCase>();
        var clearings = Clearings();
        var tampers = new Random(Seed + 1);
        for (var k = 0; k < clearings.Count; k++)
        {
            cases.Add(clearings[k].Certificate(clearings[k].Name));
            cases.AddRange(Tampered(clearings[k], k, tampers));
        }

        cases.AddRange(LargeValues());
        cases.AddRange(ZonePriceBounds());
        cases.AddRange(DeepChains());
        cases.AddRange(BrokenTrees(clearings.First(c => c.Nodes.Length >= 5)));
        cases.AddRange(NegativeLimits(clearings.First(c => c.Result.FlowsWh.Any(f => f < 0))));
        return cases;
    }

    /// <summary>certificates.json: a header, then one case per line.</summary>
    public static byte[] Json(IReadOnlyList<CertificateCase> cases)
    {
        var text = new StringBuilder();
        text.Append("{\n  \"format\": \"market-grid-certificates\",\n  \"version\": 1,\n");
        text.Append("  \"about\": \"Certificates of clearings under the grid's limits and what GridCertificate.Check reports for each (tests/grid-cases/README.md). Generated by tests/Market.Matching.Tests/Grid/CertificateVectors.cs: do not edit.\",\n");
        text.Append(CultureInfo.InvariantCulture, $"  \"maxZonePrice\": \"{GridCertificate.MaxZonePrice}\",\n");
        text.Append("  \"codes\": [").AppendJoin(", ", Enum.GetNames<GridCertificateCode>().Select(n => $"\"{n}\"")).Append("],\n");
        text.Append("  \"networkCodes\": [").AppendJoin(", ", Enum.GetNames<GridNetworkErrorCode>().Select(n => $"\"{n}\"")).Append("],\n");
        text.Append("  \"cases\": [\n");
        for (var i = 0; i < cases.Count; i++)
        {
            text.Append("    ").Append(CaseJson(cases[i])).Append(i + 1 < cases.Count ? ",\n" : "\n");
        }

        text.Append("  ]\n}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// The tampered certificates of one clearing: about half of the kinds, taking turns between clearings so that every
    /// kind appears on many networks while the file stays small.
    /// </summary>
    private static IEnumerable<CertificateCase> Tampered(BaseClearing c, int k, Random random)
    {
        Func<BaseClearing, Random, CertificateCase?>[] kinds =
        [
            FillAboveOrder, NegativeFill, FlowAboveExportLimit, FlowAboveImportLimit, ClearedIgnoringTheLimits,
            ClearedIgnoringTheFees, OrderOnTheWrongSide, PriceGapAcrossAFreeLine, FilledOrderLeftOut, MarginalFillNudged,
            ZonePriceOutOfRange, WrongShape,
        ];
        for (var kind = 0; kind < kinds.Length; kind++)
        {
            if ((kind + k) % 2 == 0 && kinds[kind](c, random) is { } tampered)
            {
                yield return tampered;
            }
        }
    }

    private static CertificateCase? FillAboveOrder(BaseClearing c, Random random)
    {
        if (c.Orders.Length == 0)
        {
            return null;
        }

        var i = random.Next(c.Orders.Length);
        var fills = c.Fills;
        fills[i] = c.Orders[i].EnergyWh + 1;
        return c.Certificate($"{c.Name}: order {i} filled above its energy", fills);
    }

    private static CertificateCase? NegativeFill(BaseClearing c, Random random)
    {
        if (c.Orders.Length == 0)
        {
            return null;
        }

        var i = random.Next(c.Orders.Length);
        var fills = c.Fills;
        fills[i] = -1 - random.Next(3);
        return c.Certificate($"{c.Name}: order {i} filled below zero", fills);
    }

    /// <summary>The sealed limit of a line carrying energy up is one watt-hour below its flow.</summary>
    private static CertificateCase? FlowAboveExportLimit(BaseClearing c, Random random) =>
        FlowAboveLimit(c, random, export: true);

    private static CertificateCase? FlowAboveImportLimit(BaseClearing c, Random random) =>
        FlowAboveLimit(c, random, export: false);

    private static CertificateCase? FlowAboveLimit(BaseClearing c, Random random, bool export)
    {
        var flows = c.Result.FlowsWh;
        var carrying = Enumerable.Range(0, c.Nodes.Length).Where(n => export ? flows[n] > 0 : flows[n] < 0).ToArray();
        if (carrying.Length == 0)
        {
            return null;
        }

        var node = carrying[random.Next(carrying.Length)];
        var limits = c.LimitsInForce;
        limits[node] = export ? limits[node] with { ExportWh = flows[node] - 1 } : limits[node] with { ImportWh = -flows[node] - 1 };
        return c.Certificate($"{c.Name}: node {node}'s {(export ? "export" : "import")} limit one Wh below its flow", limits: limits);
    }

    /// <summary>The book cleared as if no line had a limit, checked against the limits in force.</summary>
    private static CertificateCase? ClearedIgnoringTheLimits(BaseClearing c, Random random)
    {
        if (c.Result.EdgeStates.All(s => s == EdgeState.Free))
        {
            return null;
        }

        var unlimited = c.Nodes.Select(_ => new EdgeLimit(GridNetwork.Unlimited, GridNetwork.Unlimited)).ToArray();
        var other = GridAuction.Clear(c.Network, c.Orders, c.OrderNodes, unlimited);
        return Differing(c, other, $"{c.Name}: cleared ignoring the limits");
    }

    /// <summary>The book cleared as if no line had a fee, checked against the network with its fees.</summary>
    private static CertificateCase? ClearedIgnoringTheFees(BaseClearing c, Random random)
    {
        if (c.Nodes.All(n => n.ExportFee == 0 && n.ImportFee == 0))
        {
            return null;
        }

        GridNode[] free = [.. c.Nodes.Select(n => n with { ExportFee = 0, ImportFee = 0 })];
        var other = GridAuction.Clear(Network(free), c.Orders, c.OrderNodes, c.Limits);
        return Differing(c, other, $"{c.Name}: cleared ignoring the fees");
    }

    /// <summary>Another clearing's certificate for the clearing's book, unless it is the same certificate.</summary>
    private static CertificateCase? Differing(BaseClearing c, GridClearingResult other, string name)
    {
        long[] fills = [.. other.Outcomes.Select(o => o.FilledWh)];
        long[] prices = [.. other.ZonePrices];
        return fills.SequenceEqual(c.Fills) && prices.SequenceEqual(c.Prices) ? null : c.Certificate(name, fills, prices);
    }

    /// <summary>An order's zone price moved one step past its limit, so that it is filled on the wrong side (or not filled on the right one).</summary>
    private static CertificateCase? OrderOnTheWrongSide(BaseClearing c, Random random)
    {
        if (c.Orders.Length == 0)
        {
            return null;
        }

        var i = random.Next(c.Orders.Length);
        var o = c.Orders[i];
        var filled = c.Fills[i] > 0;
        var prices = c.Prices;
        prices[c.OrderNodes[i]] = o.Side == Side.Buy == filled ? o.Price + 1 : o.Price - 1;
        return c.Certificate($"{c.Name}: zone price of order {i} moved past its limit", prices: prices);
    }

    /// <summary>
    /// A free line's prices pulled apart: the zone price of a node (alone, or with its whole subtree) moved so that no
    /// order changes side, but the line's fees no longer explain the gap. The first such move of a few tried.
    /// </summary>
    private static CertificateCase? PriceGapAcrossAFreeLine(BaseClearing c, Random random)
    {
        var network = c.Network;
        var candidates = Enumerable.Range(0, c.Nodes.Length)
            .Where(n => n != network.Root && c.Result.EdgeStates[n] == EdgeState.Free)
            .ToArray();
        random.Shuffle(candidates);
        foreach (var node in candidates)
        {
            foreach (var subtree in new[] { false, true })
            {
                foreach (var delta in new long[] { 1, -1, 3, -3, 25, -25 })
                {
                    var prices = c.Prices;
                    for (var n = 0; n < prices.Length; n++)
                    {
                        if (n == node || (subtree && Below(c.Nodes, n, node)))
                        {
                            prices[n] += delta;
                        }
                    }

                    var tampered = c.Certificate(
                        $"{c.Name}: price gap of {delta} across node {node}'s free line{(subtree ? " (its subtree moved)" : "")}", prices: prices);
                    if (tampered.Expected is { Code: nameof(GridCertificateCode.PriceGapWithoutLimit) } e && e.Index == node)
                    {
                        return tampered;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>A filled order left out of the book with its fill: the other fills no longer balance.</summary>
    private static CertificateCase? FilledOrderLeftOut(BaseClearing c, Random random)
    {
        var fills = c.Fills;
        var filled = Enumerable.Range(0, c.Orders.Length).Where(i => fills[i] > 0).ToArray();
        if (filled.Length == 0)
        {
            return null;
        }

        var gone = filled[random.Next(filled.Length)];
        bool Kept(int i) => i != gone;
        return new CertificateCase(
            $"{c.Name}: filled {(c.Orders[gone].Side == Side.Buy ? "bid" : "offer")} {gone} left out",
            c.Nodes,
            c.Limits,
            [.. c.Orders.Where((_, i) => Kept(i))],
            [.. c.OrderNodes.Where((_, i) => Kept(i))],
            [.. fills.Where((_, i) => Kept(i))],
            c.Prices);
    }

    /// <summary>A marginal order (its limit equal to its zone's price) filled one Wh more or less: no order changes side, but the book no longer balances.</summary>
    private static CertificateCase? MarginalFillNudged(BaseClearing c, Random random)
    {
        var fills = c.Fills;
        var prices = c.Prices;
        var marginal = Enumerable.Range(0, c.Orders.Length).Where(i => c.Orders[i].Price == prices[c.OrderNodes[i]]).ToArray();
        if (marginal.Length == 0)
        {
            return null;
        }

        var i = marginal[random.Next(marginal.Length)];
        var more = fills[i] < c.Orders[i].EnergyWh;
        fills[i] += more ? 1 : -1;
        return c.Certificate($"{c.Name}: marginal order {i} filled one Wh {(more ? "more" : "less")}", fills);
    }

    private static CertificateCase? ZonePriceOutOfRange(BaseClearing c, Random random)
    {
        var node = random.Next(c.Nodes.Length);
        var prices = c.Prices;
        prices[node] = random.Next(4) switch
        {
            0 => GridCertificate.MaxZonePrice + 1,
            1 => -GridCertificate.MaxZonePrice - 1,
            2 => long.MaxValue,
            _ => long.MinValue,
        };
        return c.Certificate($"{c.Name}: node {node}'s zone price set to {prices[node]}", prices: prices);
    }

    private static CertificateCase? WrongShape(BaseClearing c, Random random)
    {
        var fills = c.Fills;
        var prices = c.Prices;
        var n = c.Orders.Length;
        var which = random.Next(8);
        var name = $"{c.Name}: ";
        EdgeLimit[] limits = c.Limits;
        int[] orderNodes = c.OrderNodes;
        switch (which)
        {
            case 0 when n > 0:
                fills = fills[..^1];
                name += "one fill missing";
                break;
            case 1:
                fills = [.. fills, 0];
                name += "one fill too many";
                break;
            case 2:
                prices = prices[..^1];
                name += "one zone price missing";
                break;
            case 3:
                prices = [.. prices, prices[^1]];
                name += "one zone price too many";
                break;
            case 4 when n > 0:
                orderNodes = orderNodes[..^1];
                name += "one order's node missing";
                break;
            case 5:
                limits = c.LimitsInForce[..^1];
                name += "one limit missing";
                break;
            case 6 when n > 0:
                var i = random.Next(n);
                orderNodes = [.. orderNodes];
                orderNodes[i] = c.Nodes.Length;
                name += $"order {i} at node {c.Nodes.Length}, past the last node";
                break;
            default:
                if (n == 0)
                {
                    return null;
                }

                var j = random.Next(n);
                orderNodes = [.. orderNodes];
                orderNodes[j] = random.Next(2) == 0 ? int.MaxValue : -1;
                name += orderNodes[j] < 0 ? $"order {j} at node -1" : $"order {j} at node 2^31 - 1";
                break;
        }

        return new CertificateCase(name, c.Nodes, limits, c.Orders, orderNodes, fills, prices);
    }

    /// <summary>
    /// Energies beyond 2^53 (where a double loses whole watt-hours), a capacity of 2^60 + 3 Wh, unlimited lines,
    /// prices at the highest limit and large fees: a checker that rounds gets these wrong.
    /// </summary>
    private static IEnumerable<CertificateCase> LargeValues()
    {
        const long fee = 1L << 38;
        const long energy = 1L << 61;
        const long capacity = (1L << 60) + 3;
        GridNode[] nodes =
        [
            new(-1, GridNetwork.Unlimited, GridNetwork.Unlimited, 0, 0),
            new(0, capacity, GridNetwork.Unlimited, fee, fee),
            new(0, GridNetwork.Unlimited, GridNetwork.Unlimited, fee, fee + 1),
        ];
        Order[] orders =
        [
            new(1, Side.Sell, energy, 0, 1),
            new(2, Side.Buy, energy, GridAuction.MaxPrice, 2),
            new(3, Side.Buy, 5, GridAuction.MaxPrice - 7, 3),
        ];
        int[] orderNodes = [1, 2, 1];
        var c = new BaseClearing("large-values", nodes, [], orders, orderNodes, GridAuction.Clear(Network(nodes), orders, orderNodes));
        yield return c.Certificate(c.Name);

        var fills = c.Fills;
        fills[0] = energy + 1;
        yield return c.Certificate($"{c.Name}: offer filled one Wh above 2^61", fills);

        fills = c.Fills;
        fills[0] -= 1;
        yield return c.Certificate($"{c.Name}: offer filled one Wh less, the book off by one Wh in 2^60", fills);

        var limits = c.LimitsInForce;
        limits[1] = limits[1] with { ExportWh = capacity - 1 };
        yield return c.Certificate($"{c.Name}: export limit one Wh below a flow of 2^60 + 3", limits: limits);

        // The buyers' line is free: their zone's price must be the root's plus the import fee exactly.
        var prices = c.Prices;
        prices[0] -= 1;
        yield return c.Certificate($"{c.Name}: the root's zone price one lower than the buyers' free line allows", prices: prices);
    }

    /// <summary>Zone prices at ±2^50 (allowed) and one beyond (refused), and the extremes of 64 bits.</summary>
    private static IEnumerable<CertificateCase> ZonePriceBounds()
    {
        GridNode[] nodes = [new(-1, 0, 0, 0, 0), new(0, 0, 0, 0, 0)];
        foreach (var (price, name) in new[]
        {
            (GridCertificate.MaxZonePrice, "2^50"), (-GridCertificate.MaxZonePrice, "-2^50"),
            (GridCertificate.MaxZonePrice + 1, "2^50 + 1"), (-GridCertificate.MaxZonePrice - 1, "-2^50 - 1"),
            (long.MaxValue, "2^63 - 1"), (long.MinValue, "-2^63"),
        })
        {
            // The two nodes are cut apart (no capacity either way), so any price is justified by the line.
            yield return new CertificateCase($"zone price at {name}", nodes, [], [], [], [], [0, price]);
        }

        yield return new CertificateCase("one node, empty book", [new(-1, 0, 0, 0, 0)], [], [], [], [], [0]);
    }

    /// <summary>A chain 64 lines deep (the deepest allowed) cleared end to end, and one a line deeper.</summary>
    private static IEnumerable<CertificateCase> DeepChains()
    {
        var nodes = Enumerable.Range(0, GridNetwork.MaxDepth + 1)
            .Select(i => new GridNode(i - 1, i % 7 == 3 ? 40 : GridNetwork.Unlimited, GridNetwork.Unlimited, i % 3, i % 2))
            .ToArray();
        Order[] orders = [new(1, Side.Sell, 100, 1, 1), new(2, Side.Buy, 60, 500, 2), new(3, Side.Buy, 30, 400, 3)];
        int[] orderNodes = [nodes.Length - 1, 0, 32];
        var c = new BaseClearing("chain of 65 nodes", nodes, [], orders, orderNodes, GridAuction.Clear(Network(nodes), orders, orderNodes));
        yield return c.Certificate(c.Name);

        var prices = c.Prices;
        prices[50] += 1;
        yield return c.Certificate($"{c.Name}: node 50's zone price one off", prices: prices);

        GridNode[] deeper = [.. nodes, new(nodes.Length - 1, 0, 0, 0, 0)];
        yield return new CertificateCase("chain of 66 nodes", deeper, [], orders, orderNodes, c.Fills, [.. c.Prices, 0]);
    }

    /// <summary>Nodes that are not a tree, from a valid clearing's certificate: the checker must refuse them, and never loop.</summary>
    private static IEnumerable<CertificateCase> BrokenTrees(BaseClearing c)
    {
        var network = c.Network;
        var root = network.Root;
        var n = c.Nodes.Length;
        var (a, b) = FirstTwo(Enumerable.Range(0, n).Where(i => i != root));
        var leaf = Enumerable.Range(0, n).Last(i => network.Children(i).IsEmpty);

        CertificateCase With(string name, Func<GridNode[], GridNode[]> change) =>
            new($"{c.Name}: {name}", change([.. c.Nodes]), c.Limits, c.Orders, c.OrderNodes, c.Fills, c.Prices);

        yield return With($"node {b}'s parent past the last node", nodes => Set(nodes, b, nodes[b] with { Parent = n }));
        yield return With($"node {a}'s parent -2", nodes => Set(nodes, a, nodes[a] with { Parent = -2 }));
        yield return With($"node {b} its own parent", nodes => Set(nodes, b, nodes[b] with { Parent = b }));
        yield return With($"nodes {a} and {b} each other's parent", nodes =>
            Set(Set(nodes, a, nodes[a] with { Parent = b }), b, nodes[b] with { Parent = a }));
        yield return With($"the root under leaf {leaf}", nodes => Set(nodes, root, nodes[root] with { Parent = leaf }));
        yield return With($"node {b} a second root", nodes => Set(nodes, b, nodes[b] with { Parent = -1 }));
        yield return With($"node {a} with a negative import capacity", nodes => Set(nodes, a, nodes[a] with { ImportCapacityWh = -1 }));
        yield return With($"node {b} with a fee above 2^40", nodes => Set(nodes, b, nodes[b] with { ExportFee = GridNetwork.MaxFee + 1 }));
        yield return With($"node {a} with a negative fee", nodes => Set(nodes, a, nodes[a] with { ImportFee = -1 }));
        yield return With("no node", _ => []);

        // A ring of three hanging off itself: every parent is a node of the network, yet three nodes never reach the root.
        GridNode[] ring = [.. c.Nodes, new(n + 2, 0, 0, 0, 0), new(n, 0, 0, 0, 0), new(n + 1, 0, 0, 0, 0)];
        yield return new CertificateCase($"{c.Name}: a ring of three nodes beside the tree", ring, [], c.Orders, c.OrderNodes, c.Fills, [.. c.Prices, 0, 0, 0]);
    }

    /// <summary>Limits below zero, which <see cref="GridAuction.Clear"/> refuses; the check compares the flows with them as given.</summary>
    private static IEnumerable<CertificateCase> NegativeLimits(BaseClearing c)
    {
        var flows = c.Result.FlowsWh;
        var node = Enumerable.Range(0, c.Nodes.Length).First(n => flows[n] < 0);
        var limits = c.LimitsInForce;
        limits[node] = limits[node] with { ExportWh = -1 };
        yield return c.Certificate($"{c.Name}: node {node}'s export limit -1 while it imports", limits: limits);

        limits = c.LimitsInForce;
        limits[node] = limits[node] with { ImportWh = -1 };
        yield return c.Certificate($"{c.Name}: node {node}'s import limit -1 while it imports", limits: limits);
    }

    /// <summary>A random network of one to seven nodes (input order shuffled, so the root is anywhere), the interval's limits or none, and a book on some of its nodes.</summary>
    private static (GridNode[] Nodes, EdgeLimit[] Limits, Order[] Orders, int[] OrderNodes) RandomBook(Random random)
    {
        var count = random.Next(1, 8);
        var permutation = Enumerable.Range(0, count).ToArray();
        random.Shuffle(permutation);
        var nodes = new GridNode[count];
        for (var k = 0; k < count; k++)
        {
            var parent = k == 0 ? -1 : permutation[random.Next(k)];
            nodes[permutation[k]] = new GridNode(parent, Capacity(random), Capacity(random), Fee(random), Fee(random));
        }

        EdgeLimit[] limits = random.Next(3) == 0
            ? []
            : [.. nodes.Select(n => random.Next(2) == 0 ? new EdgeLimit(n.ExportCapacityWh, n.ImportCapacityWh) : new EdgeLimit(Capacity(random), Capacity(random)))];

        // Households on some of the nodes only, so that feeders without orders of their own carry energy through.
        var traders = Enumerable.Range(0, count).Where(_ => random.Next(3) > 0).ToArray();
        if (traders.Length == 0)
        {
            traders = [random.Next(count)];
        }

        var orderCount = random.Next(2, 13);
        var orders = new Order[orderCount];
        var orderNodes = new int[orderCount];
        for (var i = 0; i < orderCount; i++)
        {
            orders[i] = new Order(1000 + (7 * i), random.Next(2) == 0 ? Side.Buy : Side.Sell, random.Next(1, 13), random.Next(0, 21), random.Next(0, 5));
            orderNodes[i] = traders[random.Next(traders.Length)];
        }

        return (nodes, limits, orders, orderNodes);
    }

    private static long Capacity(Random random) => random.Next(8) switch
    {
        0 or 1 => GridNetwork.Unlimited,
        2 => 0,
        _ => random.Next(1, 16),
    };

    private static long Fee(Random random) => random.Next(5) < 2 ? 0 : random.Next(1, 5);

    private static GridNetwork Network(GridNode[] nodes) =>
        GridNetwork.TryCreate(nodes, out var network, out var error) ? network : throw new InvalidOperationException(error.Message);

    private static bool Below(GridNode[] nodes, int node, int ancestor)
    {
        for (var n = nodes[node].Parent; n >= 0; n = nodes[n].Parent)
        {
            if (n == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private static (int First, int Second) FirstTwo(IEnumerable<int> values)
    {
        var two = values.Take(2).ToArray();
        return (two[0], two[1]);
    }

    private static GridNode[] Set(GridNode[] nodes, int index, GridNode node)
    {
        nodes[index] = node;
        return nodes;
    }

    private static string CaseJson(CertificateCase c)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, Compact))
        {
            json.WriteStartObject();
            json.WriteString("name", c.Name);
            json.WriteStartArray("nodes");
            foreach (var n in c.Nodes)
            {
                json.WriteStartObject();
                json.WriteNumber("parent", n.Parent);
                Int64(json, "exportCapacityWh", n.ExportCapacityWh);
                Int64(json, "importCapacityWh", n.ImportCapacityWh);
                Int64(json, "exportFee", n.ExportFee);
                Int64(json, "importFee", n.ImportFee);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("limits");
            foreach (var l in c.Limits)
            {
                json.WriteStartObject();
                Int64(json, "exportWh", l.ExportWh);
                Int64(json, "importWh", l.ImportWh);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("orders");
            foreach (var o in c.Orders)
            {
                json.WriteStartObject();
                Int64(json, "id", o.Id);
                json.WriteString("side", o.Side == Side.Buy ? "buy" : "sell");
                Int64(json, "energyWh", o.EnergyWh);
                Int64(json, "price", o.Price);
                Int64(json, "sequence", o.Sequence);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("orderNodes");
            foreach (var node in c.OrderNodes)
            {
                json.WriteNumberValue(node);
            }

            json.WriteEndArray();
            Int64s(json, "filledWh", c.FilledWh);
            Int64s(json, "zonePrices", c.ZonePrices);
            if (c.Expected is { } e)
            {
                json.WriteStartObject("expected");
                json.WriteString("code", e.Code);
                json.WriteNumber("index", e.Index);
                json.WriteString("networkCode", e.NetworkCode);
                json.WriteString("message", e.Message);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("expected");
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A 64-bit value as a decimal string: JSON numbers beyond 2^53 are not read exactly everywhere.</summary>
    private static void Int64(Utf8JsonWriter json, string name, long value) =>
        json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));

    private static void Int64s(Utf8JsonWriter json, string name, long[] values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
        }

        json.WriteEndArray();
    }
}
