using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Market.Matching;

/// <summary>
/// A reusable workspace for <see cref="DoubleAuction"/>: clears books with the same rules and results, and keeps its
/// sort buffers between calls so that clearing many books allocates little more than the results.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: use one instance per thread. The buffers grow to the largest book cleared and are kept
/// until the instance is dropped. An instance carries no state from one clearing to the next that could change a
/// result.</para>
/// <para>How it is fast and still exact: each order becomes one 64-bit key <c>priceKey | sequenceKey |
/// inputPosition</c>, where <c>priceKey</c> is the distance from the side's best possible price (so ascending keys
/// give rule 1's order on both sides) and <c>sequenceKey</c> the distance from the lowest sequence. The keys are
/// radix sorted on their price and sequence bits; the sort is stable and the position bits start out ascending, so
/// the order equals rule 1 exactly. When the three fields do not fit into 63 bits, a comparison sort of
/// (price, sequence, position) is used instead; the results are the same.</para>
/// <para>The loops are marked for full optimisation at first call: a clearing calls each of them once, so with tiered
/// compilation they would otherwise run as on-stack-replacement code for the first thirty clearings.</para>
/// </remarks>
public sealed class Clearer
{
    private const int MaxPackedBits = 63;

    /// <summary>Duplicate ids are found with a bitmap when it needs at most this many bits per order (else a hash set).</summary>
    private const int MaxBitmapBitsPerOrder = 16;

    private readonly int[] _digitCounts = new int[RadixSort.MaxPasses << RadixSort.MaxDigitBits];
    private ulong[] _keys = [];
    private ulong[] _idBitmap = [];
    private SortItem[] _items = [];
    private int[] _sortedIndexes = [];
    private long[] _sortedPrices = [];
    private int[] _positions = [];
    private long[] _idColumn = [];

    /// <summary>For tests: always use the comparison-sort fallback instead of packed keys.</summary>
    internal bool ForceComparisonSort { get; set; }

    /// <summary>Clears a book of orders; the same as <see cref="DoubleAuction.Clear"/>.</summary>
    /// <param name="orders">The book, in input order; may be empty or one-sided.</param>
    /// <param name="mechanism">How trades are priced.</param>
    /// <returns>The clearing, or a rejection naming the first invalid order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mechanism"/> is not a defined value.</exception>
    public ClearingResult Clear(ReadOnlySpan<Order> orders, Mechanism mechanism = Mechanism.UniformPrice)
    {
        ValidateMechanism(mechanism);

        // The walk looks ids and energies up in sorted order, i.e. at random: in 8-byte columns that touches far
        // fewer cache lines and pages than in 40-byte orders, so validation copies them out on its way. The
        // energies go to the second half of the outcome array, which is free until the very last pass.
        var n = orders.Length;
        EnsureCapacity(ref _idColumn, n);
        var outcomes = GC.AllocateUninitializedArray<OrderOutcome>(n);
        var ids = _idColumn.AsSpan(0, n);
        var energies = MemoryMarshal.Cast<OrderOutcome, long>(outcomes.AsSpan())[n..];
        return Run(new OrderSpanSource(orders), ids, energies, ids, energies, outcomes, mechanism);
    }

    /// <summary>
    /// Clears a book given as columns: order <c>i</c> is (<paramref name="ids"/>[i], <paramref name="sides"/>[i],
    /// <paramref name="energiesWh"/>[i], <paramref name="prices"/>[i], <paramref name="sequences"/>[i]). Gives the
    /// same result as clearing the equivalent <see cref="Order"/> span.
    /// </summary>
    /// <param name="ids">The order ids, unique.</param>
    /// <param name="sides">The sides.</param>
    /// <param name="energiesWh">The energies in watt-hours, each greater than zero.</param>
    /// <param name="prices">The limit prices in 1/10,000 of the currency per kWh, each zero or more.</param>
    /// <param name="sequences">The arrival sequence numbers.</param>
    /// <param name="mechanism">How trades are priced.</param>
    /// <returns>The clearing, or a rejection naming the first invalid order.</returns>
    /// <exception cref="ArgumentException">The columns differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mechanism"/> is not a defined value.</exception>
    public ClearingResult Clear(
        ReadOnlySpan<long> ids,
        ReadOnlySpan<Side> sides,
        ReadOnlySpan<long> energiesWh,
        ReadOnlySpan<long> prices,
        ReadOnlySpan<long> sequences,
        Mechanism mechanism = Mechanism.UniformPrice)
    {
        var n = ids.Length;
        if (sides.Length != n || energiesWh.Length != n || prices.Length != n || sequences.Length != n)
        {
            throw new ArgumentException("The order columns must all have the same length.", nameof(ids));
        }

        ValidateMechanism(mechanism);
        var outcomes = GC.AllocateUninitializedArray<OrderOutcome>(n);
        return Run(new ColumnSource(ids, sides, energiesWh, prices, sequences), ids, energiesWh, [], [], outcomes, mechanism);
    }

    private static void ValidateMechanism(Mechanism mechanism)
    {
        if (mechanism is not (Mechanism.UniformPrice or Mechanism.PayAsBid))
        {
            throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "Unknown clearing mechanism.");
        }
    }

    /// <param name="book">The book in input order.</param>
    /// <param name="ids">The ids as a column (filled by validation when it is <paramref name="idCopy"/>).</param>
    /// <param name="energies">The energies as a column (filled by validation when it is <paramref name="energyCopy"/>).</param>
    /// <param name="idCopy">Where validation copies the ids to, or empty.</param>
    /// <param name="energyCopy">Where validation copies the energies to, or empty.</param>
    /// <param name="outcomes">
    /// The result's outcome array, one per order, uninitialised. Until the last pass writes the outcomes its memory
    /// is the workspace (so a clearing touches 16 MB less fresh memory per million orders): the first half holds
    /// the radix sort's scratch keys and then the cumulative energies; the second half may hold the energy column.
    /// </param>
    /// <param name="mechanism">The mechanism.</param>
    private ClearingResult Run<TBook>(
        TBook book,
        ReadOnlySpan<long> ids,
        ReadOnlySpan<long> energies,
        Span<long> idCopy,
        Span<long> energyCopy,
        OrderOutcome[] outcomes,
        Mechanism mechanism)
        where TBook : IOrderSource, allows ref struct
    {
        var n = book.Count;
        var (errorIndex, errorCode) = Validate(book, idCopy, energyCopy, out var stats);
        if (errorIndex < n)
        {
            // A duplicate id takes precedence over an overflow found at the same order (documented check order).
            var limit = errorCode == RejectionCode.TotalEnergyOverflow ? errorIndex + 1 : errorIndex;
            var duplicate = FindFirstDuplicateId(book, limit, stats.MinId, stats.MaxId);
            return duplicate < limit
                ? ClearingResult.Rejected(mechanism, Reject(book, duplicate, RejectionCode.DuplicateId))
                : ClearingResult.Rejected(mechanism, Reject(book, errorIndex, errorCode));
        }

        if (n == 0)
        {
            return ClearingResult.Cleared(mechanism, null, null, null, 0, [], [], [], []);
        }

        var bidCount = stats.Bids.Count;
        var offerCount = stats.Offers.Count;
        var indexBits = BitLength((ulong)(n - 1));
        var sequenceBits = BitLength(unchecked((ulong)(stats.MaxSequence - stats.MinSequence)));
        var bidPriceBits = bidCount == 0 ? 0 : BitLength((ulong)(stats.Bids.MaxPrice - stats.Bids.MinPrice));
        var offerPriceBits = offerCount == 0 ? 0 : BitLength((ulong)(stats.Offers.MaxPrice - stats.Offers.MinPrice));
        var packed = !ForceComparisonSort
            && indexBits + sequenceBits + Math.Max(bidPriceBits, offerPriceBits) <= MaxPackedBits;

        var scratch = MemoryMarshal.Cast<OrderOutcome, ulong>(outcomes.AsSpan())[..n];
        var cumulative = MemoryMarshal.Cast<ulong, long>(scratch);
        if (packed)
        {
            var priority = new PackedPriority(indexBits, sequenceBits, stats.Bids.MaxPrice, stats.Offers.MinPrice, stats.MinSequence);
            var duplicate = BuildKeys(book, stats, priority);
            if (duplicate < n)
            {
                return ClearingResult.Rejected(mechanism, Reject(book, duplicate, RejectionCode.DuplicateId));
            }

            var keys = _keys.AsSpan(0, n);
            RadixSort.Sort(keys[..bidCount], scratch[..bidCount], indexBits, sequenceBits + bidPriceBits, _digitCounts);
            RadixSort.Sort(keys[bidCount..], scratch[bidCount..], indexBits, sequenceBits + offerPriceBits, _digitCounts);

            // The radix sort is done with the scratch keys: their memory now holds the cumulative energies.
            var bids = new PackedSide(keys[..bidCount], priority.PriceShift, priority.IndexMask, stats.Bids.MaxPrice, descending: true);
            var offers = new PackedSide(keys[bidCount..], priority.PriceShift, priority.IndexMask, stats.Offers.MinPrice, descending: false);
            return Finish(book, ids, energies, bids, offers, cumulative, priority, outcomes, mechanism);
        }
        else
        {
            var duplicate = FindFirstDuplicateId(book, n, stats.MinId, stats.MaxId);
            if (duplicate < n)
            {
                return ClearingResult.Rejected(mechanism, Reject(book, duplicate, RejectionCode.DuplicateId));
            }

            SortByComparison(book, bidCount);
            var bids = new GatheredSide(_sortedIndexes.AsSpan(0, bidCount), _sortedPrices.AsSpan(0, bidCount));
            var offers = new GatheredSide(_sortedIndexes.AsSpan(bidCount, offerCount), _sortedPrices.AsSpan(bidCount, offerCount));
            var priority = new RankPriority(_positions.AsSpan(0, n));
            return Finish(book, ids, energies, bids, offers, cumulative, priority, outcomes, mechanism);
        }
    }

    private static int BitLength(ulong value) => 64 - BitOperations.LeadingZeroCount(value);

    /// <summary>
    /// Pass 1 over the book: the first order with a bad side, energy or price or whose side's total energy
    /// overflows (or <c>(Count, 0)</c>), and the statistics that size the packed keys.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Index, RejectionCode Code) Validate<TBook>(TBook book, Span<long> idCopy, Span<long> energyCopy, out BookStats stats)
        where TBook : IOrderSource, allows ref struct
    {
        stats = default;
        Span<SideStats> sides = [SideStats.Empty, SideStats.Empty];
        long minId = long.MaxValue, maxId = long.MinValue;
        long minSequence = long.MaxValue, maxSequence = long.MinValue;
        var n = book.Count;
        var copy = idCopy.Length == n && energyCopy.Length == n && n > 0;
        var result = (Index: n, Code: default(RejectionCode));
        for (var i = 0; i < n; i++)
        {
            var side = book.SideAt(i);
            var energy = book.EnergyAt(i);
            var price = book.PriceAt(i);

            // Buy -> 0, Sell -> 1, anything else > 1 (unchecked: 0 wraps to a large value).
            var sideIndex = unchecked((uint)side - 1);
            if (sideIndex > 1 || energy <= 0 || price < 0)
            {
                result = (i, sideIndex > 1 ? RejectionCode.UnknownSide
                    : energy <= 0 ? RejectionCode.EnergyNotPositive
                    : RejectionCode.NegativePrice);
                break;
            }

            var id = book.IdAt(i);
            minId = Math.Min(minId, id);
            maxId = Math.Max(maxId, id);
            if (copy)
            {
                idCopy[i] = id;
                energyCopy[i] = energy;
            }

            ref var sideStats = ref sides[(int)sideIndex];
            if (energy > long.MaxValue - sideStats.TotalWh)
            {
                result = (i, RejectionCode.TotalEnergyOverflow);
                break;
            }

            sideStats.TotalWh += energy;
            sideStats.Count++;
            sideStats.MinPrice = Math.Min(sideStats.MinPrice, price);
            sideStats.MaxPrice = Math.Max(sideStats.MaxPrice, price);

            var sequence = book.SequenceAt(i);
            minSequence = Math.Min(minSequence, sequence);
            maxSequence = Math.Max(maxSequence, sequence);
        }

        stats = new BookStats(sides[0], sides[1], minId, maxId, minSequence, maxSequence);
        return result;
    }

    private static ClearingRejection Reject<TBook>(TBook book, int index, RejectionCode code)
        where TBook : IOrderSource, allows ref struct
    {
        var id = book.IdAt(index);
        var what = code switch
        {
            RejectionCode.DuplicateId => "its id is already used by an earlier order",
            RejectionCode.EnergyNotPositive => string.Create(CultureInfo.InvariantCulture, $"energy must be greater than 0 Wh, got {book.EnergyAt(index)}"),
            RejectionCode.NegativePrice => string.Create(CultureInfo.InvariantCulture, $"price must not be negative, got {book.PriceAt(index)}"),
            RejectionCode.UnknownSide => string.Create(CultureInfo.InvariantCulture, $"side {(byte)book.SideAt(index)} is neither Buy (1) nor Sell (2)"),
            _ => string.Create(CultureInfo.InvariantCulture, $"the total energy of its side exceeds {long.MaxValue} Wh"),
        };
        var message = string.Create(CultureInfo.InvariantCulture, $"Order {id} at input position {index}: {what}.");
        return new ClearingRejection(id, index, code, message);
    }

    /// <summary>Whether ids in [min, max] are checked with a bitmap (else a hash set), and how many words it takes.</summary>
    private static bool UseIdBitmap(int count, long minId, long maxId, out int words)
    {
        // Wrapping subtraction: the distance between any two longs fits a ulong.
        var range = unchecked((ulong)(maxId - minId));
        var needed = (range >> 6) + 1;
        var allowed = (ulong)Math.Max(1024, count / (64 / MaxBitmapBitsPerOrder));
        words = needed <= allowed ? (int)needed : 0;
        return needed <= allowed;
    }

    /// <summary>The first position in <c>[0, limit)</c> whose id occurs earlier, or <paramref name="limit"/>.</summary>
    private int FindFirstDuplicateId<TBook>(TBook book, int limit, long minId, long maxId)
        where TBook : IOrderSource, allows ref struct
    {
        if (limit < 2)
        {
            return limit;
        }

        if (UseIdBitmap(limit, minId, maxId, out var words))
        {
            EnsureCapacity(ref _idBitmap, words);
            var bitmap = _idBitmap.AsSpan(0, words);
            bitmap.Clear();
            for (var i = 0; i < limit; i++)
            {
                if (TestAndSet(bitmap, unchecked((ulong)(book.IdAt(i) - minId))))
                {
                    return i;
                }
            }

            return limit;
        }

        var seen = new HashSet<long>(limit);
        for (var i = 0; i < limit; i++)
        {
            if (!seen.Add(book.IdAt(i)))
            {
                return i;
            }
        }

        return limit;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TestAndSet(Span<ulong> bitmap, ulong offset)
    {
        ref var word = ref bitmap[(int)(offset >> 6)];
        var bit = 1UL << (int)(offset & 63);
        var wasSet = (word & bit) != 0;
        word |= bit;
        return wasSet;
    }

    /// <summary>
    /// Pass 2 over a valid book: the packed keys, bids first and then offers, each in input order; with a bitmap the
    /// duplicate-id check rides along. Returns the first duplicate's position, or the book's length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int BuildKeys<TBook>(TBook book, in BookStats stats, PackedPriority priority)
        where TBook : IOrderSource, allows ref struct
    {
        var n = book.Count;
        EnsureCapacity(ref _keys, n);
        var keys = _keys.AsSpan(0, n);
        var minId = stats.MinId;
        var bitmapped = UseIdBitmap(n, minId, stats.MaxId, out var words);
        if (bitmapped)
        {
            EnsureCapacity(ref _idBitmap, words);
            _idBitmap.AsSpan(0, words).Clear();
        }

        var bitmap = _idBitmap.AsSpan(0, words);
        int bid = 0, offer = stats.Bids.Count;
        for (var i = 0; i < n; i++)
        {
            if (bitmapped && TestAndSet(bitmap, unchecked((ulong)(book.IdAt(i) - minId))))
            {
                return i;
            }

            // Branch-free: the side is random, so a branch here would be mispredicted half the time.
            var buy = book.SideAt(i) == Side.Buy;
            var isBuy = buy ? 1 : 0;
            keys[buy ? bid : offer] = priority.Key(buy, book.PriceAt(i), book.SequenceAt(i), i);
            bid += isBuy;
            offer += 1 - isBuy;
        }

        return bitmapped ? n : FindFirstDuplicateId(book, n, minId, stats.MaxId);
    }

    /// <summary>The fallback: sorts (price key, sequence, position) with comparisons, for books whose keys do not pack.</summary>
    private void SortByComparison<TBook>(TBook book, int bidCount)
        where TBook : IOrderSource, allows ref struct
    {
        var n = book.Count;
        EnsureCapacity(ref _items, n);
        EnsureCapacity(ref _sortedIndexes, n);
        EnsureCapacity(ref _sortedPrices, n);
        EnsureCapacity(ref _positions, n);
        var items = _items.AsSpan(0, n);
        int bid = 0, offer = bidCount;
        for (var i = 0; i < n; i++)
        {
            var price = book.PriceAt(i);
            if (book.SideAt(i) == Side.Buy)
            {
                // Negated so that ascending order is price descending; a price is >= 0, so it cannot overflow.
                items[bid++] = new SortItem(-price, book.SequenceAt(i), i);
            }
            else
            {
                items[offer++] = new SortItem(price, book.SequenceAt(i), i);
            }
        }

        items[..bidCount].Sort(default(SortItemComparer));
        items[bidCount..].Sort(default(SortItemComparer));
        for (var k = 0; k < n; k++)
        {
            var index = items[k].Index;
            _sortedIndexes[k] = index;
            _sortedPrices[k] = k < bidCount ? -items[k].PriceKey : items[k].PriceKey;
            _positions[index] = k < bidCount ? k : k - bidCount;
        }
    }

    private static ClearingResult Finish<TBook, TBids, TOffers, TPriority>(
        TBook book,
        ReadOnlySpan<long> ids,
        ReadOnlySpan<long> energies,
        TBids bids,
        TOffers offers,
        Span<long> cumulative,
        TPriority priority,
        OrderOutcome[] outcomes,
        Mechanism mechanism)
        where TBook : IOrderSource, allows ref struct
        where TBids : ISortedSide, allows ref struct
        where TOffers : ISortedSide, allows ref struct
        where TPriority : IPriority, allows ref struct
    {
        var bidCumulative = cumulative[..bids.Count];
        var offerCumulative = cumulative[bids.Count..];
        Accumulate(energies, bids, bidCumulative);
        Accumulate(energies, offers, offerCumulative);

        var walk = Walk(bids, offers, bidCumulative, offerCumulative);

        long? low = null, high = null, price = null;
        long referencePrice = 0;
        if (walk.TradeCount > 0)
        {
            // Rule 3. The order at a stop position received a fill exactly when the walk took energy from it.
            var lastBid = walk.BidPosition < bids.Count && walk.VolumeWh > Before(bidCumulative, walk.BidPosition)
                ? bids.PriceAt(walk.BidPosition)
                : bids.PriceAt(walk.BidPosition - 1);
            var lastOffer = walk.OfferPosition < offers.Count && walk.VolumeWh > Before(offerCumulative, walk.OfferPosition)
                ? offers.PriceAt(walk.OfferPosition)
                : offers.PriceAt(walk.OfferPosition - 1);
            var lowPrice = walk.BidPosition < bids.Count ? Math.Max(lastOffer, bids.PriceAt(walk.BidPosition)) : lastOffer;
            var highPrice = walk.OfferPosition < offers.Count ? Math.Min(lastBid, offers.PriceAt(walk.OfferPosition)) : lastBid;

            // floor((low + high) / 2) without the overflow of low + high: both are >= 0 and low <= high.
            referencePrice = lowPrice + ((highPrice - lowPrice) / 2);
            low = lowPrice;
            high = highPrice;
            price = mechanism == Mechanism.UniformPrice ? referencePrice : null;
        }

        var trades = EmitTrades(ids, bids, offers, bidCumulative, offerCumulative, walk.TradeCount, price);
        var demand = BuildCurve(bids, bidCumulative);
        var supply = BuildCurve(offers, offerCumulative);
        // Last: it overwrites the cumulative energies (and the energy column) that share the outcome array.
        BuildOutcomes(book, bids, offers, bidCumulative, offerCumulative, walk, priority, referencePrice, outcomes);

        return ClearingResult.Cleared(
            mechanism,
            price,
            low,
            high,
            walk.VolumeWh,
            ImmutableCollectionsMarshal.AsImmutableArray(trades),
            ImmutableCollectionsMarshal.AsImmutableArray(outcomes),
            ImmutableCollectionsMarshal.AsImmutableArray(demand),
            ImmutableCollectionsMarshal.AsImmutableArray(supply));
    }

    /// <summary>The energy of all orders before <paramref name="position"/> in sorted order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Before(ReadOnlySpan<long> cumulative, int position) => position == 0 ? 0 : cumulative[position - 1];

    /// <summary>
    /// The running total of energy in sorted order: <c>cumulative[k]</c> is the energy of the side's first
    /// <c>k + 1</c> orders. Bounded by the side's total, which validation checked to fit a long.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TSide>(ReadOnlySpan<long> energies, TSide side, Span<long> cumulative)
        where TSide : ISortedSide, allows ref struct
    {
        long total = 0;
        for (var k = 0; k < cumulative.Length; k++)
        {
            total += energies[side.IndexAt(k)];
            cumulative[k] = total;
        }
    }

    /// <summary>
    /// Rule 2 without output: where the walk stops, how many trades and how much energy. On running totals each
    /// step trades up to the nearer of the two orders' ends, <c>min(cumulativeBid, cumulativeOffer)</c>, and leaves
    /// whichever order ends there (both if both), which is the same walk as reducing remaining energies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static WalkEnd Walk<TBids, TOffers>(TBids bids, TOffers offers, ReadOnlySpan<long> bidCumulative, ReadOnlySpan<long> offerCumulative)
        where TBids : ISortedSide, allows ref struct
        where TOffers : ISortedSide, allows ref struct
    {
        int b = 0, s = 0, trades = 0;
        long done = 0;
        while (b < bidCumulative.Length && s < offerCumulative.Length && bids.PriceAt(b) >= offers.PriceAt(s))
        {
            var bidEnd = bidCumulative[b];
            var offerEnd = offerCumulative[s];
            done = Math.Min(bidEnd, offerEnd);
            trades++;
            b += bidEnd == done ? 1 : 0;
            s += offerEnd == done ? 1 : 0;
        }

        return new WalkEnd(b, s, trades, done);
    }

    /// <summary>Rule 2 again, now writing the trades at the prices of rule 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Trade[] EmitTrades<TBids, TOffers>(
        ReadOnlySpan<long> ids,
        TBids bids,
        TOffers offers,
        ReadOnlySpan<long> bidCumulative,
        ReadOnlySpan<long> offerCumulative,
        int tradeCount,
        long? uniformPrice)
        where TBids : ISortedSide, allows ref struct
        where TOffers : ISortedSide, allows ref struct
    {
        if (tradeCount == 0)
        {
            return [];
        }

        // Every element is written below.
        var trades = GC.AllocateUninitializedArray<Trade>(tradeCount);
        var payAsBid = uniformPrice is null;
        var price = uniformPrice.GetValueOrDefault();
        int b = 0, s = 0;
        long done = 0;
        for (var t = 0; t < trades.Length; t++)
        {
            var bidEnd = bidCumulative[b];
            var offerEnd = offerCumulative[s];
            var end = Math.Min(bidEnd, offerEnd);
            var bidIndex = bids.IndexAt(b);
            var offerIndex = offers.IndexAt(s);
            trades[t] = new Trade(
                ids[bidIndex],
                ids[offerIndex],
                bidIndex,
                offerIndex,
                end - done,
                payAsBid ? bids.PriceAt(b) : price);
            done = end;
            b += bidEnd == end ? 1 : 0;
            s += offerEnd == end ? 1 : 0;
        }

        return trades;
    }

    /// <summary>The step curve of one side: a point per distinct price with the cumulative energy up to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static CurvePoint[] BuildCurve<TSide>(TSide side, ReadOnlySpan<long> cumulative)
        where TSide : ISortedSide, allows ref struct
    {
        var count = cumulative.Length;
        if (count == 0)
        {
            return [];
        }

        var distinct = 1;
        var previous = side.PriceAt(0);
        for (var k = 1; k < count; k++)
        {
            var price = side.PriceAt(k);
            distinct += price != previous ? 1 : 0;
            previous = price;
        }

        var points = new CurvePoint[distinct];
        var written = 0;
        previous = side.PriceAt(0);
        for (var k = 1; k < count; k++)
        {
            var price = side.PriceAt(k);
            if (price != previous)
            {
                points[written++] = new CurvePoint(previous, cumulative[k - 1]);
                previous = price;
            }
        }

        points[written] = new CurvePoint(previous, cumulative[count - 1]);
        return points;
    }

    /// <summary>
    /// Each order's fill and reason, in input order. Orders before the walk's stop position were filled completely,
    /// the order at it got what the walk took from it, and those after it got nothing; "before" compares the
    /// order's priority key with that of the order at the stop position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BuildOutcomes<TBook, TBids, TOffers, TPriority>(
        TBook book,
        TBids bids,
        TOffers offers,
        ReadOnlySpan<long> bidCumulative,
        ReadOnlySpan<long> offerCumulative,
        in WalkEnd walk,
        TPriority priority,
        long referencePrice,
        Span<OrderOutcome> outcomes)
        where TBook : IOrderSource, allows ref struct
        where TBids : ISortedSide, allows ref struct
        where TOffers : ISortedSide, allows ref struct
        where TPriority : IPriority, allows ref struct
    {
        var n = book.Count;

        // Keys are below 2^63, so a side whose every order was filled gets a stop key above all of them.
        var bidStopKey = ulong.MaxValue;
        long bidStopFilled = 0;
        if (walk.BidPosition < bids.Count)
        {
            var index = bids.IndexAt(walk.BidPosition);
            bidStopKey = priority.Key(true, book.PriceAt(index), book.SequenceAt(index), index);
            bidStopFilled = walk.VolumeWh - Before(bidCumulative, walk.BidPosition);
        }

        var offerStopKey = ulong.MaxValue;
        long offerStopFilled = 0;
        if (walk.OfferPosition < offers.Count)
        {
            var index = offers.IndexAt(walk.OfferPosition);
            offerStopKey = priority.Key(false, book.PriceAt(index), book.SequenceAt(index), index);
            offerStopFilled = walk.VolumeWh - Before(offerCumulative, walk.OfferPosition);
        }

        // The reason, looked up without branches by (buy, filled completely, filled partly, limit on the wrong
        // side). Orders that got nothing: after trades, by the side of the reference price their limit is on;
        // without trades, an empty other side left them nothing to trade with, else the book does not cross.
        var traded = walk.TradeCount > 0;
        Span<FillReason> reasons = stackalloc FillReason[16];
        for (var code = 0; code < reasons.Length; code++)
        {
            bool buy = (code & 8) != 0, full = (code & 4) != 0, some = (code & 2) != 0, wrong = (code & 1) != 0;
            var otherSideEmpty = buy ? offers.Count == 0 : bids.Count == 0;
            reasons[code] = full ? FillReason.Filled
                : some ? FillReason.MarginalPartialFill
                : traded ? (wrong ? FillReason.PriceOnWrongSide : FillReason.OtherSideExhausted)
                : otherSideEmpty ? FillReason.OtherSideExhausted : FillReason.PriceOnWrongSide;
        }

        // The stop keys and fills above were read before this loop starts overwriting the cumulative energies.
        for (var i = 0; i < n; i++)
        {
            var energy = book.EnergyAt(i);
            var price = book.PriceAt(i);
            var buy = book.SideAt(i) == Side.Buy;
            var key = priority.Key(buy, price, book.SequenceAt(i), i);
            var stopKey = buy ? bidStopKey : offerStopKey;
            var stopFilled = buy ? bidStopFilled : offerStopFilled;

            // Branch-free, as the comparisons are unpredictable: before the stop all, at the stop its part, else 0.
            var before = key < stopKey ? 1L : 0L;
            var atStop = key == stopKey ? 1L : 0L;
            var filled = (energy & -before) | (stopFilled & -atStop);

            var wrong = buy ? (price < referencePrice ? 1 : 0) : (price > referencePrice ? 1 : 0);
            var code = ((buy ? 1 : 0) << 3) | ((filled == energy ? 1 : 0) << 2) | ((filled != 0 ? 1 : 0) << 1) | wrong;
            outcomes[i] = new OrderOutcome(filled, reasons[code]);
        }

    }

    private static void EnsureCapacity<T>(ref T[] buffer, int length)
        where T : unmanaged
    {
        if (buffer.Length < length)
        {
            // Uninitialised: every user writes a buffer before reading it (the id bitmap is cleared explicitly).
            buffer = GC.AllocateUninitializedArray<T>(length);
        }
    }

    /// <summary>Counts, price range and total energy of one side.</summary>
    private struct SideStats
    {
        public int Count;
        public long TotalWh;
        public long MinPrice;
        public long MaxPrice;

        public static SideStats Empty => new() { MinPrice = long.MaxValue, MaxPrice = long.MinValue };
    }

    private readonly record struct BookStats(SideStats Bids, SideStats Offers, long MinId, long MaxId, long MinSequence, long MaxSequence);

    /// <summary>Where rule 2 stopped: positions in sorted order, the number of trades and the energy traded.</summary>
    private readonly record struct WalkEnd(int BidPosition, int OfferPosition, int TradeCount, long VolumeWh);

    private readonly record struct SortItem(long PriceKey, long Sequence, int Index);

    private readonly struct SortItemComparer : IComparer<SortItem>
    {
        public int Compare(SortItem x, SortItem y)
        {
            var c = x.PriceKey.CompareTo(y.PriceKey);
            if (c != 0)
            {
                return c;
            }

            c = x.Sequence.CompareTo(y.Sequence);
            return c != 0 ? c : x.Index.CompareTo(y.Index);
        }
    }
}
