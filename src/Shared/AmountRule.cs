namespace Market;

/// <summary>
/// The one amount rule of the market: <c>energyWh × price / 1000</c> rounded half up, in 1/10,000 of the currency.
/// This file is compiled into both Market.Ledger (trade amounts) and Market.Matching (imbalance amounts), which must
/// not reference each other; keeping one source keeps the rounding identical in both.
/// </summary>
internal static class AmountRule
{
    /// <summary>The amount, or <see langword="false"/> for negative inputs or a result beyond 64 bits.</summary>
    public static bool TryAmount(long energyWh, long price, out long amount)
    {
        amount = 0;
        if (energyWh < 0 || price < 0)
        {
            return false;
        }

        // The 128-bit product of two non-negative 64-bit values plus 500 cannot overflow.
        var result = (((Int128)energyWh * price) + 500) / 1000;
        if (result > long.MaxValue)
        {
            return false;
        }

        amount = (long)result;
        return true;
    }
}
