
namespace Market.Matching.Tests;

/// <summary>
/// A deliberately plain implementation of the clearing rules (LINQ sort, list walk, dictionaries), written
/// independently of the library's packed-key path, for the property tests to compare against.
/// </summary>
internal static class ReferenceAuction
{
    public sealed record Outcome(
        RejectionCode? Rejection,
        int RejectedIndex,
        long? Price,
        long? Low,
        long? High,
        long VolumeWh,
        IReadOnlyList<Trade> Trades,
        IReadOnlyList<OrderOutcome> Outcomes,
        IReadOnlyList<CurvePoint> Demand,
        IReadOnlyList<CurvePoint> Supply);

    public static Outcome Clear(IReadOnlyList<Order> orders, Mechanism mechanism)
    {
        var rejection = Validate(orders);
        if (rejection is { } r)
        {
            return new Outcome(r.Code, r.Index, null, null, null, 0, [], [], [], []);
        }

        var indexed = orders.Select((o, i) => (Order: o, Index: i)).ToList();
        var bids = indexed.Where(x => x.Order.Side == Side.Buy)
            .OrderByDescending(x => x.Order.Price).ThenBy(x => x.Order.Sequence).ThenBy(x => x.Index).ToList();
        var offers = indexed.Where(x => x.Order.Side == Side.Sell)
            .OrderBy(x => x.Order.Price).ThenBy(x => x.Order.Sequence).ThenBy(x => x.Index).ToList();

        var remaining = orders.Select(o => o.EnergyWh).ToArray();
        var walk = new List<(int Bid, int Offer, long Energy)>();
        int b = 0, s = 0;
        while (b < bids.Count && s < offers.Count && bids[b].Order.Price >= offers[s].Order.Price)
        {
            var bi = bids[b].Index;
            var si = offers[s].Index;
            var q = Math.Min(remaining[bi], remaining[si]);
            walk.Add((bi, si, q));
            remaining[bi] -= q;
            remaining[si] -= q;
            if (remaining[bi] == 0)
            {
                b++;
            }

            if (remaining[si] == 0)
            {
                s++;
            }
        }

        long? low = null, high = null, reference = null;
        if (walk.Count > 0)
        {
            var lastB = orders[walk[^1].Bid].Price;
            var lastS = orders[walk[^1].Offer].Price;
            var nextB = bids.Where(x => remaining[x.Index] > 0).Select(x => (long?)x.Order.Price).FirstOrDefault();
            var nextS = offers.Where(x => remaining[x.Index] > 0).Select(x => (long?)x.Order.Price).FirstOrDefault();
            low = nextB is null ? lastS : Math.Max(lastS, nextB.Value);
            high = nextS is null ? lastB : Math.Min(lastB, nextS.Value);
            reference = (long)Math.Floor(((decimal)low.Value + high.Value) / 2m);
        }

        var uniform = mechanism == Mechanism.UniformPrice ? reference : null;
        var trades = walk.Select(t => new Trade(
            orders[t.Bid].Id,
            orders[t.Offer].Id,
            t.Bid,
            t.Offer,
            t.Energy,
            uniform ?? orders[t.Bid].Price)).ToList();

        var outcomes = orders.Select((o, i) =>
        {
            var filled = o.EnergyWh - remaining[i];
            FillReason reason;
            if (filled == o.EnergyWh)
            {
                reason = FillReason.Filled;
            }
            else if (filled > 0)
            {
                reason = FillReason.MarginalPartialFill;
            }
            else if (reference is null)
            {
                var otherSideEmpty = o.Side == Side.Buy ? offers.Count == 0 : bids.Count == 0;
                reason = otherSideEmpty ? FillReason.OtherSideExhausted : FillReason.PriceOnWrongSide;
            }
            else
            {
                var wrong = o.Side == Side.Buy ? o.Price < reference : o.Price > reference;
                reason = wrong ? FillReason.PriceOnWrongSide : FillReason.OtherSideExhausted;
            }

            return new OrderOutcome(filled, reason);
        }).ToList();

        var demand = bids.GroupBy(x => x.Order.Price).OrderByDescending(g => g.Key)
            .Select(g => new CurvePoint(g.Key, bids.Where(x => x.Order.Price >= g.Key).Sum(x => x.Order.EnergyWh)))
            .ToList();
        var supply = offers.GroupBy(x => x.Order.Price).OrderBy(g => g.Key)
            .Select(g => new CurvePoint(g.Key, offers.Where(x => x.Order.Price <= g.Key).Sum(x => x.Order.EnergyWh)))
            .ToList();

        return new Outcome(null, -1, uniform, low, high, walk.Sum(t => t.Energy), trades, outcomes, demand, supply);
    }

    private static (RejectionCode Code, int Index)? Validate(IReadOnlyList<Order> orders)
    {
        var seen = new HashSet<long>();
        decimal totalBid = 0, totalOffer = 0;
        for (var i = 0; i < orders.Count; i++)
        {
            var o = orders[i];
            if (o.Side is not (Side.Buy or Side.Sell))
            {
                return (RejectionCode.UnknownSide, i);
            }

            if (o.EnergyWh <= 0)
            {
                return (RejectionCode.EnergyNotPositive, i);
            }

            if (o.Price < 0)
            {
                return (RejectionCode.NegativePrice, i);
            }

            if (!seen.Add(o.Id))
            {
                return (RejectionCode.DuplicateId, i);
            }

            var total = o.Side == Side.Buy ? totalBid += o.EnergyWh : totalOffer += o.EnergyWh;
            if (total > long.MaxValue)
            {
                return (RejectionCode.TotalEnergyOverflow, i);
            }
        }

        return null;
    }
}
