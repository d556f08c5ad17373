using System.Globalization;

namespace Market.Web.Trading;

/// <summary>Says in plain words where a trade's price came from under the grid's mechanism.</summary>
public static class TradeExplainer
{
    /// <summary>
    /// The household's price is its zone's; a buyer pays the network fee of the path, and where a full line split the
    /// zones the buyer paid more than the seller received by the congestion rent as well. Null for a trade cleared
    /// without the grid (one price for both sides, nothing to explain).
    /// </summary>
    public static string? Explain(MyTrade trade)
    {
        ArgumentNullException.ThrowIfNull(trade);
        if (trade.Grid is not { } g)
        {
            return null;
        }

        var culture = CultureInfo.CurrentCulture;
        var fee = g.FeePrice > 0 ? Units.Price(g.FeePrice, culture) : null;
        var split = g.BuyPrice - g.SellPrice - g.FeePrice > 0;
        var toOperator = (fee, split) switch
        {
            (not null, true) => $"the difference, the network fee of {fee} and the congestion rent, went to the network operator",
            (null, true) => "the difference, the congestion rent, went to the network operator",
            (not null, false) => $"the difference, the network fee of {fee}, went to the network operator",
            _ => null,
        };
        if (trade.Side == Market.Ledger.OrderSide.Sell)
        {
            return toOperator is null
                ? "Your zone's price; the buyer paid the same, with no network fee."
                : split
                    ? $"Your zone's price. A full line split the zones, so the buyer paid more, {Units.Price(g.BuyPrice, culture)}: {toOperator}."
                    : $"Your zone's price. The buyer paid {Units.Price(g.BuyPrice, culture)}: {toOperator}.";
        }

        return toOperator is null
            ? "Your zone's price; the seller received the same, with no network fee."
            : split
                ? $"Your zone's price. A full line split the zones, so the seller received less, {Units.Price(g.SellPrice, culture)}: {toOperator}."
                : $"Your zone's price, with the network fee of {fee}; the seller received {Units.Price(g.SellPrice, culture)}.";
    }
}
