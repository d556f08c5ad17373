namespace Market.Matching.Grid;

/// <summary>
/// One trade of a clearing under the grid's limits: a bid and an offer exchanging energy across the network, each side
/// at its own zone's price.
/// </summary>
/// <param name="BuyOrderId">The <see cref="Order.Id"/> of the bid.</param>
/// <param name="SellOrderId">The <see cref="Order.Id"/> of the offer.</param>
/// <param name="BuyIndex">The bid's zero-based position in the input.</param>
/// <param name="SellIndex">The offer's zero-based position in the input.</param>
/// <param name="EnergyWh">The energy exchanged in watt-hours; always greater than zero.</param>
/// <param name="BuyPrice">What the buyer pays: the price of the bid's zone, in 1/10,000 of the currency per kWh.</param>
/// <param name="SellPrice">What the seller receives: the price of the offer's zone.</param>
/// <param name="FeePrice">
/// The network fee of the trade's path: the export fees of the lines from the seller up to <paramref name="MeetNode"/>
/// and the import fees of the lines from there down to the buyer. <c>BuyPrice - SellPrice - FeePrice</c> is the
/// congestion rent, zero or more.
/// </param>
/// <param name="MeetNode">The node where the trade's path turns: the nearest common ancestor of both orders' nodes.</param>
public readonly record struct GridTrade(
    long BuyOrderId,
    long SellOrderId,
    int BuyIndex,
    int SellIndex,
    long EnergyWh,
    long BuyPrice,
    long SellPrice,
    long FeePrice,
    int MeetNode);
