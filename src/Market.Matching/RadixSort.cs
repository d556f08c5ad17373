using System.Runtime.CompilerServices;

namespace Market.Matching;

/// <summary>Least-significant-digit radix sort of packed 64-bit keys.</summary>
internal static class RadixSort
{
    /// <summary>The widest digit: 2,048 buckets keep the counters and the write heads in the first-level caches.</summary>
    public const int MaxDigitBits = 11;

    /// <summary>The most passes needed for 63 key bits.</summary>
    public const int MaxPasses = (63 + MaxDigitBits - 1) / MaxDigitBits;

    /// <summary>Below this many keys a comparison sort of the whole key is faster than counting digits.</summary>
    private const int SmallSortLimit = 256;

    /// <summary>
    /// Sorts <paramref name="keys"/> ascending by bits <c>[lowBit, lowBit + bitCount)</c>, stably.
    /// </summary>
    /// <remarks>
    /// The caller guarantees that the bits below <paramref name="lowBit"/> are unique and ascending in the current
    /// order (they are the input position) and that the bits above the range are zero. Then a stable sort by the
    /// range equals an ascending sort of the whole key, which is what the small-array path does.
    /// </remarks>
    /// <param name="keys">The keys, sorted in place.</param>
    /// <param name="scratch">A buffer of at least the same length.</param>
    /// <param name="lowBit">The lowest bit of the sort range.</param>
    /// <param name="bitCount">The width of the sort range.</param>
    /// <param name="counts">Counters, at least <see cref="MaxPasses"/> &lt;&lt; <see cref="MaxDigitBits"/> long.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sort(Span<ulong> keys, Span<ulong> scratch, int lowBit, int bitCount, Span<int> counts)
    {
        var n = keys.Length;
        if (n < 2 || bitCount == 0)
        {
            return;
        }

        if (n <= SmallSortLimit)
        {
            keys.Sort();
            return;
        }

        var passes = (bitCount + MaxDigitBits - 1) / MaxDigitBits;
        var width = (bitCount + passes - 1) / passes;
        var buckets = 1 << width;
        var mask = (ulong)(buckets - 1);
        counts = counts[..(passes * buckets)];
        counts.Clear();

        CountDigits(keys, counts, lowBit, width, passes, buckets, mask);

        var source = keys;
        var target = scratch[..n];
        var inKeys = true;
        for (var pass = 0; pass < passes; pass++)
        {
            var shift = lowBit + (pass * width);
            var bucketCounts = counts.Slice(pass * buckets, buckets);
            if (bucketCounts[(int)((source[0] >> shift) & mask)] == n)
            {
                // Every key has the same digit: the pass would not move anything.
                continue;
            }

            var sum = 0;
            for (var b = 0; b < buckets; b++)
            {
                var count = bucketCounts[b];
                bucketCounts[b] = sum;
                sum += count;
            }

            Scatter(source, target, bucketCounts, shift, mask);

            var swap = source;
            source = target;
            target = swap;
            inKeys = !inKeys;
        }

        if (!inKeys)
        {
            source.CopyTo(keys);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountDigits(ReadOnlySpan<ulong> keys, Span<int> counts, int lowBit, int width, int passes, int buckets, ulong mask)
    {
        // Unchecked: the counters are bounded by the number of keys, an int.
        unchecked
        {
            if (passes == 3)
            {
                var c0 = counts[..buckets];
                var c1 = counts.Slice(buckets, buckets);
                var c2 = counts.Slice(2 * buckets, buckets);
                int s0 = lowBit, s1 = lowBit + width, s2 = lowBit + (2 * width);
                foreach (var key in keys)
                {
                    c0[(int)((key >> s0) & mask)]++;
                    c1[(int)((key >> s1) & mask)]++;
                    c2[(int)((key >> s2) & mask)]++;
                }

                return;
            }

            foreach (var key in keys)
            {
                for (var pass = 0; pass < passes; pass++)
                {
                    counts[(pass * buckets) + (int)((key >> (lowBit + (pass * width))) & mask)]++;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(ReadOnlySpan<ulong> source, Span<ulong> target, Span<int> heads, int shift, ulong mask)
    {
        unchecked
        {
            foreach (var key in source)
            {
                target[heads[(int)((key >> shift) & mask)]++] = key;
            }
        }
    }
}
