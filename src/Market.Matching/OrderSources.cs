namespace Market.Matching;

/// <summary>Read access to a book by input position, so one clearing core serves both input layouts.</summary>
/// <remarks>Implemented by ref structs and used as a generic argument so the JIT specialises every call.</remarks>
internal interface IOrderSource
{
    int Count { get; }

    long IdAt(int index);

    Side SideAt(int index);

    long EnergyAt(int index);

    long PriceAt(int index);

    long SequenceAt(int index);
}

/// <summary>A book given as a span of <see cref="Order"/>.</summary>
internal readonly ref struct OrderSpanSource : IOrderSource
{
    private readonly ReadOnlySpan<Order> _orders;

    public OrderSpanSource(ReadOnlySpan<Order> orders) => _orders = orders;

    public int Count => _orders.Length;

    public long IdAt(int index) => _orders[index].Id;

    public Side SideAt(int index) => _orders[index].Side;

    public long EnergyAt(int index) => _orders[index].EnergyWh;

    public long PriceAt(int index) => _orders[index].Price;

    public long SequenceAt(int index) => _orders[index].Sequence;
}

/// <summary>A book given as five columns of equal length.</summary>
internal readonly ref struct ColumnSource : IOrderSource
{
    private readonly ReadOnlySpan<long> _ids;
    private readonly ReadOnlySpan<Side> _sides;
    private readonly ReadOnlySpan<long> _energies;
    private readonly ReadOnlySpan<long> _prices;
    private readonly ReadOnlySpan<long> _sequences;

    public ColumnSource(
        ReadOnlySpan<long> ids,
        ReadOnlySpan<Side> sides,
        ReadOnlySpan<long> energies,
        ReadOnlySpan<long> prices,
        ReadOnlySpan<long> sequences)
    {
        _ids = ids;
        _sides = sides;
        _energies = energies;
        _prices = prices;
        _sequences = sequences;
    }

    public int Count => _ids.Length;

    public long IdAt(int index) => _ids[index];

    public Side SideAt(int index) => _sides[index];

    public long EnergyAt(int index) => _energies[index];

    public long PriceAt(int index) => _prices[index];

    public long SequenceAt(int index) => _sequences[index];
}
