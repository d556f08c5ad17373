using System.Runtime.CompilerServices;

namespace Market.Matching;

/// <summary>One side of the book in rule-1 order: the input position and limit price at each sorted position.</summary>
internal interface ISortedSide
{
    int Count { get; }

    int IndexAt(int position);

    long PriceAt(int position);
}

/// <summary>
/// A side sorted as packed keys <c>priceKey | sequenceKey | inputPosition</c> (see <see cref="Clearer"/>): the price
/// and the position are decoded from the key without touching the book.
/// </summary>
internal readonly ref struct PackedSide : ISortedSide
{
    private readonly ReadOnlySpan<ulong> _keys;
    private readonly int _priceShift;
    private readonly ulong _indexMask;
    private readonly long _priceBase;
    private readonly bool _descending;

    /// <param name="keys">The sorted keys.</param>
    /// <param name="priceShift">The bit where the price key starts; at most 63, and the keys are below 2^63.</param>
    /// <param name="indexMask">The mask of the input-position bits.</param>
    /// <param name="priceBase">Bids: the highest bid price (key = base - price). Offers: the lowest offer price (key = price - base).</param>
    /// <param name="descending">Whether this is the bid side.</param>
    public PackedSide(ReadOnlySpan<ulong> keys, int priceShift, ulong indexMask, long priceBase, bool descending)
    {
        _keys = keys;
        _priceShift = priceShift;
        _indexMask = indexMask;
        _priceBase = priceBase;
        _descending = descending;
    }

    public int Count => _keys.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexAt(int position) => (int)(_keys[position] & _indexMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long PriceAt(int position)
    {
        // The price key is below 2^63 and was made from a difference of two non-negative longs: no overflow.
        var offset = (long)(_keys[position] >> _priceShift);
        return _descending ? _priceBase - offset : _priceBase + offset;
    }
}

/// <summary>A side sorted by the comparison fallback: positions and prices in parallel arrays.</summary>
internal readonly ref struct GatheredSide : ISortedSide
{
    private readonly ReadOnlySpan<int> _indexes;
    private readonly ReadOnlySpan<long> _prices;

    public GatheredSide(ReadOnlySpan<int> indexes, ReadOnlySpan<long> prices)
    {
        _indexes = indexes;
        _prices = prices;
    }

    public int Count => _indexes.Length;

    public int IndexAt(int position) => _indexes[position];

    public long PriceAt(int position) => _prices[position];
}

/// <summary>
/// A key that orders the orders of one side as rule 1 does, computed from an order's own fields, so the outcome
/// pass can tell in input order whether an order comes before the walk's stop position.
/// </summary>
internal interface IPriority
{
    ulong Key(bool buy, long price, long sequence, int index);
}

/// <summary>The packed key itself: <c>priceKey &lt;&lt; priceShift | sequenceKey &lt;&lt; indexBits | index</c>.</summary>
internal readonly struct PackedPriority : IPriority
{
    private readonly int _indexBits;
    private readonly int _priceShift;
    private readonly long _maxBidPrice;
    private readonly long _minOfferPrice;
    private readonly long _minSequence;

    public PackedPriority(int indexBits, int sequenceBits, long maxBidPrice, long minOfferPrice, long minSequence)
    {
        _indexBits = indexBits;
        _priceShift = indexBits + sequenceBits;
        _maxBidPrice = maxBidPrice;
        _minOfferPrice = minOfferPrice;
        _minSequence = minSequence;
    }

    public int PriceShift => _priceShift;

    public ulong IndexMask => (1UL << _indexBits) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Key(bool buy, long price, long sequence, int index)
    {
        // Unchecked: the clearer checked that every field of a valid order fits its bits, and all of them 63 bits.
        // Branch-free: bids count down from the highest bid price, offers up from the lowest offer price.
        unchecked
        {
            var low = ((ulong)(sequence - _minSequence) << _indexBits) | (uint)index;
            var direction = buy ? -1L : 1L;
            var priceBase = buy ? _maxBidPrice : _minOfferPrice;
            var priceKey = (ulong)((price - priceBase) * direction);
            return (priceKey << _priceShift) | low;
        }
    }
}

/// <summary>The comparison fallback's key: the order's position in its side's sorted order.</summary>
internal readonly ref struct RankPriority : IPriority
{
    private readonly ReadOnlySpan<int> _positions;

    public RankPriority(ReadOnlySpan<int> positions) => _positions = positions;

    public ulong Key(bool buy, long price, long sequence, int index) => (ulong)_positions[index];
}
