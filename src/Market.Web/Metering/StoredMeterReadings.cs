using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Metering;

/// <summary>
/// The readings as the database holds them now, for <see cref="ChainVerifier"/>: every reading hash sealed in a
/// reconciliation block must still match its row, so a reading changed after sealing is caught.
/// </summary>
public sealed class StoredMeterReadings : IMeterReadingSource
{
    private readonly Dictionary<(PartyId Household, long Start, int Version), MeterReading> _readings;

    private StoredMeterReadings(Dictionary<(PartyId, long, int), MeterReading> readings) => _readings = readings;

    /// <summary>Loads every reading version.</summary>
    public static async Task<StoredMeterReadings> LoadAsync(MarketDbContext db, MarketClock clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var pseudonyms = await db.Households.AsNoTracking().ToDictionaryAsync(h => h.Id, h => PartyId.FromBytes(h.Pseudonym), cancellationToken);
        var readings = new Dictionary<(PartyId, long, int), MeterReading>();
        await foreach (var r in db.MeterReadings.AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var household = pseudonyms[r.HouseholdId];
            readings[(household, r.IntervalStart, r.Version)] =
                new MeterReading(household, r.IntervalStart, clock.Next(r.IntervalStart), r.Version, r.MeterId, r.ExportWh, r.ImportWh);
        }

        return new StoredMeterReadings(readings);
    }

    /// <summary>Which of <paramref name="households"/> have a reading (any version) for which interval in <c>[from, to]</c>.</summary>
    public static async Task<HashSet<(long HouseholdId, long IntervalStart)>> ReadIntervalsAsync(
        MarketDbContext db, IReadOnlyCollection<long> households, long from, long to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return (await db.MeterReadings.AsNoTracking()
            .Where(r => households.Contains(r.HouseholdId) && r.IntervalStart >= from && r.IntervalStart <= to)
            .Select(r => new { r.HouseholdId, r.IntervalStart })
            .Distinct()
            .ToListAsync(cancellationToken))
            .Select(r => (r.HouseholdId, r.IntervalStart))
            .ToHashSet();
    }

    /// <inheritdoc />
    public MeterReading? Find(PartyId household, long intervalStart, long intervalEnd, int readingVersion) =>
        _readings.TryGetValue((household, intervalStart, readingVersion), out var reading) ? reading : null;
}
