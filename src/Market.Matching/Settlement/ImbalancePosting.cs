namespace Market.Matching.Settlement;

/// <summary>What an imbalance posting settles.</summary>
public enum PostingKind : byte
{
    /// <summary>A short household receives a long neighbour's surplus at the local price.</summary>
    NeighbourCover = 1,

    /// <summary>A short household buys its residual shortfall from the utility at the retail price.</summary>
    UtilityPurchase = 2,

    /// <summary>The utility takes a long household's residual surplus at the feed-in tariff.</summary>
    UtilityFeedIn = 3,
}

/// <summary>
/// One double-entry posting: <see cref="Payer"/> receives <see cref="EnergyWh"/> from <see cref="Payee"/> and pays
/// it <see cref="Amount"/>. Energy always flows payee → payer and money payer → payee.
/// </summary>
/// <param name="Payer">The paying account: a household's input position, or <see cref="Utility"/>.</param>
/// <param name="Payee">The paid account: a household's input position, or <see cref="Utility"/>.</param>
/// <param name="Kind">What is settled.</param>
/// <param name="EnergyWh">Energy in Wh (positive).</param>
/// <param name="Amount">Money in 1/10,000 of the currency: <c>EnergyWh × price / 1000</c> rounded half up, with the
/// price of the kind (local, retail or feed-in).</param>
public readonly record struct ImbalancePosting(int Payer, int Payee, PostingKind Kind, long EnergyWh, long Amount)
{
    /// <summary>The account number of the utility in <see cref="Payer"/> and <see cref="Payee"/>.</summary>
    public const int Utility = -1;
}
