namespace Market;

/// <summary>
/// How netted energy is shared out between households (rules 2, 4 and 5 of docs/settlement.md): the exact pro-rata
/// split with largest remainders and the north-west-corner pairing of shorts with longs. This file is compiled into
/// both Market.Matching (which settles an interval) and Market.Ledger (whose verifier recomputes the settlement from
/// opened household records); one source keeps the two from drifting apart.
/// </summary>
internal static class NettingShares
{
    /// <summary>
    /// Splits <paramref name="total"/> over <paramref name="weights"/> in proportion, exactly: each gets
    /// <c>floor(total × w / sum)</c>, and the Wh left over go one each to the largest remainders, ties to the lower
    /// position. Requires <c>0 ≤ total ≤ sum</c> and <c>sum</c> the sum of the non-negative weights, so no share
    /// exceeds its weight.
    /// </summary>
    public static long[] SplitProRata(long total, long[] weights, long sum)
    {
        var shares = new long[weights.Length];
        if (total == 0)
        {
            return shares;
        }

        var remainders = new List<(Int128 Remainder, int Index)>();
        long assigned = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] == 0)
            {
                continue;
            }

            var product = (Int128)total * weights[i];
            shares[i] = (long)(product / sum);
            assigned += shares[i];
            remainders.Add((product % sum, i));
        }

        remainders.Sort(static (a, b) => a.Remainder != b.Remainder ? b.Remainder.CompareTo(a.Remainder) : a.Index.CompareTo(b.Index));
        for (var k = 0; k < total - assigned; k++)
        {
            shares[remainders[k].Index]++;
        }

        return shares;
    }

    /// <summary>
    /// Pairs the covered shares with the provided ones: shorts in position order are filled from the longs in
    /// position order ("north-west corner"), at most <c>shorts + longs − 1</c> pairs. Requires both arrays to add up
    /// to the same netted energy. Calls <paramref name="pair"/> with (short position, long position, Wh) in order.
    /// </summary>
    public static void PairNorthWest(long[] covered, long[] provided, Action<int, int, long> pair)
    {
        var j = 0;
        var leftAtJ = provided.Length > 0 ? provided[0] : 0;
        for (var i = 0; i < covered.Length; i++)
        {
            var need = covered[i];
            while (need > 0)
            {
                while (leftAtJ == 0)
                {
                    j++;
                    leftAtJ = provided[j];
                }

                var x = Math.Min(need, leftAtJ);
                pair(i, j, x);
                need -= x;
                leftAtJ -= x;
            }
        }
    }
}
