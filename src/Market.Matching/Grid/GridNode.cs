namespace Market.Matching.Grid;

/// <summary>
/// One node of the community's network tree: a connection point, a feeder, a transformer or the community itself,
/// with the limits and fees of the line that joins it to its parent.
/// </summary>
/// <param name="Parent">
/// The index of the parent node in the same list, or <c>-1</c> for the root (the community's connection to the
/// upstream grid). Exactly one node is the root.
/// </param>
/// <param name="ExportCapacityWh">
/// The most net energy the node's subtree may send up to its parent in an interval, in watt-hours; zero or more,
/// <see cref="GridNetwork.Unlimited"/> for no limit. For a connection point this is its export envelope. Ignored for
/// the root.
/// </param>
/// <param name="ImportCapacityWh">
/// The most net energy the node's subtree may take from its parent in an interval, in watt-hours; zero or more,
/// <see cref="GridNetwork.Unlimited"/> for no limit. For a connection point this is its import envelope. Ignored for
/// the root.
/// </param>
/// <param name="ExportFee">
/// The network fee for energy sent up through this line, in 1/10,000 of the currency per kWh; zero or more, at most
/// <see cref="GridNetwork.MaxFee"/>. Ignored for the root.
/// </param>
/// <param name="ImportFee">
/// The network fee for energy taken down through this line, in 1/10,000 of the currency per kWh; zero or more, at
/// most <see cref="GridNetwork.MaxFee"/>. Ignored for the root.
/// </param>
public readonly record struct GridNode(int Parent, long ExportCapacityWh, long ImportCapacityWh, long ExportFee, long ImportFee);

/// <summary>
/// The limits of one node's line to its parent for one interval, replacing the static capacities of its
/// <see cref="GridNode"/>: the network operator's envelope for a connection point, or a feeder's capacity when it
/// varies.
/// </summary>
/// <param name="ExportWh">The most net energy the subtree may send up, in watt-hours; zero or more.</param>
/// <param name="ImportWh">The most net energy the subtree may take down, in watt-hours; zero or more.</param>
public readonly record struct EdgeLimit(long ExportWh, long ImportWh);

/// <summary>Where a node's line to its parent stands after a clearing.</summary>
public enum EdgeState : byte
{
    /// <summary>No limit binds: the prices on both ends differ by at most the line's fees.</summary>
    Free = 0,

    /// <summary>The subtree exports its full export capacity and its price is below the parent's less the export fee.</summary>
    ExportLimitBinding = 1,

    /// <summary>The subtree imports its full import capacity and its price is above the parent's plus the import fee.</summary>
    ImportLimitBinding = 2,
}
