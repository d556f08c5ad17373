using System.ComponentModel.DataAnnotations;

namespace Market.Web.Metering;

/// <summary>How far meter readings are trusted before a person looks at them. Bound from the <c>Metering</c> section
/// (docs/adr/0021-meter-readings-bounds.md).</summary>
public sealed class MeteringOptions
{
    public const string Section = "Metering";

    /// <summary>
    /// How far a reading may exceed what the connection can carry in its interval, in percent: import up to
    /// <c>MaxImportW × interval × (100 + tolerance) / 100</c>, export up to the same with <c>PvPeakW</c>. Meters and
    /// declared ratings are not exact (a 10 kWp array on a cold, clear day gives a few percent more); a reading beyond
    /// the tolerance is refused.
    /// </summary>
    [Range(0, 1000)]
    public int ReadingTolerancePercent { get; set; } = 10;

    /// <summary>
    /// A correction (a reading for an interval that is already reconciled) that would move any household's imbalance
    /// settlement of that interval by more than this, in 1/10,000 of the community's currency, waits for an
    /// operator's confirmation instead of being sealed. 0: every correction that moves money waits.
    /// </summary>
    [Range(0, 1_000_000_000_000)]
    public long ConfirmCorrectionsAbove { get; set; } = 5_000;
}
