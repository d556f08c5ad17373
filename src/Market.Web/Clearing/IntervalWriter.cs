using Market.Ledger;
using Market.Web.LedgerStore;
using Market.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Market.Web.Clearing;

/// <summary>What clearing decided for one order: how much it got, its new status and why (a FillReason name).</summary>
public readonly record struct OrderResultRow(long OrderId, long FilledWh, OrderStatus Status, string Outcome);

/// <summary>Everything clearing one interval writes, in the order it is written.</summary>
public sealed record IntervalRows(
    SealedBlock OrderBook,
    SealedBlock Clearing,
    ClearedIntervalEntity Summary,
    IReadOnlyList<TradeEntity> Trades,
    IReadOnlyList<OrderResultRow> Orders);

/// <summary>
/// Writes a cleared interval inside the caller's open transaction. The two block rows and the cleared-interval row
/// go through EF Core first, so the unique index on (interval, block kind) turns a second clearing into a
/// <see cref="DbUpdateException"/> before anything else is written. The bulk (block leaves, trades and the orders'
/// outcomes; several hundred thousand rows for a 100,000-order interval) goes through <see cref="BatchedStatement"/>,
/// and the postings are derived from the stored trades in one statement: EF Core's change tracking costs seconds at
/// that size. Plain SQL that SQLite and PostgreSQL both accept; names as EF Core maps them (see the migrations).
/// </summary>
public static class IntervalWriter
{
    private static readonly string[] LeafColumns = ["BlockHeight", "Index", "Data"];

    private static readonly string[] TradeColumns =
        ["Id", "IntervalStart", "BlockHeight", "LeafIndex", "BuyOrderId", "SellOrderId", "BuyerHouseholdId", "SellerHouseholdId", "EnergyWh", "Price", "Amount"];

    // Settlement from the trades just written, set-based: per trade the buyer's debit, then the seller's credit.
    // Ids come from the database, in that order (the ORDER BY feeds the insert).
    private const string PostingsFromTrades =
        "INSERT INTO \"Postings\" (\"TradeId\", \"HouseholdId\", \"Amount\") " +
        "SELECT \"TradeId\", \"HouseholdId\", \"Amount\" FROM (" +
        "SELECT \"Id\" AS \"TradeId\", \"BuyerHouseholdId\" AS \"HouseholdId\", -\"Amount\" AS \"Amount\", 0 AS \"Leg\" FROM \"Trades\" WHERE \"BlockHeight\" = @height " +
        "UNION ALL " +
        "SELECT \"Id\", \"SellerHouseholdId\", \"Amount\", 1 FROM \"Trades\" WHERE \"BlockHeight\" = @height" +
        ") AS \"p\" ORDER BY \"TradeId\", \"Leg\"";

    // A common table expression names the VALUES columns the same way on SQLite (no column list on a FROM
    // subquery) and PostgreSQL; SQLite has UPDATE … FROM since 3.33.
    private const string OutcomePrefix = "WITH \"v\"(\"Id\", \"FilledWh\", \"Status\", \"Outcome\") AS (VALUES ";
    private const string OutcomeSuffix = ") UPDATE \"Orders\" SET \"FilledWh\" = \"v\".\"FilledWh\", \"Status\" = \"v\".\"Status\", "
        + "\"Outcome\" = \"v\".\"Outcome\" FROM \"v\" WHERE \"Orders\".\"Id\" = \"v\".\"Id\"";

    /// <summary>Writes <paramref name="rows"/>; the caller commits. Throws <see cref="DbUpdateException"/> if the interval is already cleared.</summary>
    public static async Task WriteAsync(MarketDbContext db, IntervalRows rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A cleared interval is written inside the clearing transaction.");

        db.Blocks.Add(LedgerWriter.ToEntity(rows.OrderBook));
        db.Blocks.Add(LedgerWriter.ToEntity(rows.Clearing));
        db.ClearedIntervals.Add(rows.Summary);
        await db.SaveChangesAsync(cancellationToken);

        var connection = db.Database.GetDbConnection();
        await WriteLeavesAsync(connection, transaction, rows.OrderBook, cancellationToken);
        await WriteLeavesAsync(connection, transaction, rows.Clearing, cancellationToken);
        var trades = rows.Trades;
        if (connection is Npgsql.NpgsqlConnection)
        {
            await WritePostgresAsync(connection, transaction, rows, cancellationToken);
        }
        else
        {
            var budget = BatchedStatement.ParameterBudget(connection);
            await BatchedStatement.InsertAsync(connection, transaction, "Trades", TradeColumns, trades.Count, budget, (i, v) =>
            {
                var t = trades[i];
                v[0] = t.Id;
                v[1] = t.IntervalStart;
                v[2] = t.BlockHeight;
                v[3] = t.LeafIndex;
                v[4] = t.BuyOrderId;
                v[5] = t.SellOrderId;
                v[6] = t.BuyerHouseholdId;
                v[7] = t.SellerHouseholdId;
                v[8] = t.EnergyWh;
                v[9] = t.Price;
                v[10] = t.Amount;
            }, cancellationToken);
        }

        await using (var postings = connection.CreateCommand())
        {
            postings.Transaction = transaction;
            postings.CommandText = PostingsFromTrades;
            var height = postings.CreateParameter();
            height.ParameterName = "@height";
            height.Value = rows.Clearing.Header.Height;
            postings.Parameters.Add(height);
            await postings.ExecuteNonQueryAsync(cancellationToken);
        }

        var orders = rows.Orders;
        if (connection is Npgsql.NpgsqlConnection)
        {
            await PostgresBulk.UpdateOutcomesAsync(connection, transaction, orders, cancellationToken);
            return;
        }

        var batch = BatchedStatement.ParameterBudget(connection);
        await BatchedStatement.ExecuteAsync(connection, transaction, OutcomePrefix, OutcomeSuffix, 4, orders.Count, batch, (i, v) =>
        {
            var o = orders[i];
            v[0] = o.OrderId;
            v[1] = o.FilledWh;
            v[2] = (short)o.Status;
            v[3] = o.Outcome;
        }, cancellationToken);
    }

    /// <summary>PostgreSQL: each table's rows in one statement, columns as arrays.</summary>
    private static async Task WritePostgresAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, IntervalRows rows, CancellationToken cancellationToken)
    {
        var trades = rows.Trades;
        var columns = new Array[]
        {
            trades.Select(t => t.Id).ToArray(),
            trades.Select(t => t.IntervalStart).ToArray(),
            trades.Select(t => t.BlockHeight).ToArray(),
            trades.Select(t => t.LeafIndex).ToArray(),
            trades.Select(t => t.BuyOrderId).ToArray(),
            trades.Select(t => t.SellOrderId).ToArray(),
            trades.Select(t => t.BuyerHouseholdId).ToArray(),
            trades.Select(t => t.SellerHouseholdId).ToArray(),
            trades.Select(t => t.EnergyWh).ToArray(),
            trades.Select(t => t.Price).ToArray(),
            trades.Select(t => t.Amount).ToArray(),
        };
        await PostgresBulk.InsertAsync(connection, transaction, "Trades", TradeColumns, columns, cancellationToken);
    }

    /// <summary>Writes a sealed block's leaves (<c>BlockLeaves</c>) in the caller's transaction, on either engine.</summary>
    internal static async Task WriteLeavesAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, SealedBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(block);
        var height = block.Header.Height;
        var leaves = block.Leaves;
        if (connection is Npgsql.NpgsqlConnection)
        {
            var data = new byte[leaves.Count][];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = leaves.GetSpan(i).ToArray();
            }

            await PostgresBulk.InsertAsync(connection, transaction, "BlockLeaves", LeafColumns,
                [Enumerable.Repeat(height, data.Length).ToArray(), Enumerable.Range(0, data.Length).ToArray(), data], cancellationToken);
            return;
        }

        await BatchedStatement.InsertAsync(connection, transaction, "BlockLeaves", LeafColumns, leaves.Count, BatchedStatement.ParameterBudget(connection), (i, v) =>
        {
            v[0] = height;
            v[1] = i;
            v[2] = leaves.GetSpan(i).ToArray();
        }, cancellationToken);
    }
}
