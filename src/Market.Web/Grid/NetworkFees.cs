using System.Diagnostics.CodeAnalysis;
using Market.Matching.Grid;

namespace Market.Web.Grid;

/// <summary>
/// The community's network fees by electrical distance between seller and buyer, in 1/10,000 of the currency per
/// kWh (the unit of <see cref="GridNode.ExportFee"/>).
/// </summary>
/// <param name="SameFeeder">The fee for a trade between two connections on the same feeder.</param>
/// <param name="SameTransformer">The fee for a trade between connections on different feeders of one transformer.</param>
/// <param name="AcrossTransformers">The fee for a trade between connections under different transformers.</param>
/// <remarks>
/// Valid when <c>0 ≤ SameFeeder ≤ SameTransformer ≤ AcrossTransformers ≤ </c><see cref="GridNetwork.MaxFee"/>:
/// a longer way through the network never costs less. <see cref="NetworkDefinition.ToGridNodes"/> puts the whole
/// fee on the seller's side of the path, so a trade's fee is exactly the table's.
/// </remarks>
public readonly record struct NetworkFees(long SameFeeder, long SameTransformer, long AcrossTransformers)
{
    /// <summary>Checks the fees.</summary>
    /// <param name="problem">What is wrong, for people, when invalid.</param>
    /// <returns>Whether the fees are non-negative, non-decreasing with distance, and at most <see cref="GridNetwork.MaxFee"/>.</returns>
    public bool IsValid([NotNullWhen(false)] out string? problem)
    {
        problem = SameFeeder < 0 ? $"The same-feeder fee {SameFeeder} is negative."
            : SameTransformer < SameFeeder ? $"The same-transformer fee {SameTransformer} is below the same-feeder fee {SameFeeder}; a longer way cannot cost less."
            : AcrossTransformers < SameTransformer ? $"The across-transformers fee {AcrossTransformers} is below the same-transformer fee {SameTransformer}; a longer way cannot cost less."
            : AcrossTransformers > GridNetwork.MaxFee ? $"The across-transformers fee {AcrossTransformers} is above the highest fee {GridNetwork.MaxFee}."
            : null;
        return problem is null;
    }
}
