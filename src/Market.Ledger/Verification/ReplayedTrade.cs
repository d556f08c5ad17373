namespace Market.Ledger;

/// <summary>One trade as a replay gives it.</summary>
/// <param name="BuySequence">Sequence of the buy order.</param>
/// <param name="SellSequence">Sequence of the sell order.</param>
/// <param name="EnergyWh">Energy in Wh.</param>
/// <param name="Price">Price in 1/10,000 of the currency per kWh.</param>
public readonly record struct ReplayedTrade(long BuySequence, long SellSequence, long EnergyWh, long Price);
