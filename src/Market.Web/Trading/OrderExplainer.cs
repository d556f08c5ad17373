using System.Globalization;
using Market.Matching;

namespace Market.Web.Trading;

/// <summary>Says in plain words what happened to an order once its interval cleared.</summary>
public static class OrderExplainer
{
    /// <param name="order">The order, after clearing.</param>
    /// <param name="clearingPrice">The interval's uniform price; null with no trade or under pay-as-bid.</param>
    public static string Explain(OrderEntity order, long? clearingPrice)
    {
        var buying = order.Side == OrderSide.Buy;
        var part = $"{Units.Energy(order.FilledWh, CultureInfo.CurrentCulture)} of {Units.Energy(order.EnergyWh, CultureInfo.CurrentCulture)} {(buying ? "bought" : "sold")}";
        var price = clearingPrice is long p ? Units.Price(p, CultureInfo.CurrentCulture) : null;
        var reason = Enum.TryParse<FillReason>(order.Outcome, out var r) ? r : (FillReason?)null;
        return order.Status switch
        {
            OrderStatus.Open => "Waiting for gate closure.",
            OrderStatus.Cancelled => "You cancelled this order.",
            OrderStatus.Filled => price is null ? "Fully filled." : $"Fully filled at {price}.",
            _ => reason switch
            {
                FillReason.MarginalPartialFill => $"You were the marginal {(buying ? "buyer" : "seller")}: {part}{(price is null ? "" : $" at {price}")}.",
                FillReason.OtherSideExhausted => $"There was not enough {(buying ? "supply" : "demand")}: {part}.",
                FillReason.PriceOnWrongSide when price is not null => buying
                    ? $"Your bid of {Units.Price(order.LimitPrice, CultureInfo.CurrentCulture)} was below the clearing price of {price}."
                    : $"Your offer of {Units.Price(order.LimitPrice, CultureInfo.CurrentCulture)} was above the clearing price of {price}.",
                FillReason.PriceOnWrongSide => buying
                    ? $"No offer was at or below your bid of {Units.Price(order.LimitPrice, CultureInfo.CurrentCulture)}."
                    : $"No bid was at or above your offer of {Units.Price(order.LimitPrice, CultureInfo.CurrentCulture)}.",
                _ => order.FilledWh > 0 ? $"{part}." : "Not matched.",
            },
        };
    }
}
