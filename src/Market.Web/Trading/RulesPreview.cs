using System.Diagnostics;
using Market.Ledger;
using Market.Matching;
using Market.Replay;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>
/// What one household would have had under a proposed change over the replayed books: its money from the market and
/// the grid as sealed (<see cref="SealedNet"/>) and as it would have been (<see cref="ProposedNet"/>), both in
/// 1/10,000 of the currency (earned minus paid; negative: it paid on balance).
/// </summary>
public sealed record PreviewHousehold(long HouseholdId, string Name, long SealedNet, long ProposedNet)
{
    /// <summary>What the change would have given the household (negative: what it would have cost it).</summary>
    public long Gain => checked(ProposedNet - SealedNet);
}

/// <summary>
/// A proposed rules change replayed on the sealed order books of the intervals in <c>[From, To)</c>: volume, trades and average price
/// as sealed and as they would have been, and what each household would have gained or lost.
/// </summary>
/// <param name="From">Start of the oldest interval replayed, Unix seconds.</param>
/// <param name="To">End of the newest interval replayed, Unix seconds.</param>
/// <param name="SealedVolumeWh">Energy traded as sealed, Wh.</param>
/// <param name="ProposedVolumeWh">Energy that would have been traded, Wh.</param>
/// <param name="SealedAmount">Money traded as sealed, 1/10,000 of the currency.</param>
/// <param name="ProposedAmount">Money that would have been traded.</param>
/// <param name="SealedTrades">Trades as sealed.</param>
/// <param name="ProposedTrades">Trades there would have been.</param>
/// <param name="Books">Books replayed (at most <see cref="RulesPreview.MaxBooks"/>).</param>
/// <param name="Capped">More books lay in the window than were replayed: the newest <see cref="Books"/> were.</param>
/// <param name="OrdersRefused">Orders the proposed band would have refused (an offer above its ceiling, a bid below its floor).</param>
/// <param name="OrdersMoved">Orders placed at the nearer edge of the proposed band (an offer below its floor, a bid above its ceiling).</param>
/// <param name="Households">Every household with an order in the replayed books, most gained first.</param>
/// <param name="Elapsed">How long the replay took, loading the books included.</param>
public sealed record RulesPreviewResult(
    long From,
    long To,
    int Books,
    bool Capped,
    long SealedVolumeWh,
    long ProposedVolumeWh,
    long SealedAmount,
    long ProposedAmount,
    int SealedTrades,
    int ProposedTrades,
    int OrdersRefused,
    int OrdersMoved,
    IReadOnlyList<PreviewHousehold> Households,
    TimeSpan Elapsed)
{
    /// <summary>Volume-weighted average price as sealed, 1/10,000 currency per kWh; null without trades.</summary>
    public long? SealedAveragePrice => Average(SealedAmount, SealedVolumeWh);

    /// <summary>Volume-weighted average price as it would have been; null without trades.</summary>
    public long? ProposedAveragePrice => Average(ProposedAmount, ProposedVolumeWh);

    /// <summary>The sum of every household's gain: what the change would have given the community on balance.</summary>
    public long TotalGain => Households.Sum(h => h.Gain);

    private static long? Average(long amount, long volumeWh) => volumeWh == 0 ? null : amount * 1000 / volumeWh;
}

/// <summary>
/// Replays the sealed order books of the last week under proposed rules with <see cref="DoubleAuction"/>, through the
/// same leaf-to-order mapping (<see cref="AuctionOrders"/>) as clearing and the ledger's verifier (docs/adr/0028).
/// Pure reads: nothing is written, nothing sealed. For managers and operators only: it names households.
/// </summary>
public sealed class RulesPreview(IDbContextFactory<MarketDbContext> dbFactory, RulesBook rules, MarketClock clock)
{
    /// <summary>How far back the preview looks, days.</summary>
    public const int Days = 7;

    /// <summary>Most books one preview replays: a week of 15-minute intervals.</summary>
    public const int MaxBooks = Days * 96;

    /// <summary>
    /// Replays the books of the intervals cleared in the last <see cref="Days"/> days (the newest
    /// <see cref="MaxBooks"/> of them) as sealed and under <paramref name="change"/>. "As sealed" is each book cleared
    /// under the mechanism it was cleared under, which is what the ledger's verifier checks against the sealed trades.
    /// Under the proposed band an offer above the ceiling or a bid below the floor would have been refused, and an
    /// offer below the floor or a bid above the ceiling would have been placed at the band's edge, which its owner
    /// accepts. Grid prices for what is not traded stay those of the rules each interval was cleared under.
    /// </summary>
    public async Task<RulesPreviewResult> PreviewAsync(RulesChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var started = Stopwatch.GetTimestamp();
        // Every cleared interval's book is sealed; the newest may start a few minutes from now (its gate has closed).
        var from = clock.NowSeconds - (Days * 86400L);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var intervals = await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= from)
            .OrderByDescending(c => c.IntervalStart)
            .Take(MaxBooks + 1)
            .Select(c => new { c.IntervalStart, c.IntervalEnd, c.Mechanism, c.OrderBookHeight })
            .ToListAsync(cancellationToken);
        var capped = intervals.Count > MaxBooks;
        if (capped)
        {
            intervals.RemoveAt(MaxBooks);
        }

        var heights = intervals.Select(i => i.OrderBookHeight).ToList();
        var leaves = (await db.BlockLeaves.AsNoTracking()
                .Where(l => heights.Contains(l.BlockHeight))
                .Select(l => new { l.BlockHeight, l.Index, l.Data })
                .ToListAsync(cancellationToken))
            .GroupBy(l => l.BlockHeight)
            .ToDictionary(g => g.Key, g => g.OrderBy(l => l.Index).Select(l => OrderLeaf.Decode(l.Data)).ToList());
        var households = (await db.Households.AsNoTracking().Select(h => new { h.Id, h.Name, h.Pseudonym }).ToListAsync(cancellationToken))
            .ToDictionary(h => PartyId.FromBytes(h.Pseudonym), h => (h.Id, h.Name));

        var books = intervals
            .Select(i => new Book(leaves.GetValueOrDefault(i.OrderBookHeight) ?? [], (Mechanism)i.Mechanism, rules.At(i.IntervalStart)))
            .ToList();
        var totals = await Task.Run(() => Replay(books, change), cancellationToken);
        var rows = totals.Net
            .Select(n => households.TryGetValue(n.Key, out var h)
                ? new PreviewHousehold(h.Id, h.Name, n.Value.Sealed, n.Value.Proposed)
                : new PreviewHousehold(0, n.Key.ToString(), n.Value.Sealed, n.Value.Proposed))
            .OrderByDescending(h => h.Gain)
            .ThenBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        return new RulesPreviewResult(
            intervals.Count == 0 ? from : intervals[^1].IntervalStart, intervals.Count == 0 ? clock.NowSeconds : intervals[0].IntervalEnd, books.Count, capped,
            totals.Sealed.VolumeWh, totals.Proposed.VolumeWh, totals.Sealed.Amount, totals.Proposed.Amount,
            totals.Sealed.Trades, totals.Proposed.Trades, totals.Refused, totals.Moved,
            rows, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>One sealed book with the mechanism it was cleared under and the rules of its interval.</summary>
    internal sealed record Book(IReadOnlyList<OrderLeaf> Leaves, Mechanism Mechanism, RulesRecord Rules);

    internal sealed record Outcome(long VolumeWh, long Amount, int Trades);

    internal sealed record Totals(Outcome Sealed, Outcome Proposed, int Refused, int Moved, Dictionary<PartyId, (long Sealed, long Proposed)> Net);

    /// <summary>The replay itself: pure, deterministic, no database.</summary>
    internal static Totals Replay(IReadOnlyList<Book> books, RulesChange change)
    {
        var net = new Dictionary<PartyId, (long Sealed, long Proposed)>();
        Outcome sealedTotal = new(0, 0, 0), proposedTotal = new(0, 0, 0);
        int refused = 0, moved = 0;
        foreach (var book in books)
        {
            var orders = AuctionOrders.From(book.Leaves);
            var asSealed = DoubleAuction.Clear(orders, WithoutTheGrid(book.Mechanism));
            sealedTotal = Add(sealedTotal, asSealed);
            foreach (var (owner, money) in MoneyOf(book, orders, asSealed))
            {
                var n = net.GetValueOrDefault(owner);
                net[owner] = (checked(n.Sealed + money), n.Proposed);
            }

            // The proposed book: each order as near its limit as the proposed band lets it be, or refused.
            var kept = new List<Order>(orders.Length);
            var keptLeaves = new List<OrderLeaf>(orders.Length);
            for (var i = 0; i < orders.Length; i++)
            {
                var o = orders[i];
                var price = o.Side == Side.Sell ? Math.Max(o.Price, change.PriceFloor) : Math.Min(o.Price, change.PriceCeiling);
                if (price < change.PriceFloor || price > change.PriceCeiling)
                {
                    refused++;
                    // Refused: all of it goes to or comes from the grid.
                    var n = net.GetValueOrDefault(book.Leaves[i].Owner);
                    net[book.Leaves[i].Owner] = (n.Sealed, checked(n.Proposed + Grid(o, o.EnergyWh, book.Rules)));
                    continue;
                }

                moved += price == o.Price ? 0 : 1;
                kept.Add(o with { Price = price });
                keptLeaves.Add(book.Leaves[i]);
            }

            var proposedOrders = kept.ToArray();
            var asProposed = DoubleAuction.Clear(proposedOrders, WithoutTheGrid(change.Mechanism));
            proposedTotal = Add(proposedTotal, asProposed);
            foreach (var (owner, money) in MoneyOf(book with { Leaves = keptLeaves }, proposedOrders, asProposed))
            {
                var n = net.GetValueOrDefault(owner);
                net[owner] = (n.Sealed, checked(n.Proposed + money));
            }
        }

        return new Totals(sealedTotal, proposedTotal, refused, moved, net);
    }

    /// <summary>
    /// Each order's money in one clearing: its trades (a seller earns, a buyer pays the trade's amount) and the rest of
    /// its energy at the grid's price (an offer's rest at the feed-in tariff, a bid's at retail).
    /// </summary>
    private static IEnumerable<(PartyId Owner, long Money)> MoneyOf(Book book, Order[] orders, ClearingResult result)
    {
        var filled = new long[orders.Length];
        var traded = new long[orders.Length];
        if (result.IsSuccess)
        {
            foreach (var t in result.Trades)
            {
                var amount = Money.Amount(t.EnergyWh, t.Price);
                filled[t.BuyIndex] += t.EnergyWh;
                filled[t.SellIndex] += t.EnergyWh;
                traded[t.BuyIndex] -= amount;
                traded[t.SellIndex] += amount;
            }
        }

        for (var i = 0; i < orders.Length; i++)
        {
            yield return (book.Leaves[i].Owner, checked(traded[i] + Grid(orders[i], orders[i].EnergyWh - filled[i], book.Rules)));
        }
    }

    /// <summary>
    /// The preview replays books without the network: under the grid's mechanism as if no line were full and no fee
    /// charged, which gives the uniform price's fills and price (docs/clearing.md, rules version 2).
    /// </summary>
    private static Mechanism WithoutTheGrid(Mechanism mechanism) => mechanism == Mechanism.GridZonal ? Mechanism.UniformPrice : mechanism;

    /// <summary>What <paramref name="energyWh"/> of an order not traded earns from (offer) or costs at (bid) the grid.</summary>
    private static long Grid(Order order, long energyWh, RulesRecord rules) => order.Side == Side.Sell
        ? Money.Amount(energyWh, rules.PriceFloor)
        : -Money.Amount(energyWh, rules.PriceCeiling);

    private static Outcome Add(Outcome total, ClearingResult result)
    {
        if (!result.IsSuccess)
        {
            return total;
        }

        long amount = 0;
        foreach (var t in result.Trades)
        {
            amount = checked(amount + Money.Amount(t.EnergyWh, t.Price));
        }

        return new Outcome(checked(total.VolumeWh + result.VolumeWh), checked(total.Amount + amount), total.Trades + result.Trades.Length);
    }
}
