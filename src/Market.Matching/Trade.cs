namespace Market.Matching;

/// <summary>One step of the clearing walk: a bid and an offer exchanging energy at a price.</summary>
/// <param name="BuyOrderId">The <see cref="Order.Id"/> of the bid.</param>
/// <param name="SellOrderId">The <see cref="Order.Id"/> of the offer.</param>
/// <param name="BuyIndex">The bid's zero-based position in the input.</param>
/// <param name="SellIndex">The offer's zero-based position in the input.</param>
/// <param name="EnergyWh">The energy exchanged in watt-hours; always greater than zero.</param>
/// <param name="Price">
/// The trade price in 1/10,000 of the currency per kWh: the uniform price, or the bid's limit under
/// <see cref="Mechanism.PayAsBid"/>. Never above the bid's limit, never below the offer's limit.
/// </param>
public readonly record struct Trade(long BuyOrderId, long SellOrderId, int BuyIndex, int SellIndex, long EnergyWh, long Price);
