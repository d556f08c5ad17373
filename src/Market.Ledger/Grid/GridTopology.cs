namespace Market.Ledger;

/// <summary>
/// A validated network block: the community at the root, transformers under it, feeders under transformers,
/// connections under feeders, node ids unique, a household at no more than one connection. Gives what the ledger's
/// checks of a mechanism-3 clearing need: parents, each order's connection, the nearest common ancestor of two
/// nodes, the lines' fees (from the rules) and their limits per interval.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class GridTopology
{
    /// <summary>A limit in watt-hours that means "no limit".</summary>
    public const long UnlimitedWh = long.MaxValue;

    private readonly int[] _depth;
    private readonly Dictionary<PartyId, int> _connectionOf;

    private GridTopology(NetworkNodeLeaf[] nodes, int root, int[] depth, int[] topDown, Dictionary<PartyId, int> connectionOf)
    {
        Nodes = nodes;
        Root = root;
        _depth = depth;
        TopDown = topDown;
        _connectionOf = connectionOf;
    }

    /// <summary>The nodes, by index.</summary>
    public IReadOnlyList<NetworkNodeLeaf> Nodes { get; }

    /// <summary>The number of nodes.</summary>
    public int Count => Nodes.Count;

    /// <summary>The root's index (the community).</summary>
    public int Root { get; }

    /// <summary>Every node once, parents before children: breadth first from the root, children in input order.</summary>
    public IReadOnlyList<int> TopDown { get; }

    /// <summary>Checks a network block's nodes and builds the tree.</summary>
    /// <param name="nodes">Node i is leaf i.</param>
    /// <param name="topology">The tree on success.</param>
    /// <param name="error">What is wrong (naming the node) on failure.</param>
    /// <param name="node">The offending node's index, or -1.</param>
    /// <returns>Whether the nodes form a valid network.</returns>
    public static bool TryCreate(IReadOnlyList<NetworkNodeLeaf> nodes, out GridTopology? topology, out string? error, out int node)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        topology = null;
        node = -1;
        var n = nodes.Count;
        if (n == 0)
        {
            error = "the network has no node";
            return false;
        }

        var root = -1;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var connectionOf = new Dictionary<PartyId, int>();
        for (var i = 0; i < n; i++)
        {
            node = i;
            var leaf = nodes[i];
            if (leaf.Parent == -1)
            {
                if (root >= 0)
                {
                    error = $"node {i} is a second root (node {root} is the first)";
                    return false;
                }

                root = i;
            }
            else if (leaf.Parent < 0 || leaf.Parent >= n)
            {
                error = $"node {i} has parent {leaf.Parent}, which is not a node of the network (an orphan)";
                return false;
            }

            if (!ids.Add(leaf.NodeId))
            {
                error = $"node {i} repeats the node id \"{leaf.NodeId}\"";
                return false;
            }

            if (leaf.Household != default && !connectionOf.TryAdd(leaf.Household, i))
            {
                error = $"node {i}'s household is already at connection {connectionOf[leaf.Household]}";
                return false;
            }
        }

        if (root < 0)
        {
            error = "no node is the root (parent -1)";
            node = -1;
            return false;
        }

        // Depths by walking up; a walk longer than the node count is a cycle.
        var depth = new int[n];
        for (var i = 0; i < n; i++)
        {
            node = i;
            var steps = 0;
            for (var at = i; at != root; at = nodes[at].Parent)
            {
                if (++steps > n)
                {
                    error = $"node {i} does not lead to the root: its parents form a cycle";
                    return false;
                }
            }

            depth[i] = steps;
        }

        for (var i = 0; i < n; i++)
        {
            node = i;
            var leaf = nodes[i];
            var expected = (NetworkNodeKind)(depth[i] + 1);
            if (leaf.Kind != expected || depth[i] > 3)
            {
                error = $"node {i} is a {leaf.Kind} {depth[i]} levels below the root; the tree is community, transformers, feeders, connections";
                return false;
            }

            if (i == root && (leaf.ExportCapacityW != NetworkNodeLeaf.Unlimited || leaf.ImportCapacityW != NetworkNodeLeaf.Unlimited))
            {
                error = "the community (root) has no line above it: its capacities are -1";
                return false;
            }
        }

        // Breadth first from the root, children in input order (as Market.Matching's GridNetwork), so checks that
        // walk the lines report the same first failure.
        var children = Enumerable.Range(0, n).Where(i => i != root).ToLookup(i => nodes[i].Parent);
        var topDown = new int[n];
        topDown[0] = root;
        for (int head = 0, reached = 1; head < reached; head++)
        {
            foreach (var child in children[topDown[head]])
            {
                topDown[reached++] = child;
            }
        }

        node = -1;
        error = null;
        topology = new GridTopology([.. nodes], root, depth, topDown, connectionOf);
        return true;
    }

    /// <summary>The parent of a node, or -1 for the root.</summary>
    /// <param name="node">The node.</param>
    /// <returns>Its parent.</returns>
    public int Parent(int node) => Nodes[node].Parent;

    /// <summary>The connection a household is at, or -1.</summary>
    /// <param name="household">The household.</param>
    /// <returns>The connection's index, or -1.</returns>
    public int ConnectionOf(PartyId household) => _connectionOf.TryGetValue(household, out var i) ? i : -1;

    /// <summary>The nearest common ancestor of two nodes (a node is its own ancestor).</summary>
    /// <param name="a">A node.</param>
    /// <param name="b">Another node.</param>
    /// <returns>The meet node.</returns>
    public int MeetNode(int a, int b)
    {
        while (_depth[a] > _depth[b])
        {
            a = Parent(a);
        }

        while (_depth[b] > _depth[a])
        {
            b = Parent(b);
        }

        while (a != b)
        {
            a = Parent(a);
            b = Parent(b);
        }

        return a;
    }

    /// <summary>
    /// The export fee of a node's line to its parent from the rules' fee table: a connection's line carries the
    /// same-feeder fee, a feeder's the same-transformer fee less that, a transformer's the across-transformers fee less
    /// that; the root has none. Import fees are 0, so a trade's path fee is the table's fee for its distance.
    /// </summary>
    /// <param name="node">The node.</param>
    /// <param name="rules">The rules in force.</param>
    /// <returns>The fee, in 1/10,000 of the currency per kWh.</returns>
    public long ExportFee(int node, RulesRecord rules) => Nodes[node].Kind switch
    {
        NetworkNodeKind.Connection => rules.SameFeederFee,
        NetworkNodeKind.Feeder => rules.SameTransformerFee - rules.SameFeederFee,
        NetworkNodeKind.Transformer => rules.AcrossTransformersFee - rules.SameTransformerFee,
        _ => 0,
    };

    /// <summary>The fee of a trade's path: the export fees of the lines from the seller's node up to the meet node.</summary>
    /// <param name="sellerNode">The seller's connection.</param>
    /// <param name="meetNode">The meet node (an ancestor of the seller's node).</param>
    /// <param name="rules">The rules in force.</param>
    /// <returns>The fee.</returns>
    public long PathFee(int sellerNode, int meetNode, RulesRecord rules)
    {
        long fee = 0;
        for (var at = sellerNode; at != meetNode; at = Parent(at))
        {
            fee += ExportFee(at, rules);
        }

        return fee;
    }

    /// <summary>A static capacity in watts as watt-hours over an interval: <c>floor(W × seconds / 3600)</c>;
    /// -1 (unlimited) and anything beyond 2^63−1 Wh give <see cref="UnlimitedWh"/>.</summary>
    /// <param name="watts">The capacity in W, or -1.</param>
    /// <param name="intervalSeconds">The interval's length in seconds.</param>
    /// <returns>The limit in Wh.</returns>
    public static long CapacityWh(long watts, long intervalSeconds)
    {
        if (watts < 0)
        {
            return UnlimitedWh;
        }

        var wh = (Int128)watts * intervalSeconds / 3600;
        return wh >= long.MaxValue ? UnlimitedWh : (long)wh;
    }

    /// <summary>Each node's static limits in Wh for an interval of the given length (the root's are unlimited).</summary>
    /// <param name="intervalSeconds">The interval's length in seconds.</param>
    /// <returns>One (export, import) pair per node.</returns>
    public (long ExportWh, long ImportWh)[] StaticLimits(long intervalSeconds)
    {
        var limits = new (long, long)[Count];
        for (var i = 0; i < limits.Length; i++)
        {
            limits[i] = (CapacityWh(Nodes[i].ExportCapacityW, intervalSeconds), CapacityWh(Nodes[i].ImportCapacityW, intervalSeconds));
        }

        return limits;
    }
}
