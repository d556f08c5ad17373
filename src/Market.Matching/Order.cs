namespace Market.Matching;

/// <summary>One bid or offer of an interval's order book.</summary>
/// <param name="Id">
/// The order's identifier, unique within the book (a duplicate is rejected with <see cref="RejectionCode.DuplicateId"/>).
/// It is reported back in trades; it plays no part in priority.
/// </param>
/// <param name="Side">Buy (a bid) or sell (an offer); any other value is rejected with <see cref="RejectionCode.UnknownSide"/>.</param>
/// <param name="EnergyWh">The energy to buy or sell in watt-hours; must be greater than zero.</param>
/// <param name="Price">
/// The limit price in 1/10,000 of the currency per kWh (2150 = 21.50 ct/kWh); must be zero or more. A bid pays at
/// most this price, an offer receives at least this price.
/// </param>
/// <param name="Sequence">
/// The arrival order (lower = earlier = higher time priority among orders of equal price); any <see cref="long"/>,
/// need not be unique: orders with equal price and sequence rank by their position in the input.
/// </param>
public readonly record struct Order(long Id, Side Side, long EnergyWh, long Price, long Sequence);
