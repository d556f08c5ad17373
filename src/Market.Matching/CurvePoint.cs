namespace Market.Matching;

/// <summary>A step point of an aggregated demand or supply curve.</summary>
/// <param name="Price">A limit price present in the book, in 1/10,000 of the currency per kWh.</param>
/// <param name="CumulativeEnergyWh">
/// Demand: the energy of all bids with a limit at or above <paramref name="Price"/>. Supply: the energy of all
/// offers with a limit at or below <paramref name="Price"/>. In watt-hours.
/// </param>
public readonly record struct CurvePoint(long Price, long CumulativeEnergyWh);
