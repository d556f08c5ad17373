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
    /// <inheritdoc />
    public IReadOnlyList<ReplayedTrade>? Replay(IReadOnlyList<OrderLeaf> orders, byte mechanism, int rulesVersion)
    {
        if (rulesVersion < DoubleAuction.RulesVersion || mechanism is not ((byte)Mechanism.UniformPrice or (byte)Mechanism.PayAsBid))
        {
            return null;
        }

        var result = DoubleAuction.Clear(AuctionOrders.From(orders), (Mechanism)mechanism);
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
