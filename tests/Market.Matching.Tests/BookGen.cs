using CsCheck;

namespace Market.Matching.Tests;

/// <summary>Random books for the property tests, from tiny books full of ties to books whose keys do not pack.</summary>
internal static class BookGen
{
    /// <summary>Valid books of every shape.</summary>
    public static readonly Gen<Order[]> Valid = Gen.OneOf(
        Books(maxCount: 12, maxPriceSpan: 3, maxSequenceSpan: 2, maxEnergy: 6),
        Books(maxCount: 60, maxPriceSpan: 20, maxSequenceSpan: 10, maxEnergy: 50),
        Books(maxCount: 1_200, maxPriceSpan: 40, maxSequenceSpan: 1L << 30, maxEnergy: 5_000),
        Books(maxCount: 800, maxPriceSpan: 3_184, maxSequenceSpan: 3, maxEnergy: 5_000),
        Books(maxCount: 40, maxPriceSpan: long.MaxValue / 2, maxSequenceSpan: long.MaxValue, maxEnergy: 1L << 40));

    /// <summary>Valid books whose orders all have distinct sequence numbers.</summary>
    public static readonly Gen<Order[]> DistinctSequences = Valid.SelectMany(orders =>
        Gen.Shuffle(Enumerable.Range(0, orders.Length).ToArray())
            .Select(sequences => orders.Select((o, i) => o with { Sequence = (3L * sequences[i]) - 500 }).ToArray()));

    /// <summary>A valid book with distinct sequences and a permutation of its positions.</summary>
    public static readonly Gen<(Order[] Orders, int[] Permutation)> DistinctSequencesAndPermutation =
        DistinctSequences.SelectMany(orders =>
            Gen.Shuffle(Enumerable.Range(0, orders.Length).ToArray()).Select(permutation => (orders, permutation)));

    /// <summary>
    /// Books with up to <paramref name="maxCount"/> orders, each side with a random share, prices in a random band
    /// no wider than <paramref name="maxPriceSpan"/>, sequences no further apart than
    /// <paramref name="maxSequenceSpan"/>, and unique ids spread by a random stride.
    /// </summary>
    public static Gen<Order[]> Books(int maxCount, long maxPriceSpan, long maxSequenceSpan, long maxEnergy) =>
        from count in Gen.Int[0, maxCount]
        from buyShare in Gen.Int[0, 100]
        from priceBase in Gen.Long[0, Math.Min(1_000_000, long.MaxValue - maxPriceSpan)]
        from priceSpan in Gen.Long[0, maxPriceSpan]
        from sequenceBase in Gen.Long[-1_000, 1_000]
        from sequenceSpan in Gen.Long[0, maxSequenceSpan]
        from idBase in Gen.Long
        from idStride in Gen.Long[1, 1L << 40]
        from orders in Gen.Select(Gen.Int[0, 99], Gen.Long[1, maxEnergy], Gen.Long[0, priceSpan], Gen.Long[0, sequenceSpan])
            .Array[count]
        select orders.Select((o, i) => new Order(
            unchecked(idBase + (i * idStride)),
            o.Item1 < buyShare ? Side.Buy : Side.Sell,
            o.Item2,
            priceBase + o.Item3,
            unchecked(sequenceBase + o.Item4))).ToArray();
}
