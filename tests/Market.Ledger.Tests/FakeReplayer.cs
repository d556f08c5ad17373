namespace Market.Ledger.Tests;

/// <summary>
/// The uniform-price double auction written from the rules, independent of Market.Matching: bids by price
/// descending then sequence ascending, offers by price ascending then sequence ascending; walk while the bid price
/// is at least the offer price, matching the smaller remaining quantity; every trade at
/// floor((low + high) / 2) with low = max(last matched offer price, first unfilled bid price) and
/// high = min(last matched bid price, first unfilled offer price), missing ones dropping out. Under the grid's
/// mechanism it knows one book only, <see cref="GridChain"/>'s, and answers its clearing as Market.Matching gives it
/// (the real replay is tested in Market.Replay.Tests).
/// </summary>
internal sealed class FakeReplayer : IClearingReplayer, IGridClearingReplayer
{
    public GridReplay? ReplayGrid(GridReplayInput input) =>
        input.Orders.Select(o => (o.Sequence, o.Owner, o.Side, o.EnergyWh, o.LimitPrice))
            .SequenceEqual(GridChain.Orders().Select(o => (o.Sequence, o.Owner, o.Side, o.EnergyWh, o.LimitPrice)))
            ? GridChain.Replay()
            : null;

    public IReadOnlyList<ReplayedTrade>? Replay(IReadOnlyList<OrderLeaf> orders, byte mechanism, int rulesVersion)
    {
        if (mechanism != ClearingMechanisms.UniformPriceDoubleAuction)
        {
            return null;
        }

        var bids = orders.Where(o => o.Side == OrderSide.Buy).OrderByDescending(o => o.LimitPrice).ThenBy(o => o.Sequence).ToList();
        var offers = orders.Where(o => o.Side == OrderSide.Sell).OrderBy(o => o.LimitPrice).ThenBy(o => o.Sequence).ToList();
        var bidLeft = bids.Select(b => b.EnergyWh).ToArray();
        var offerLeft = offers.Select(o => o.EnergyWh).ToArray();
        var fills = new List<(long Buy, long Sell, long Energy)>();
        int i = 0, j = 0;
        long? lastBidPrice = null, lastOfferPrice = null;
        while (i < bids.Count && j < offers.Count && bids[i].LimitPrice >= offers[j].LimitPrice)
        {
            var quantity = Math.Min(bidLeft[i], offerLeft[j]);
            fills.Add((bids[i].Sequence, offers[j].Sequence, quantity));
            lastBidPrice = bids[i].LimitPrice;
            lastOfferPrice = offers[j].LimitPrice;
            bidLeft[i] -= quantity;
            offerLeft[j] -= quantity;
            if (bidLeft[i] == 0)
            {
                i++;
            }

            if (offerLeft[j] == 0)
            {
                j++;
            }
        }

        if (fills.Count == 0)
        {
            return [];
        }

        long? firstUnfilledBid = i < bids.Count ? bids[i].LimitPrice : null;
        long? firstUnfilledOffer = j < offers.Count ? offers[j].LimitPrice : null;
        var low = Max(lastOfferPrice, firstUnfilledBid)!.Value;
        var high = Min(lastBidPrice, firstUnfilledOffer)!.Value;
        var price = (long)Math.Floor((low + high) / 2.0m);
        return fills.Select(f => new ReplayedTrade(f.Buy, f.Sell, f.Energy, price)).ToList();
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
