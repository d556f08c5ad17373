using System.Data.Common;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Market.Web.Metering;

/// <summary>
/// Writes a reconciliation's block leaves, imbalance postings and the openings of its households' commitments inside
/// the caller's transaction, set-based on both engines (<see cref="BulkWriter"/>). The previous
/// version's postings are reversed by one <c>INSERT … SELECT</c>.
/// </summary>
internal static class ReconciliationWriter
{

    private static readonly BulkTable Postings = new("ImbalancePostings",
        BulkTable.Column<long>("IntervalStart"), BulkTable.Column<int>("Version"), BulkTable.Column<long?>("HouseholdId"), BulkTable.Column<long?>("CounterpartyHouseholdId"),
        BulkTable.Column<short>("Kind"), BulkTable.Column<long>("EnergyWh"), BulkTable.Column<long>("Amount"), BulkTable.Column<bool>("Reversal"));

    private static readonly BulkTable Openings = new("ReconciliationOpenings",
        BulkTable.Column<long>("IntervalStart"), BulkTable.Column<int>("Version"), BulkTable.Column<long>("HouseholdId"), BulkTable.Column<byte[]>("Salt"), BulkTable.Column<byte[]>("Record"));

    private const string Reverse =
        "INSERT INTO \"ImbalancePostings\" (\"IntervalStart\", \"Version\", \"HouseholdId\", \"CounterpartyHouseholdId\", \"Kind\", \"EnergyWh\", \"Amount\", \"Reversal\") " +
        "SELECT \"IntervalStart\", @version, \"HouseholdId\", \"CounterpartyHouseholdId\", \"Kind\", -\"EnergyWh\", -\"Amount\", @reversal " +
        "FROM \"ImbalancePostings\" WHERE \"IntervalStart\" = @start AND \"Version\" = @previous AND \"Reversal\" = @original ORDER BY \"Id\"";

    public static async Task WriteAsync(
        MarketDbContext db, SealedBlock block, int? previousVersion, IReadOnlyList<ImbalancePostingEntity> rows, IReadOnlyList<ReconciliationOpeningEntity> openings, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A reconciliation is written inside its sealing transaction.");
        if (previousVersion is int previous)
        {
            await using var reverse = connection.CreateCommand();
            reverse.Transaction = transaction;
            reverse.CommandText = Reverse;
            Add(reverse, "@version", previous + 1);
            Add(reverse, "@reversal", true);
            Add(reverse, "@start", block.Header.IntervalStart);
            Add(reverse, "@previous", previous);
            Add(reverse, "@original", false);
            await reverse.ExecuteNonQueryAsync(cancellationToken);
        }

        await LedgerWriter.WriteLeavesAsync(connection, transaction, block, cancellationToken);
        await BulkWriter.InsertAsync(connection, transaction, Postings, rows.Count, (i, v) =>
        {
            var r = rows[i];
            v[0] = r.IntervalStart;
            v[1] = r.Version;
            v[2] = r.HouseholdId;
            v[3] = r.CounterpartyHouseholdId;
            v[4] = (short)r.Kind;
            v[5] = r.EnergyWh;
            v[6] = r.Amount;
            v[7] = r.Reversal;
        }, cancellationToken);
        await BulkWriter.InsertAsync(connection, transaction, Openings, openings.Count, (i, v) =>
        {
            var o = openings[i];
            v[0] = o.IntervalStart;
            v[1] = o.Version;
            v[2] = o.HouseholdId;
            v[3] = o.Salt;
            v[4] = o.Record;
        }, cancellationToken);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
