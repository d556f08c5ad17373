namespace Market.Ledger;

/// <summary>
/// One trade of a clearing under the grid's limits as the sealer takes it: the trade id, interval and amounts are
/// added by the sealer.
/// </summary>
/// <param name="Buyer">Owner of the buy order.</param>
/// <param name="Seller">Owner of the sell order.</param>
/// <param name="BuySequence">Sequence of the buy order.</param>
/// <param name="SellSequence">Sequence of the sell order.</param>
/// <param name="EnergyWh">Traded energy in Wh (positive).</param>
/// <param name="BuyPrice">The buyer's zone price, 1/10,000 of the currency per kWh (not negative).</param>
/// <param name="SellPrice">The seller's zone price (not negative).</param>
/// <param name="FeePrice">The path fee (not negative).</param>
/// <param name="MeetNode">The nearest common ancestor of both orders' nodes.</param>
public readonly record struct GridTradeFill(
    PartyId Buyer,
    PartyId Seller,
    long BuySequence,
    long SellSequence,
    long EnergyWh,
    long BuyPrice,
    long SellPrice,
    long FeePrice,
    int MeetNode);
