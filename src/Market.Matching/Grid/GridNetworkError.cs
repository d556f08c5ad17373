namespace Market.Matching.Grid;

/// <summary>What is wrong with a network tree.</summary>
public enum GridNetworkErrorCode : byte
{
    /// <summary>The network has no node.</summary>
    Empty = 1,

    /// <summary>No node has parent <c>-1</c>.</summary>
    NoRoot = 2,

    /// <summary>A second node has parent <c>-1</c>.</summary>
    SeveralRoots = 3,

    /// <summary>The node's parent is not a node of the network (an orphan).</summary>
    UnknownParent = 4,

    /// <summary>The node does not lead to the root: its chain of parents runs into a cycle.</summary>
    Cycle = 5,

    /// <summary>The node lies deeper than <see cref="GridNetwork.MaxDepth"/> below the root.</summary>
    TooDeep = 6,

    /// <summary>A capacity of the node is negative.</summary>
    NegativeCapacity = 7,

    /// <summary>A fee of the node is negative or above <see cref="GridNetwork.MaxFee"/>.</summary>
    FeeOutOfRange = 8,
}

/// <summary>Why a network tree was refused, naming the first offending node.</summary>
/// <param name="Node">The offending node's index in the input, or <c>-1</c> for an empty network.</param>
/// <param name="Code">What is wrong, for programs.</param>
/// <param name="Message">What is wrong, for people (English, invariant culture).</param>
public sealed record GridNetworkError(int Node, GridNetworkErrorCode Code, string Message);
