namespace Market.Ledger;

/// <summary>
/// One fill of the clearing, as the sealer takes it: the trade id, interval and amount are added by the sealer.
/// </summary>
/// <param name="Buyer">Owner of the buy order.</param>
/// <param name="Seller">Owner of the sell order.</param>
/// <param name="BuySequence">Sequence of the buy order.</param>
/// <param name="SellSequence">Sequence of the sell order.</param>
/// <param name="EnergyWh">Traded energy in Wh (positive).</param>
/// <param name="Price">Trade price in 1/10,000 of the currency per kWh (not negative).</param>
public readonly record struct TradeFill(
    PartyId Buyer,
    PartyId Seller,
    long BuySequence,
    long SellSequence,
    long EnergyWh,
    long Price);
