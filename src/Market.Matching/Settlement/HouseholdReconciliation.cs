namespace Market.Matching.Settlement;

/// <summary>
/// One household's reconciliation for one interval: its imbalance by kind (energy and money), the local/grid split
/// of its metered import and export, and what it paid and earned against a grid-only household.
/// </summary>
/// <remarks>
/// A short household has only <see cref="CoveredByNeighbours"/> and <see cref="BoughtFromUtility"/> (they add up to
/// its shortfall); a long one only <see cref="ProvidedToNeighbours"/> and <see cref="SoldToUtility"/> (they add up
/// to its surplus); a household without deviation has none. Money is in 1/10,000 of the currency.
/// </remarks>
public sealed record HouseholdReconciliation
{
    /// <summary>
    /// A household's outcome from what its imbalance postings settled (rule 6 of docs/settlement.md): the local/grid
    /// split of its metered energy and its grid-only alternative. <see cref="Reconciliation.Reconcile"/> builds every
    /// household through this, and so does anything that rebuilds an outcome from stored postings, so the split has
    /// one definition.
    /// </summary>
    /// <param name="household">The household's position in the input.</param>
    /// <param name="position">Trades and meter reading of the interval.</param>
    /// <param name="prices">The interval's prices (only retail and feed-in are used here).</param>
    /// <param name="covered">Shortfall covered by neighbours, Wh and what was paid for it.</param>
    /// <param name="fromUtility">Shortfall bought from the utility at retail.</param>
    /// <param name="provided">Surplus provided to neighbours, Wh and what was received for it.</param>
    /// <param name="toUtility">Surplus taken by the utility at feed-in.</param>
    [System.Diagnostics.Contracts.Pure]
    public static HouseholdReconciliation FromSettled(
        int household,
        HouseholdPosition position,
        IntervalPrices prices,
        EnergyAmount covered,
        EnergyAmount fromUtility,
        EnergyAmount provided,
        EnergyAmount toUtility)
    {
        var importGrid = Math.Min(position.ImportWh, fromUtility.EnergyWh);
        var exportGrid = Math.Min(position.ExportWh, toUtility.EnergyWh);
        return new HouseholdReconciliation
        {
            Household = household,
            Position = position,
            CoveredByNeighbours = covered,
            BoughtFromUtility = fromUtility,
            ProvidedToNeighbours = provided,
            SoldToUtility = toUtility,
            Import = new LocalGridSplit(position.ImportWh - importGrid, importGrid),
            Export = new LocalGridSplit(position.ExportWh - exportGrid, exportGrid),
            GridOnlyNetAmount = Reconciliation.Amount(position.ExportWh, prices.FeedInTariff) - Reconciliation.Amount(position.ImportWh, prices.RetailPrice),
        };
    }

    /// <summary>The household's position in the input.</summary>
    public required int Household { get; init; }

    /// <summary>The input the reconciliation used.</summary>
    public required HouseholdPosition Position { get; init; }

    /// <summary>Deviation <c>(export − import) − (sold − bought)</c>, Wh.</summary>
    public long DeviationWh => Position.DeviationWh;

    /// <summary>Shortfall covered by neighbours' surplus, paid at the local price.</summary>
    public required EnergyAmount CoveredByNeighbours { get; init; }

    /// <summary>Residual shortfall bought from the utility at the retail price.</summary>
    public required EnergyAmount BoughtFromUtility { get; init; }

    /// <summary>Surplus provided to short neighbours, paid at the local price.</summary>
    public required EnergyAmount ProvidedToNeighbours { get; init; }

    /// <summary>Residual surplus taken by the utility at the feed-in tariff.</summary>
    public required EnergyAmount SoldToUtility { get; init; }

    /// <summary>Metered import split: grid = <c>min(import, bought from utility)</c>, local = the rest.</summary>
    public required LocalGridSplit Import { get; init; }

    /// <summary>Metered export split: grid = <c>min(export, sold to utility)</c>, local = the rest.</summary>
    public required LocalGridSplit Export { get; init; }

    /// <summary>Paid to neighbours: the trades' <see cref="HouseholdPosition.BoughtAmount"/> plus neighbour cover.</summary>
    public long LocalCost => Position.BoughtAmount + CoveredByNeighbours.Amount;

    /// <summary>Paid to the utility (retail purchases, also those covering a sale).</summary>
    public long GridCost => BoughtFromUtility.Amount;

    /// <summary>Earned from neighbours: the trades' <see cref="HouseholdPosition.SoldAmount"/> plus surplus provided.</summary>
    public long LocalEarnings => Position.SoldAmount + ProvidedToNeighbours.Amount;

    /// <summary>Earned from the utility (feed-in).</summary>
    public long GridEarnings => SoldToUtility.Amount;

    /// <summary>Earnings minus costs for the interval (negative: the household paid on balance).</summary>
    public long NetAmount => LocalEarnings + GridEarnings - LocalCost - GridCost;

    /// <summary>Earnings minus costs without the community: all export at the feed-in tariff, all import at retail.</summary>
    public required long GridOnlyNetAmount { get; init; }

    /// <summary><see cref="NetAmount"/> − <see cref="GridOnlyNetAmount"/>: what the community saved or earned the household.</summary>
    public long Savings => NetAmount - GridOnlyNetAmount;

    /// <summary>What the imbalance postings moved for this household: received minus paid.</summary>
    public long ImbalanceNetAmount => ProvidedToNeighbours.Amount + SoldToUtility.Amount - CoveredByNeighbours.Amount - BoughtFromUtility.Amount;
}
