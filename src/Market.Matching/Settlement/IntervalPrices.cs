namespace Market.Matching.Settlement;

/// <summary>The three prices that settle one interval's imbalances, each in 1/10,000 of the currency per kWh.</summary>
/// <param name="LocalPrice">
/// The interval's local price: the clearing's uniform price (under pay-as-bid the reference price
/// <c>floor((low + high) / 2)</c>). <see langword="null"/> when the interval had no trades: then nothing is netted
/// between neighbours and every deviation goes to the utility. Must lie within [<paramref name="FeedInTariff"/>,
/// <paramref name="RetailPrice"/>].
/// </param>
/// <param name="RetailPrice">What the utility charges per kWh it delivers (not negative, at least the feed-in tariff).</param>
/// <param name="FeedInTariff">What the utility pays per kWh it takes (not negative).</param>
public readonly record struct IntervalPrices(long? LocalPrice, long RetailPrice, long FeedInTariff);

/// <summary>One household's market position and meter reading for one interval.</summary>
/// <param name="SoldWh">Energy the household sold in the interval's trades, Wh (not negative).</param>
/// <param name="BoughtWh">Energy the household bought in the interval's trades, Wh (not negative).</param>
/// <param name="SoldAmount">What the trades paid the household, 1/10,000 of the currency (not negative).</param>
/// <param name="BoughtAmount">What the household paid in the trades, 1/10,000 of the currency (not negative).</param>
/// <param name="ExportWh">Metered export to the grid in the interval, Wh (not negative).</param>
/// <param name="ImportWh">Metered import from the grid in the interval, Wh (not negative).</param>
public readonly record struct HouseholdPosition(
    long SoldWh,
    long BoughtWh,
    long SoldAmount,
    long BoughtAmount,
    long ExportWh,
    long ImportWh)
{
    /// <summary>
    /// The deviation <c>(export − import) − (sold − bought)</c> in Wh: negative when the household delivered less
    /// (or used more) than its trades say (short), positive when it delivered more (or used less) (long).
    /// </summary>
    public long DeviationWh => checked((ExportWh - ImportWh) - (SoldWh - BoughtWh));
}

/// <summary>An energy and the money that goes with it.</summary>
/// <param name="EnergyWh">Energy in Wh (not negative).</param>
/// <param name="Amount">Money in 1/10,000 of the currency (not negative).</param>
public readonly record struct EnergyAmount(long EnergyWh, long Amount);

/// <summary>A metered energy split by where it came from or went to; <c>LocalWh + GridWh</c> is the metered value.</summary>
/// <param name="LocalWh">From or to the community (neighbours, the market, or the household's own export or import in the same interval), Wh.</param>
/// <param name="GridWh">From or to the utility, Wh.</param>
public readonly record struct LocalGridSplit(long LocalWh, long GridWh)
{
    /// <summary>The metered total, Wh.</summary>
    public long TotalWh => LocalWh + GridWh;
}
