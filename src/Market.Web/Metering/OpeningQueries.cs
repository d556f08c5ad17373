using System.Text;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Metering;

/// <summary>
/// The openings of households' commitments in reconciliation blocks (docs/adr/0020), as an openings file
/// (<see cref="OpeningsFile"/>): a household's own, or every household's for an authorised auditor. They reveal
/// meter values, so they are never public; the ledger holds only the commitments.
/// </summary>
public sealed class OpeningQueries(IDbContextFactory<MarketDbContext> dbFactory)
{
    /// <summary>Writes the openings of every reconciliation version of the intervals starting in <c>[from, to)</c>
    /// (Unix seconds): of one household, or of all when <paramref name="householdId"/> is null. Streams: an
    /// auditor's range can be large.</summary>
    public async Task WriteAsync(Stream destination, long? householdId, long from, long to, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ReconciliationOpenings.AsNoTracking().Where(o => o.IntervalStart >= from && o.IntervalStart < to);
        if (householdId is { } id)
        {
            query = query.Where(o => o.HouseholdId == id);
        }

        await using var writer = new StreamWriter(destination, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        await writer.WriteLineAsync(OpeningsFile.FormatLine);
        var rows = query.OrderBy(o => o.IntervalStart).ThenBy(o => o.Version).ThenBy(o => o.HouseholdId).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            // Stored as sealed; a row that no longer decodes was changed behind the append-only triggers.
            var opening = HouseholdSettlement.TryDecode(row.Record, out var record, out var error)
                ? new ReconciliationOpening(row.Salt, record)
                : throw new InvalidOperationException($"Opening {row.Id} is not a settlement record: {error}");
            await writer.WriteLineAsync(OpeningsFile.Line(opening));
        }
    }
}
