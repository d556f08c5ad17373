using System.Diagnostics.Contracts;

namespace Market.Matching;

/// <summary>
/// The market's exact, deterministic double auction: clears one interval's book of bids and offers.
/// </summary>
/// <remarks>
/// <para>Rules version 1 (see <c>docs/clearing.md</c>). Prices are integers in 1/10,000 of the currency per kWh,
/// energies integers in watt-hours.</para>
/// <list type="number">
/// <item><description>Bids are sorted by price descending, then sequence ascending, then input position; offers by
/// price ascending, then sequence ascending, then input position.</description></item>
/// <item><description>The walk: while the current bid's price is at or above the current offer's price, they trade
/// <c>q = min(remaining bid, remaining offer)</c>; both are reduced by <c>q</c> and whichever is exhausted is left
/// (both if both). This trades the maximum volume with price-time priority; the marginal orders are partially
/// filled.</description></item>
/// <item><description>No trade: no price. Otherwise, with <c>lastB</c> and <c>lastS</c> the prices of the last bid
/// and the last offer that received a fill, and <c>nextB</c> and <c>nextS</c> the prices of the first bid and the
/// first offer (in sorted order) left with unfilled energy, <c>low = max(lastS, nextB)</c> and
/// <c>high = min(lastB, nextS)</c>, where a missing <c>next</c> price drops out. Every price in
/// <c>[low, high]</c> clears the market; the uniform price is <c>floor((low + high) / 2)</c>.</description></item>
/// <item><description><see cref="Mechanism.UniformPrice"/>: every trade at that price.
/// <see cref="Mechanism.PayAsBid"/>: each trade at its bid's limit price, and no uniform price.</description></item>
/// </list>
/// <para>Pure: no clock, no I/O, no static state, no floating point; integer overflow is checked. Invalid books
/// (duplicate id, energy of zero or less, negative price, unknown side, a side's total energy beyond
/// <see cref="long.MaxValue"/>) are rejected with a result naming the first offending order, never with an
/// exception.</para>
/// </remarks>
public static class DoubleAuction
{
    /// <summary>
    /// The version of the clearing rules implemented here. A block records the version it was cleared under; any
    /// change to the rules that can change a result gets a new version.
    /// </summary>
    public const ushort RulesVersion = 1;

    /// <summary>Clears a book of orders.</summary>
    /// <param name="orders">The book, in input order (the last tie-breaker of priority); may be empty or one-sided.</param>
    /// <param name="mechanism">How trades are priced; <see cref="Mechanism.UniformPrice"/> by default.</param>
    /// <returns>The clearing, or a rejection naming the first invalid order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mechanism"/> is not a defined value.</exception>
    /// <remarks>
    /// Allocates a fresh workspace per call. To clear many books, reuse a <see cref="Clearer"/>, which gives
    /// identical results.
    /// </remarks>
    [Pure]
    public static ClearingResult Clear(ReadOnlySpan<Order> orders, Mechanism mechanism = Mechanism.UniformPrice) =>
        new Clearer().Clear(orders, mechanism);
}
