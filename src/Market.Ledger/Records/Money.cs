namespace Market.Ledger;

/// <summary>
/// Money arithmetic of the ledger. Energy is in watt-hours (Wh), prices are in 1/10,000 of the currency per kWh and
/// money is in 1/10,000 of the currency, all as <see cref="long"/>; never floating point.
/// </summary>
public static class Money
{
    /// <summary>
    /// The amount of a trade: <c>energyWh × price / 1000</c>, rounded half up, in 1/10,000 of the currency.
    /// </summary>
    /// <param name="energyWh">Energy in Wh; must not be negative.</param>
    /// <param name="price">Price in 1/10,000 of the currency per kWh; must not be negative.</param>
    /// <returns>The amount in 1/10,000 of the currency.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative energy or price.</exception>
    /// <exception cref="OverflowException">The amount does not fit in 64 bits.</exception>
    /// <example><c>Amount(1500, 2501)</c> = 1500 × 2501 / 1000 = 3751.5 → 3752.</example>
    [System.Diagnostics.Contracts.Pure]
    public static long Amount(long energyWh, long price)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(energyWh);
        ArgumentOutOfRangeException.ThrowIfNegative(price);
        return AmountRule.TryAmount(energyWh, price, out var amount)
            ? amount
            : throw new OverflowException("the amount does not fit in 64 bits");
    }

    /// <summary>Like <see cref="Amount"/> but reports failure instead of throwing.</summary>
    /// <param name="energyWh">Energy in Wh.</param>
    /// <param name="price">Price in 1/10,000 of the currency per kWh.</param>
    /// <param name="amount">The amount when the result is <see langword="true"/>, otherwise 0.</param>
    /// <returns><see langword="false"/> for negative inputs or an amount beyond 64 bits.</returns>
    public static bool TryAmount(long energyWh, long price, out long amount) =>
        AmountRule.TryAmount(energyWh, price, out amount);
}
