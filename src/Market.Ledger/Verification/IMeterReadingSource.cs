namespace Market.Ledger;

/// <summary>
/// The meter readings a verifier can look up (the operator's or a household's records; the export does not carry
/// them). With a source, <see cref="ChainVerifier"/> confirms every reading hash sealed in reconciliation blocks.
/// </summary>
public interface IMeterReadingSource
{
    /// <summary>The reading of a household, interval and reading version, or null when there is none.</summary>
    /// <param name="household">The household.</param>
    /// <param name="intervalStart">Interval start, Unix seconds.</param>
    /// <param name="intervalEnd">Interval end, Unix seconds.</param>
    /// <param name="readingVersion">The reading version the reconciliation names.</param>
    /// <returns>The reading, or null.</returns>
    MeterReading? Find(PartyId household, long intervalStart, long intervalEnd, int readingVersion);
}
