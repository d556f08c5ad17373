using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Market.Matching.Grid;

/// <summary>
/// A validated network tree: connection points under feeders under transformers under the community's root, each
/// line with a capacity and a fee per direction (<see cref="GridNode"/>).
/// </summary>
/// <remarks>
/// Immutable and thread-safe. Nodes are addressed by their index in the list it was created from. The market is
/// closed at the root: the energy the community's households sell to each other equals the energy they buy, so no
/// market flow crosses the root.
/// </remarks>
public sealed class GridNetwork
{
    /// <summary>A capacity with no limit.</summary>
    public const long Unlimited = long.MaxValue;

    /// <summary>The highest fee a line may carry, in 1/10,000 of the currency per kWh (2^40).</summary>
    public const long MaxFee = 1L << 40;

    /// <summary>The deepest a node may lie below the root.</summary>
    public const int MaxDepth = 64;

    private GridNetwork(ImmutableArray<GridNode> nodes, int root, int[] topDown, int[] childStart, int[] children, int[] depth)
    {
        Nodes = nodes;
        Root = root;
        TopDown = topDown;
        Height = depth.Max();
        BottomUp = new int[topDown.Length];
        var at = 0;
        for (var end = topDown.Length; end > 0;)
        {
            // The deepest level not yet placed: topDown[begin .. end) all have the depth of topDown[end - 1].
            var begin = end;
            while (begin > 0 && depth[topDown[begin - 1]] == depth[topDown[end - 1]])
            {
                begin--;
            }

            Array.Copy(topDown, begin, BottomUp, at, end - begin);
            at += end - begin;
            end = begin;
        }

        ChildStart = childStart;
        ChildList = children;
        Depth = depth;
    }

    /// <summary>The nodes, as given.</summary>
    public ImmutableArray<GridNode> Nodes { get; }

    /// <summary>The number of nodes.</summary>
    public int Count => Nodes.Length;

    /// <summary>The index of the root node.</summary>
    public int Root { get; }

    /// <summary>Every node once, parents before children (breadth first from the root, children in input order).</summary>
    internal int[] TopDown { get; }

    /// <summary>Every node once, children before parents: the deepest level first, each level in <see cref="TopDown"/> order.</summary>
    internal int[] BottomUp { get; }

    /// <summary>Where each node's children start in <see cref="ChildList"/>; one more entry than nodes.</summary>
    internal int[] ChildStart { get; }

    /// <summary>The children of every node, grouped by parent, each group in input order.</summary>
    internal int[] ChildList { get; }

    /// <summary>Each node's depth below the root (the root is 0).</summary>
    internal int[] Depth { get; }

    /// <summary>The depth of the deepest node.</summary>
    internal int Height { get; }

    /// <summary>The children of a node, in input order.</summary>
    /// <param name="node">The node's index.</param>
    /// <returns>The children's indexes.</returns>
    public ReadOnlySpan<int> Children(int node) => ChildList.AsSpan(ChildStart[node], ChildStart[node + 1] - ChildStart[node]);

    /// <summary>Validates a network tree.</summary>
    /// <param name="nodes">The nodes; node <c>i</c>'s parent is an index into the same list.</param>
    /// <param name="network">The network, when valid.</param>
    /// <param name="error">The first problem, when invalid: checked node by node in input order.</param>
    /// <returns>Whether the tree is valid.</returns>
    public static bool TryCreate(
        ReadOnlySpan<GridNode> nodes,
        [NotNullWhen(true)] out GridNetwork? network,
        [NotNullWhen(false)] out GridNetworkError? error)
    {
        network = null;
        var n = nodes.Length;
        if (n == 0)
        {
            error = new GridNetworkError(-1, GridNetworkErrorCode.Empty, "The network has no node.");
            return false;
        }

        var root = -1;
        var childCounts = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            var node = nodes[i];
            if (node.Parent == -1)
            {
                if (root >= 0)
                {
                    error = Error(i, GridNetworkErrorCode.SeveralRoots, $"node {i} is a second root (node {root} is the first)");
                    return false;
                }

                root = i;
            }
            else if (node.Parent < 0 || node.Parent >= n || node.Parent == i)
            {
                error = node.Parent == i
                    ? Error(i, GridNetworkErrorCode.Cycle, $"node {i} is its own parent")
                    : Error(i, GridNetworkErrorCode.UnknownParent, $"node {i} has parent {node.Parent}, which is not a node of the network");
                return false;
            }
            else
            {
                childCounts[node.Parent + 1]++;
            }

            if (node.ExportCapacityWh < 0 || node.ImportCapacityWh < 0)
            {
                error = Error(i, GridNetworkErrorCode.NegativeCapacity, $"node {i} has a negative capacity ({node.ExportCapacityWh} Wh export, {node.ImportCapacityWh} Wh import)");
                return false;
            }

            if (node.ExportFee is < 0 or > MaxFee || node.ImportFee is < 0 or > MaxFee)
            {
                error = Error(i, GridNetworkErrorCode.FeeOutOfRange, $"node {i} has a fee outside 0..{MaxFee} ({node.ExportFee} export, {node.ImportFee} import)");
                return false;
            }
        }

        if (root < 0)
        {
            error = Error(0, GridNetworkErrorCode.NoRoot, $"no node is the root (parent -1)");
            return false;
        }

        var childStart = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            childStart[i + 1] = childStart[i] + childCounts[i + 1];
        }

        var fill = childStart[..n];
        var children = new int[n - 1];
        for (var i = 0; i < n; i++)
        {
            if (i != root)
            {
                children[fill[nodes[i].Parent]++] = i;
            }
        }

        var topDown = new int[n];
        var depth = new int[n];
        Array.Fill(depth, -1);
        topDown[0] = root;
        depth[root] = 0;
        var reached = 1;
        for (var head = 0; head < reached; head++)
        {
            var parent = topDown[head];
            for (var c = childStart[parent]; c < childStart[parent + 1]; c++)
            {
                var child = children[c];
                depth[child] = depth[parent] + 1;
                topDown[reached++] = child;
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (depth[i] < 0)
            {
                error = Error(i, GridNetworkErrorCode.Cycle, $"node {i} does not lead to the root: its parents form a cycle");
                return false;
            }

            if (depth[i] > MaxDepth)
            {
                error = Error(i, GridNetworkErrorCode.TooDeep, $"node {i} lies {depth[i]} levels below the root; at most {MaxDepth} are allowed");
                return false;
            }
        }

        network = new GridNetwork([.. nodes], root, topDown, childStart, children, depth);
        error = null;
        return true;
    }

    /// <summary>The capacities in force for one interval: the given limits, or the nodes' static capacities.</summary>
    /// <param name="limits">One per node, or empty for the static capacities.</param>
    /// <returns>One limit per node.</returns>
    /// <exception cref="ArgumentException">The limits are neither empty nor one per node, or one is negative.</exception>
    internal EdgeLimit[] LimitsInForce(ReadOnlySpan<EdgeLimit> limits)
    {
        var result = new EdgeLimit[Count];
        if (limits.IsEmpty)
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new EdgeLimit(Nodes[i].ExportCapacityWh, Nodes[i].ImportCapacityWh);
            }

            return result;
        }

        if (limits.Length != Count)
        {
            throw new ArgumentException($"Expected one limit per node ({Count}), got {limits.Length}.", nameof(limits));
        }

        for (var i = 0; i < result.Length; i++)
        {
            if (limits[i].ExportWh < 0 || limits[i].ImportWh < 0)
            {
                throw new ArgumentException($"The limit of node {i} is negative.", nameof(limits));
            }

            result[i] = limits[i];
        }

        return result;
    }

    private static GridNetworkError Error(int node, GridNetworkErrorCode code, FormattableString message) =>
        new(node, code, Sentence(message.ToString(CultureInfo.InvariantCulture)));

    private static string Sentence(string text) => string.Concat(text[..1].ToUpperInvariant(), text[1..], ".");
}
