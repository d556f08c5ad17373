namespace Market.Web.Autopilot;

/// <summary>
/// The sentences a household reads about its autopilot, made from the stored facts in the reader's culture (numbers
/// through <see cref="Units"/>), so a German household reads decimal commas in an explanation stored months ago.
/// </summary>
public static class AutopilotExplainer
{
    /// <summary>Why an order was posted with this energy and price.</summary>
    public static string Explain(AutopilotOrderEntity e, IFormatProvider culture)
    {
        ArgumentNullException.ThrowIfNull(e);
        var sell = e.Side == OrderSide.Sell;
        var forecast = $"Forecast {Units.Energy(e.ForecastWh, culture)} {(sell ? "surplus" : "need")} (band {Units.Energy(e.BandLowWh, culture)}–{Units.Energy(e.BandHighWh, culture)}, from {e.ForecastDays} {(e.ForecastDays == 1 ? "day" : "days")} of your meter).";
        var energy = e.EnergyReason switch
        {
            AutopilotEnergyReason.HouseholdLimit => "your most per interval",
            AutopilotEnergyReason.SiteLimit => sell ? "what your PV peak allows per interval" : "what your maximum import allows per interval",
            _ => "the cautious end of the band",
        };
        var posted = $"{(sell ? "Offered" : "Bid for")} {Units.Energy(e.EnergyWh, culture)}, {energy}.";
        var limitName = sell ? "your lowest sell price" : "your highest buy price";
        var median = e.MedianPrice is long m ? Units.Price(m, culture) : "";
        var intervals = $"{e.MedianCount} {(e.MedianCount == 1 ? "interval" : "intervals")}";
        var price = e.PriceReason switch
        {
            AutopilotPriceReason.Median => $"{Units.Price(e.Price, culture)} = last week's median at this hour ({intervals}), {(sell ? "at or above" : "at or below")} {limitName} {Units.Price(e.HouseholdLimitPrice, culture)}.",
            AutopilotPriceReason.AtLimit => $"Last week's median at this hour was {median}, {(sell ? "below" : "above")} {limitName}: {(sell ? "offered" : "bid")} at {Units.Price(e.Price, culture)}.",
            AutopilotPriceReason.NoHistory => $"Nothing cleared at a price at this hour last week: {(sell ? "offered" : "bid")} at {limitName} {Units.Price(e.Price, culture)}.",
            _ => $"{Units.Price(e.Price, culture)}: the edge of the community's price band.",
        };
        return $"{forecast} {posted} {price}";
    }

    /// <summary>Why nothing is posted for an interval.</summary>
    public static string Skipped(AutopilotDecision d, IFormatProvider culture)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.Skip switch
        {
            AutopilotSkip.OutsideHours => "outside your hours",
            AutopilotSkip.Ended => "after your end date",
            AutopilotSkip.NoHistory => "no meter history yet to forecast from",
            AutopilotSkip.NothingExpected => $"too little expected: {(d.Side == OrderSide.Sell ? "surplus" : "need")} {Units.Energy(d.BandLowWh, culture)}–{Units.Energy(d.BandHighWh, culture)}",
            AutopilotSkip.LimitOutsideBand => "your price limit lies outside the community's price band",
            _ => "",
        };
    }
}
