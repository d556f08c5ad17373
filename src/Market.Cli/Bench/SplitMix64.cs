namespace Market.Cli.Bench;

/// <summary>SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed forever.</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        unchecked
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [min, max] by Lemire's multiply-shift (bias below 2^-40 for these ranges).</summary>
    public long Between(long min, long max)
    {
        var range = (ulong)(max - min) + 1;
        return min + (long)Math.BigMul(Next(), range, out _);
    }
}
