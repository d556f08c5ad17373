using System.Globalization;
using NetworkNodeKind = Market.Ledger.NetworkNodeKind;
using Market.Matching;

namespace Market.Web.Trading;

/// <summary>What the grid's clearing stored about an order's interval, for its explanation.</summary>
/// <param name="LimitingLine">The stored row of the line named by the order's <see cref="OrderEntity.LimitingNode"/> in its interval, if any.</param>
/// <param name="IntervalSeconds">The interval's length, to turn a line's limit in Wh back into the watts it was given in.</param>
public sealed record OrderGridFacts(GridNodeResultEntity? LimitingLine, long IntervalSeconds);

/// <summary>Says in plain words what happened to an order once its interval cleared.</summary>
public static class OrderExplainer
{
    /// <summary>The outcome of an order the clearing cancelled because its household was at no connection of the network.</summary>
    public const string NotConnected = "NotConnected";

    /// <param name="order">The order, after clearing.</param>
    /// <param name="clearingPrice">The interval's uniform price (under the grid's mechanism the community's, the root zone's); null with no trade or under pay-as-bid.</param>
    public static string Explain(OrderEntity order, long? clearingPrice) => Explain(order, clearingPrice, null);

    /// <param name="order">The order, after clearing.</param>
    /// <param name="clearingPrice">The interval's uniform price (under the grid's mechanism the community's, the root zone's); null with no trade or under pay-as-bid.</param>
    /// <param name="grid">
    /// Under the grid's mechanism, the line that cut the order and the interval's length; null elsewhere. An order with a
    /// <see cref="OrderEntity.ZonePrice"/> is explained against its zone's price either way.
    /// </param>
    public static string Explain(OrderEntity order, long? clearingPrice, OrderGridFacts? grid)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Status == OrderStatus.Cancelled && order.Outcome == NotConnected)
        {
            return "Not cleared: when the gate closed your home was at no connection of the community's network, so the market could not place this order on the grid. Ask your community's operator.";
        }

        if (order.ZonePrice is long zone && order.Status is not (OrderStatus.Open or OrderStatus.Cancelled))
        {
            return ExplainInZone(order, zone, clearingPrice, grid);
        }

        var culture = CultureInfo.CurrentCulture;
        var buying = order.Side == OrderSide.Buy;
        var part = $"{Units.Energy(order.FilledWh, culture)} of {Units.Energy(order.EnergyWh, culture)} {(buying ? "bought" : "sold")}";
        var price = clearingPrice is long p ? Units.Price(p, culture) : null;
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
                    ? $"Your bid of {Units.Price(order.LimitPrice, culture)} was below the clearing price of {price}."
                    : $"Your offer of {Units.Price(order.LimitPrice, culture)} was above the clearing price of {price}.",
                FillReason.PriceOnWrongSide => buying
                    ? $"No offer was at or below your bid of {Units.Price(order.LimitPrice, culture)}."
                    : $"No bid was at or above your offer of {Units.Price(order.LimitPrice, culture)}.",
                _ => order.FilledWh > 0 ? $"{part}." : "Not matched.",
            },
        };
    }

    /// <summary>An order cleared under the grid's mechanism: judged against its zone's price, a cut named by its line.</summary>
    private static string ExplainInZone(OrderEntity order, long zone, long? communityPrice, OrderGridFacts? grid)
    {
        var culture = CultureInfo.CurrentCulture;
        var buying = order.Side == OrderSide.Buy;
        var part = Part(order, culture);
        var zonePrice = Units.Price(zone, culture);
        // The community's price beside the zone's only where they differ: the same figure twice says nothing.
        var community = communityPrice is long c && c != zone ? $" (the community's price: {Units.Price(c, culture)})" : "";
        var reason = Enum.TryParse<FillReason>(order.Outcome, out var r) ? r : (FillReason?)null;
        return (order.Status, reason) switch
        {
            (OrderStatus.Filled, _) => $"Fully filled at your zone's price of {zonePrice}{community}.",
            (_, FillReason.NetworkLimit) => Limited(order, zone, communityPrice, grid, culture),
            (_, FillReason.MarginalPartialFill) => $"You were the marginal {(buying ? "buyer" : "seller")} in your zone: {part} at your zone's price of {zonePrice}{community}.",
            (_, FillReason.OtherSideExhausted) => $"There was not enough {(buying ? "supply" : "demand")} at your zone's price of {zonePrice}{community}: {part}.",
            (_, FillReason.PriceOnWrongSide) => buying
                ? $"Your bid of {Units.Price(order.LimitPrice, culture)} was below your zone's price of {zonePrice}{community}."
                : $"Your offer of {Units.Price(order.LimitPrice, culture)} was above your zone's price of {zonePrice}{community}.",
            _ => order.FilledWh > 0 ? $"{part} at your zone's price of {zonePrice}." : $"Not matched; your zone's price was {zonePrice}{community}.",
        };
    }

    /// <summary>The grid's limit that cut an order: the household's own connection (its envelope), its feeder or its transformer.</summary>
    private static string Limited(OrderEntity order, long zone, long? communityPrice, OrderGridFacts? grid, CultureInfo culture)
    {
        var buying = order.Side == OrderSide.Buy;
        var part = Part(order, culture);
        var zonePrice = Units.Price(zone, culture);
        var line = grid?.LimitingLine;
        if (line is null)
        {
            return $"A limit of the grid cut this order: {part} at your zone's price of {zonePrice}.";
        }

        // A seller's energy goes up its lines (their export limit), a buyer's comes down (their import limit).
        var limitWh = buying ? line.ImportLimitWh : line.ExportLimitWh;
        var power = limitWh is long wh && grid!.IntervalSeconds > 0 ? Units.Power(checked(wh * 3600) / grid.IntervalSeconds, culture) : null;
        var source = line.FromEnvelope
            ? " from the network operator" + (string.IsNullOrEmpty(line.EventId) ? "" : $" (event {line.EventId})")
            : "";
        var by = line.FromEnvelope
            ? " as the network operator set it" + (string.IsNullOrEmpty(line.EventId) ? "" : $" (event {line.EventId})")
            : "";
        var direction = buying ? "import" : "export";
        if ((NetworkNodeKind)line.Kind == NetworkNodeKind.Connection)
        {
            var limit = power is null ? $"your connection's {direction} limit" : $"your connection's {direction} limit of {power}";
            return $"Limited by {limit}{source}: {part} at your zone's price of {zonePrice}.";
        }

        var name = (NetworkNodeKind)line.Kind switch
        {
            NetworkNodeKind.Feeder => $"Feeder {line.NodeId}",
            NetworkNodeKind.Transformer => $"The transformer {line.NodeId}",
            _ => $"The line of {line.NodeId}",
        };
        var carry = power is null
            ? ""
            : buying ? $": it could bring at most {power} in from the rest of the community{by}" : $": it could carry at most {power} out to the rest of the community{by}";
        var community = communityPrice is long c && c != zone ? $", the community's {Units.Price(c, culture)}" : "";
        return $"{name} was full{carry}, so {part}. Your zone's price was {zonePrice}{community}.";
    }

    /// <summary>"0.600 kWh of 1.000 kWh sold", or "none of your 1.000 kWh sold".</summary>
    private static string Part(OrderEntity order, CultureInfo culture)
    {
        var verb = order.Side == OrderSide.Buy ? "bought" : "sold";
        return order.FilledWh > 0
            ? $"{Units.Energy(order.FilledWh, culture)} of {Units.Energy(order.EnergyWh, culture)} {verb}"
            : $"none of your {Units.Energy(order.EnergyWh, culture)} {verb}";
    }
}
