using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Market.Web.Clearing;

/// <summary>
/// What clearing decided for one order: how much it got, its new status and why (a FillReason name), and under the
/// grid's mechanism the line whose limit cut it and its zone's price.
/// </summary>
public readonly record struct OrderResultRow(long OrderId, long FilledWh, OrderStatus Status, string Outcome, int? LimitingNode = null, long? ZonePrice = null);

/// <summary>Everything clearing one interval writes, in the order it is written.</summary>
public sealed record IntervalRows(
    SealedBlock OrderBook,
    SealedBlock Clearing,
    ClearedIntervalEntity Summary,
    IReadOnlyList<TradeEntity> Trades,
    IReadOnlyList<OrderResultRow> Orders)
{
    /// <summary>The household block sealed just before the order book, if records were waiting.</summary>
    public SealedBlock? Households { get; init; }

    /// <summary>Under the grid's mechanism: the interval's grid-limits block, sealed just before the order book.</summary>
    public SealedBlock? GridLimits { get; init; }

    /// <summary>Under the grid's mechanism: the network's nodes after the clearing (see <see cref="GridNodeResultEntity"/>).</summary>
    public IReadOnlyList<GridNodeResultEntity> GridNodes { get; init; } = [];
}

/// <summary>
/// Writes a cleared interval inside the caller's open transaction. The two block rows and the cleared-interval row
/// go through EF Core first, so the unique index on (interval, block kind) turns a second clearing into a
/// <see cref="DbUpdateException"/> before anything else is written. The bulk (block leaves, trades and the orders'
/// outcomes; several hundred thousand rows for a 100,000-order interval) goes through <see cref="BulkWriter"/>,
/// and the postings are derived from the stored trades in one statement. Names as EF Core maps them.
/// </summary>
public static class IntervalWriter
{
    private static readonly BulkTable Trades = new("Trades",
        BulkTable.Column<long>("Id"), BulkTable.Column<long>("IntervalStart"), BulkTable.Column<long>("BlockHeight"), BulkTable.Column<int>("LeafIndex"),
        BulkTable.Column<long>("BuyOrderId"), BulkTable.Column<long>("SellOrderId"), BulkTable.Column<long>("BuyerHouseholdId"), BulkTable.Column<long>("SellerHouseholdId"),
        BulkTable.Column<long>("EnergyWh"), BulkTable.Column<long>("Price"), BulkTable.Column<long>("Amount"),
        BulkTable.Column<long>("SellPrice"), BulkTable.Column<long>("SellAmount"), BulkTable.Column<long>("FeePrice"), BulkTable.Column<int?>("MeetNode"));

    private static readonly BulkTable GridNodes = new("GridNodeResults",
        BulkTable.Column<long>("IntervalStart"), BulkTable.Column<int>("Node"), BulkTable.Column<int>("Parent"), BulkTable.Column<string>("NodeId"),
        BulkTable.Column<short>("Kind"), BulkTable.Column<long>("ZonePrice"), BulkTable.Column<long>("FlowWh"), BulkTable.Column<long?>("ExportLimitWh"),
        BulkTable.Column<long?>("ImportLimitWh"), BulkTable.Column<bool>("FromEnvelope"), BulkTable.Column<string>("EventId"), BulkTable.Column<short>("State"));

    // Found by the first column; the others are set.
    private static readonly BulkTable Outcomes = new("Orders",
        BulkTable.Column<long>("Id"), BulkTable.Column<long>("FilledWh"), BulkTable.Column<short>("Status"), BulkTable.Column<string>("Outcome"),
        BulkTable.Column<int?>("LimitingNode"), BulkTable.Column<long?>("ZonePrice"));

    // Settlement from the trades just written, set-based: per trade the buyer's debit, then the seller's credit, then
    // (under the grid's mechanism, when the zone prices differ) the network operator's share: fees and congestion rent.
    // The three sum to zero. Ids come from the database, in that order (the ORDER BY feeds the insert).
    private const string PostingsFromTrades =
        "INSERT INTO \"Postings\" (\"TradeId\", \"HouseholdId\", \"Amount\") " +
        "SELECT \"TradeId\", \"HouseholdId\", \"Amount\" FROM (" +
        "SELECT \"Id\" AS \"TradeId\", \"BuyerHouseholdId\" AS \"HouseholdId\", -\"Amount\" AS \"Amount\", 0 AS \"Leg\" FROM \"Trades\" WHERE \"BlockHeight\" = @height " +
        "UNION ALL " +
        "SELECT \"Id\", \"SellerHouseholdId\", \"SellAmount\", 1 FROM \"Trades\" WHERE \"BlockHeight\" = @height " +
        "UNION ALL " +
        "SELECT \"Id\", 0, \"Amount\" - \"SellAmount\", 2 FROM \"Trades\" WHERE \"BlockHeight\" = @height AND \"Amount\" <> \"SellAmount\"" +
        ") AS \"p\" ORDER BY \"TradeId\", \"Leg\"";

    /// <summary>Writes <paramref name="rows"/>; the caller commits. Throws <see cref="DbUpdateException"/> if the interval is already cleared.</summary>
    public static async Task WriteAsync(MarketDbContext db, IntervalRows rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A cleared interval is written inside the clearing transaction.");

        if (rows.Households is { } households)
        {
            db.Blocks.Add(LedgerWriter.ToEntity(households));
        }

        if (rows.GridLimits is { } gridLimits)
        {
            db.Blocks.Add(LedgerWriter.ToEntity(gridLimits));
        }

        db.Blocks.Add(LedgerWriter.ToEntity(rows.OrderBook));
        db.Blocks.Add(LedgerWriter.ToEntity(rows.Clearing));
        db.ClearedIntervals.Add(rows.Summary);
        await db.SaveChangesAsync(cancellationToken);

        var connection = db.Database.GetDbConnection();
        if (rows.Households is { } sealedRecords)
        {
            await LedgerWriter.WriteLeavesAsync(connection, transaction, sealedRecords, cancellationToken);
            var height = sealedRecords.Header.Height;
            var last = HouseholdRecord.Decode(sealedRecords.Leaves.GetSpan(sealedRecords.Leaves.Count - 1)).Sequence;
            await db.HouseholdRecords.Where(r => r.BlockHeight == null && r.Id <= last)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.BlockHeight, height), cancellationToken);
        }

        if (rows.GridLimits is { } limits)
        {
            await LedgerWriter.WriteLeavesAsync(connection, transaction, limits, cancellationToken);
        }

        await LedgerWriter.WriteLeavesAsync(connection, transaction, rows.OrderBook, cancellationToken);
        await LedgerWriter.WriteLeavesAsync(connection, transaction, rows.Clearing, cancellationToken);
        var trades = rows.Trades;
        await BulkWriter.InsertAsync(connection, transaction, Trades, trades.Count, (i, v) =>
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
            v[11] = t.SellPrice;
            v[12] = t.SellAmount;
            v[13] = t.FeePrice;
            v[14] = t.MeetNode;
        }, cancellationToken);

        var nodes = rows.GridNodes;
        await BulkWriter.InsertAsync(connection, transaction, GridNodes, nodes.Count, (i, v) =>
        {
            var n = nodes[i];
            v[0] = n.IntervalStart;
            v[1] = n.Node;
            v[2] = n.Parent;
            v[3] = n.NodeId;
            v[4] = (short)n.Kind;
            v[5] = n.ZonePrice;
            v[6] = n.FlowWh;
            v[7] = n.ExportLimitWh;
            v[8] = n.ImportLimitWh;
            v[9] = n.FromEnvelope;
            v[10] = n.EventId;
            v[11] = (short)n.State;
        }, cancellationToken);

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
        await BulkWriter.UpdateAsync(connection, transaction, Outcomes, orders.Count, (i, v) =>
        {
            var o = orders[i];
            v[0] = o.OrderId;
            v[1] = o.FilledWh;
            v[2] = (short)o.Status;
            v[3] = o.Outcome;
            v[4] = o.LimitingNode;
            v[5] = o.ZonePrice;
        }, cancellationToken);
    }
}
