using Market.Ledger;
using Market.Matching;
using Market.Matching.Grid;

namespace Market.Replay;

/// <summary>
/// Replays a committed order book with <c>Market.Matching</c>, for the ledger's chain verifier. The ledger's rules
/// version numbers the community's sealed rules records; every one of them so far clears with auction rules
/// version 1 (docs/clearing.md), so any rules version from 1 up replays with <see cref="DoubleAuction"/>. Books under
/// the ledger's mechanism 3 (<see cref="ClearingMechanisms.GridZonalAuction"/>) never reach <see cref="Replay"/>: the
/// verifier hands them to <see cref="ReplayGrid"/>, which clears them with <see cref="GridAuction"/> and checks the
/// recorded clearing with <see cref="GridCertificate"/>.
/// </summary>
public sealed class MatchingReplayer : IClearingReplayer, IGridClearingReplayer
{
    /// <inheritdoc />
    public GridReplay? ReplayGrid(GridReplayInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rules = input.Rules;
        if (input.Rules.Mechanism != ClearingMechanisms.GridZonalAuction)
        {
            return null;
        }

        var orderNodes = input.OrderNodes.ToArray();
        if (GridBook.Clear(input.Network, rules, input.Limits, input.Orders, orderNodes) is not { } run)
        {
            return null;
        }

        var (network, limits, orders, result) = run;
        var certificate = GridCertificate.Check(network, limits, orders, orderNodes, input.RecordedFills.ToArray(), input.RecordedZonePrices.ToArray());
        var trades = result.Trades
            .Select(t => new ReplayedGridTrade(t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.BuyPrice, t.SellPrice, t.FeePrice, t.MeetNode))
            .ToArray();
        return new GridReplay(trades, result.ZonePrices, certificate is null ? null : $"{certificate.Code}: {certificate.Message}", GridBook.Residual(result));
    }

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
