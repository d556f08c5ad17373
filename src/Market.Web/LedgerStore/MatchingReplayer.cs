using Market.Ledger;
using Market.Matching;

namespace Market.Replay;

/// <summary>
/// Replays a committed order book with <c>Market.Matching</c>, for the ledger's chain verifier. The ledger's rules
/// version numbers the community's sealed rules records; every one of them so far clears with auction rules
/// version 1 (docs/clearing.md), so any rules version from 1 up replays with <see cref="DoubleAuction"/>.
/// </summary>
public sealed class MatchingReplayer : IClearingReplayer
{
    public IReadOnlyList<ReplayedTrade>? Replay(IReadOnlyList<OrderLeaf> orders, byte mechanism, int rulesVersion)
    {
        if (rulesVersion < DoubleAuction.RulesVersion || mechanism is not ((byte)Mechanism.UniformPrice or (byte)Mechanism.PayAsBid))
        {
            return null;
        }

        var input = new Order[orders.Count];
        for (var i = 0; i < input.Length; i++)
        {
            var o = orders[i];
            input[i] = new Order(o.Sequence, o.Side == Market.Ledger.OrderSide.Buy ? Side.Buy : Side.Sell, o.EnergyWh, o.LimitPrice, o.Sequence);
        }

        var result = DoubleAuction.Clear(input, (Mechanism)mechanism);
        if (!result.IsSuccess)
        {
            return null;
        }

        var trades = new ReplayedTrade[result.Trades.Length];
        for (var i = 0; i < trades.Length; i++)
        {
            var t = result.Trades[i];
            trades[i] = new ReplayedTrade(t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price);
        }

        return trades;
    }
}
