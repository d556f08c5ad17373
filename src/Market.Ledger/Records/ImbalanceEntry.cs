namespace Market.Ledger;

/// <summary>One imbalance posting as a household's reconciliation record holds it (33 bytes:
/// <c>kind u8 | counterparty [16] | energy Wh i64 | amount i64</c>).</summary>
/// <param name="Kind">What is settled.</param>
/// <param name="Counterparty">The neighbour; <see cref="Utility"/> (16 zero bytes) for the utility kinds.</param>
/// <param name="EnergyWh">Energy in Wh (positive).</param>
/// <param name="Amount">Money in 1/10,000 of the currency: <see cref="Money.Amount"/> at the kind's price.</param>
public readonly record struct ImbalanceEntry(ImbalanceEntryKind Kind, PartyId Counterparty, long EnergyWh, long Amount)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 33;

    /// <summary>The utility's account in <see cref="Counterparty"/>: 16 zero bytes (never a household).</summary>
    public static PartyId Utility => default;

    /// <summary>Whether the household pays in this entry (cover by a neighbour, purchase from the utility).</summary>
    public bool HouseholdPays => Kind is ImbalanceEntryKind.CoveredByNeighbour or ImbalanceEntryKind.BoughtFromUtility;
}
