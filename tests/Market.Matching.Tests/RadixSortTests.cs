using CsCheck;

namespace Market.Matching.Tests;

public sealed class RadixSortTests
{
    [Fact]
    public void Sort_RandomKeysAboveUniquePositionBits_EqualsComparisonSort()
    {
        var cases =
            from count in Gen.Int[0, 5_000]
            from bitCount in Gen.Int[0, 43]
            from values in Gen.ULong.Array[count]
            select (count, bitCount, values);

        cases.Sample((count, bitCount, values) =>
        {
            // Keys as the clearer builds them: the sort bits above 20 ascending position bits.
            var keys = values.Select((v, i) => ((bitCount == 0 ? 0 : v >> (64 - bitCount)) << 20) | (uint)i).ToArray();
            var expected = keys.Order().ToArray();
            var counts = new int[RadixSort.MaxPasses << RadixSort.MaxDigitBits];

            RadixSort.Sort(keys, new ulong[count], 20, bitCount, counts);

            keys.ShouldBe(expected);
        }, iter: 200);
    }
}
