using System.Data.Common;
using Npgsql;

namespace Market.Web.Clearing;

/// <summary>
/// PostgreSQL's way to write many rows in one statement: each column travels as one array parameter and
/// <c>unnest</c> turns the arrays back into rows. One round trip and one plan per table instead of one per few
/// hundred rows; for the orders' outcomes it also lets the planner join the whole interval at once.
/// </summary>
internal static class PostgresBulk
{
    /// <summary><c>INSERT INTO "table" (columns) SELECT * FROM unnest(arrays)</c>; arrays in column order, equally long.</summary>
    public static async Task InsertAsync(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, IReadOnlyList<Array> arrays, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", columns.Select(c => "\"" + c + "\""));
        var parameters = string.Join(", ", Enumerable.Range(0, arrays.Count).Select(i => "@a" + i));
        await using var command = Command(connection, transaction, $"INSERT INTO \"{table}\" ({names}) SELECT * FROM unnest({parameters})", arrays);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Sets each order's fill, status and outcome in one statement.</summary>
    public static async Task UpdateOutcomesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<OrderResultRow> orders, CancellationToken cancellationToken)
    {
        var ids = new long[orders.Count];
        var filled = new long[orders.Count];
        var status = new short[orders.Count];
        var outcome = new string[orders.Count];
        for (var i = 0; i < orders.Count; i++)
        {
            ids[i] = orders[i].OrderId;
            filled[i] = orders[i].FilledWh;
            status[i] = (short)orders[i].Status;
            outcome[i] = orders[i].Outcome;
        }

        const string sql = "UPDATE \"Orders\" SET \"FilledWh\" = \"v\".\"f\", \"Status\" = \"v\".\"s\", \"Outcome\" = \"v\".\"o\" " +
            "FROM unnest(@a0, @a1, @a2, @a3) AS \"v\"(\"id\", \"f\", \"s\", \"o\") WHERE \"Orders\".\"Id\" = \"v\".\"id\"";
        await using var command = Command(connection, transaction, sql, [ids, filled, status, outcome]);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(DbConnection connection, DbTransaction transaction, string sql, IReadOnlyList<Array> arrays)
    {
        var command = new NpgsqlCommand(sql, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        for (var i = 0; i < arrays.Count; i++)
        {
            command.Parameters.Add(new NpgsqlParameter("a" + i, arrays[i]));
        }

        return command;
    }
}
