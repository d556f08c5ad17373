namespace Market.Ledger;

/// <summary>What an imbalance entry of a household settles, seen from that household.</summary>
public enum ImbalanceEntryKind : byte
{
    /// <summary>The household's shortfall was covered by the counterparty (a neighbour); the household paid at the local price.</summary>
    CoveredByNeighbour = 1,

    /// <summary>The household's surplus covered the counterparty (a neighbour); the household was paid at the local price.</summary>
    ProvidedToNeighbour = 2,

    /// <summary>The household bought its residual shortfall from the utility at the retail price.</summary>
    BoughtFromUtility = 3,

    /// <summary>The utility took the household's residual surplus at the feed-in tariff.</summary>
    SoldToUtility = 4,
}
