namespace Market.Ledger;

/// <summary>
/// A trade as a household, an auditor or a page reads it, whichever leaf sealed it: a trade leaf version 1 (one
/// price for both sides) or version 2 (<see cref="GridTradeLeaf"/>: each side at its zone's price, with the network
/// fee). For a version-1 trade the sell price and amount equal the buy price and amount and the fee is zero.
/// </summary>
/// <param name="Version">The leaf's version, 1 or 2.</param>
/// <param name="TradeId">Global trade id.</param>
/// <param name="IntervalStart">Delivery interval start, Unix seconds.</param>
/// <param name="IntervalEnd">Delivery interval end (exclusive), Unix seconds.</param>
/// <param name="Buyer">Owner of the buy order.</param>
/// <param name="Seller">Owner of the sell order.</param>
/// <param name="BuySequence">Sequence of the buy order.</param>
/// <param name="SellSequence">Sequence of the sell order.</param>
/// <param name="EnergyWh">Traded energy in Wh.</param>
/// <param name="Price">The buyer's price, 1/10,000 of the currency per kWh.</param>
/// <param name="Amount">What the buyer pays, 1/10,000 of the currency.</param>
/// <param name="SellPrice">The seller's price.</param>
/// <param name="SellAmount">What the seller receives.</param>
/// <param name="FeePrice">The network fee per kWh (version 2; 0 in version 1).</param>
/// <param name="MeetNode">The nearest node both sides hang under (version 2 only).</param>
public readonly record struct ClearedTrade(
    byte Version,
    long TradeId,
    long IntervalStart,
    long IntervalEnd,
    PartyId Buyer,
    PartyId Seller,
    long BuySequence,
    long SellSequence,
    long EnergyWh,
    long Price,
    long Amount,
    long SellPrice,
    long SellAmount,
    long FeePrice,
    int? MeetNode)
{
    /// <summary>Decodes a trade leaf of either version without throwing.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="trade">The trade on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid trade leaf of version 1 or 2.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out ClearedTrade trade, out string? error)
    {
        trade = default;
        if (bytes.Length > 0 && bytes[0] == GridTradeLeaf.CurrentVersion)
        {
            if (!GridTradeLeaf.TryDecode(bytes, out var g, out error))
            {
                return false;
            }

            trade = new ClearedTrade(2, g.TradeId, g.IntervalStart, g.IntervalEnd, g.Buyer, g.Seller, g.BuySequence, g.SellSequence, g.EnergyWh,
                g.BuyPrice, g.BuyerAmount, g.SellPrice, g.SellerAmount, g.FeePrice, g.MeetNode);
            return true;
        }

        if (!TradeLeaf.TryDecode(bytes, out var t, out error))
        {
            return false;
        }

        trade = new ClearedTrade(1, t.TradeId, t.IntervalStart, t.IntervalEnd, t.Buyer, t.Seller, t.BuySequence, t.SellSequence, t.EnergyWh,
            t.Price, t.Amount, t.Price, t.Amount, 0, null);
        return true;
    }

    /// <summary>Decodes a trade leaf of either version.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <returns>The trade.</returns>
    /// <exception cref="LedgerFormatException">The bytes are no trade leaf.</exception>
    public static ClearedTrade Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var trade, out var error) ? trade : throw new LedgerFormatException(error!);

    /// <summary>Whether the zones' prices differ, the difference going to the network operator.</summary>
    public bool HasSplitPrices => Price != SellPrice;
}
