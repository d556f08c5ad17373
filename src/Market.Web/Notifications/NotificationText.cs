namespace Market.Web.Notifications;

/// <summary>A notification as a household reads it: a short title and one sentence, numbers in the given culture.</summary>
public readonly record struct NotificationMessage(string Title, string Body);

/// <summary>Words for a notification (the app's pages, e-mail and push say the same), numbers through <see cref="Units"/>.</summary>
public static class NotificationText
{
    /// <summary>"Your offer for Mon 15 Jun, 17:00–17:15 filled: 0.400 kWh for €0.11", in <paramref name="culture"/>'s marks.</summary>
    public static NotificationMessage Describe(NotificationEntity n, MarketClock clock, string currency, IFormatProvider culture)
    {
        ArgumentNullException.ThrowIfNull(n);
        ArgumentNullException.ThrowIfNull(clock);
        var order = n.Side == (byte)OrderSide.Sell ? "offer" : "bid";
        var orderTitle = n.Side == (byte)OrderSide.Sell ? "Offer" : "Bid";
        var money = Units.Money(n.Amount, currency, culture);
        return n.Kind switch
        {
            NotificationKind.Filled => new($"{orderTitle} filled",
                $"Your {order} for {Interval(n.IntervalStart, clock, culture)} filled: {Units.Energy(n.EnergyWh, culture)} for {money}."),
            NotificationKind.PartlyFilled => new($"{orderTitle} partly filled",
                $"Your {order} for {Interval(n.IntervalStart, clock, culture)} partly filled: {Units.Energy(n.EnergyWh, culture)} of {Units.Energy(n.OrderEnergyWh, culture)} for {money}."),
            NotificationKind.Expired => new($"{orderTitle} expired",
                $"Your {order} of {Units.Energy(n.OrderEnergyWh, culture)} for {Interval(n.IntervalStart, clock, culture)} expired: nothing matched it."),
            NotificationKind.Cancelled => new($"{orderTitle} cancelled",
                $"Your {order} of {Units.Energy(n.OrderEnergyWh, culture)} for {Interval(n.IntervalStart, clock, culture)} was cancelled."),
            NotificationKind.PriceAlert => new("Price alert",
                $"{Interval(n.IntervalStart, clock, culture)} cleared at {Units.Price(n.Price, culture)}."),
            NotificationKind.DailySummary => new("Your day in the market", Summary(n, clock, currency, culture)),
            _ => new("Notification", ""),
        };
    }

    private static string Summary(NotificationEntity n, MarketClock clock, string currency, IFormatProvider culture)
    {
        var day = clock.ToLocal(n.IntervalStart).ToString("ddd d MMM", culture);
        var parts = new List<string>();
        if (n.EnergyWh > 0)
        {
            parts.Add($"sold {Units.Energy(n.EnergyWh, culture)} for {Units.Money(n.Amount, currency, culture)}");
        }

        if (n.OrderEnergyWh > 0)
        {
            parts.Add($"bought {Units.Energy(n.OrderEnergyWh, culture)} for {Units.Money(n.Price, currency, culture)}");
        }

        var gain = n.GridGain >= 0
            ? $"{Units.Money(n.GridGain, currency, culture)} better than with the grid alone"
            : $"{Units.Money(-n.GridGain, currency, culture)} worse than with the grid alone";
        return $"{day}: you {string.Join(" and ", parts)}; {gain}.";
    }

    /// <summary>"Mon 15 Jun, 17:00–17:15" in the community's time zone and <paramref name="culture"/>'s names.</summary>
    public static string Interval(long start, MarketClock clock, IFormatProvider culture)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var a = clock.ToLocal(start);
        var b = clock.ToLocal(clock.Next(start));
        return $"{a.ToString("ddd d MMM, HH:mm", culture)}–{b.ToString("HH:mm", culture)}";
    }
}
