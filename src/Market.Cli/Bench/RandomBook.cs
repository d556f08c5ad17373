using Market.Matching;

namespace Market.Cli.Bench;

/// <summary>
/// A reproducible random order book for benchmarks: the same count and seed give the same book on every machine
/// and .NET version (own SplitMix64 generator, not <see cref="Random"/>).
/// </summary>
/// <remarks>
/// Shaped like a real interval: ids 1..N; buy or sell with equal chance; prices uniform in
/// [<see cref="MinPrice"/>, <see cref="MaxPrice"/>] (a feed-in tariff of 7.86 ct/kWh to a retail price of
/// 39.70 ct/kWh, in 1/10,000 of the currency per kWh), so many orders share a price; energies uniform in
/// [<see cref="MinEnergyWh"/>, <see cref="MaxEnergyWh"/>] Wh; sequences a random permutation of 1..N (unique, but
/// unrelated to the input position).
/// </remarks>
internal sealed class RandomBook
{
    public const long MinPrice = 786;
    public const long MaxPrice = 3970;
    public const long MinEnergyWh = 100;
    public const long MaxEnergyWh = 5000;

    private RandomBook(long[] ids, Side[] sides, long[] energiesWh, long[] prices, long[] sequences)
    {
        Ids = ids;
        Sides = sides;
        EnergiesWh = energiesWh;
        Prices = prices;
        Sequences = sequences;
    }

    public long[] Ids { get; }

    public Side[] Sides { get; }

    public long[] EnergiesWh { get; }

    public long[] Prices { get; }

    public long[] Sequences { get; }

    public int Count => Ids.Length;

    public static RandomBook Generate(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new SplitMix64(seed);
        var ids = new long[count];
        var sides = new Side[count];
        var energies = new long[count];
        var prices = new long[count];
        var sequences = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = i + 1;
            sides[i] = (random.Next() & 1) == 0 ? Side.Buy : Side.Sell;
            energies[i] = random.Between(MinEnergyWh, MaxEnergyWh);
            prices[i] = random.Between(MinPrice, MaxPrice);
            sequences[i] = i + 1;
        }

        // Fisher-Yates: arrival order independent of input position.
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)random.Between(0, i);
            (sequences[i], sequences[j]) = (sequences[j], sequences[i]);
        }

        return new RandomBook(ids, sides, energies, prices, sequences);
    }

    public Order[] ToOrders()
    {
        var orders = new Order[Count];
        for (var i = 0; i < orders.Length; i++)
        {
            orders[i] = new Order(Ids[i], Sides[i], EnergiesWh[i], Prices[i], Sequences[i]);
        }

        return orders;
    }
}
