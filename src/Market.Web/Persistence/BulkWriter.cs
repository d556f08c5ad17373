using System.Data.Common;
using Npgsql;

namespace Market.Web.Persistence;

/// <summary>A column of a bulk write: its name as EF Core maps it, and the CLR type of its values.</summary>
public readonly record struct BulkColumn(string Name, Type Type);

/// <summary>A table and the columns a bulk write fills, in the order <see cref="RowValues"/> fills them.</summary>
public sealed class BulkTable
{
    public BulkTable(string name, params BulkColumn[] columns)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfZero(columns.Length);
        Name = name;
        Columns = columns;
        ColumnNames = [.. columns.Select(c => c.Name)];
    }

    public string Name { get; }

    public IReadOnlyList<BulkColumn> Columns { get; }

    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>A column of <typeparamref name="T"/>.</summary>
    public static BulkColumn Column<T>(string name) => new(name, typeof(T));
}

/// <summary>
/// Writes many rows in the caller's transaction, the way each engine does it best: on SQLite multi-row statements of a
/// few hundred rows (<see cref="BatchedStatement"/>), on PostgreSQL one statement per table whose columns travel as
/// array parameters that <c>unnest</c> turns back into rows (one round trip, one plan). Clearing, reconciliation and
/// the readings import all write through here; EF Core's change tracking costs seconds at their sizes.
/// </summary>
public static class BulkWriter
{
    // One PostgreSQL statement per this many rows: no array parameter beyond a few megabytes.
    private const int PostgresChunk = 100_000;

    /// <summary><c>INSERT INTO table (columns)</c> the <paramref name="rowCount"/> rows <paramref name="values"/> fills.</summary>
    public static async Task InsertAsync(DbConnection connection, DbTransaction transaction, BulkTable table, int rowCount, RowValues values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        if (connection is not NpgsqlConnection)
        {
            await BatchedStatement.InsertAsync(connection, transaction, table.Name, table.ColumnNames, rowCount, BatchedStatement.ParameterBudget(connection), values, cancellationToken);
            return;
        }

        var names = string.Join(", ", table.ColumnNames.Select(BatchedStatement.Quote));
        var sql = $"INSERT INTO {BatchedStatement.Quote(table.Name)} ({names}) SELECT * FROM unnest({Parameters(table.Columns.Count)})";
        await ExecutePostgresAsync(connection, transaction, sql, table, rowCount, values, cancellationToken);
    }

    /// <summary>
    /// <c>UPDATE table SET column = value …</c> for each row <paramref name="values"/> fills, found by its first column
    /// (the key); every other column is set.
    /// </summary>
    public static async Task UpdateAsync(DbConnection connection, DbTransaction transaction, BulkTable table, int rowCount, RowValues values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        var quoted = table.ColumnNames.Select(BatchedStatement.Quote).ToArray();
        var target = BatchedStatement.Quote(table.Name);
        var set = string.Join(", ", quoted.Skip(1).Select(c => $"{c} = \"v\".{c}"));
        var where = $"{target}.{quoted[0]} = \"v\".{quoted[0]}";
        if (connection is not NpgsqlConnection)
        {
            // A common table expression names the VALUES columns (SQLite has no column list on a FROM subquery) and
            // SQLite has UPDATE … FROM since 3.33.
            var prefix = $"WITH \"v\"({string.Join(", ", quoted)}) AS (VALUES ";
            var suffix = $") UPDATE {target} SET {set} FROM \"v\" WHERE {where}";
            await BatchedStatement.ExecuteAsync(connection, transaction, prefix, suffix, quoted.Length, rowCount, BatchedStatement.ParameterBudget(connection), values, cancellationToken);
            return;
        }

        var sql = $"UPDATE {target} SET {set} FROM unnest({Parameters(quoted.Length)}) AS \"v\"({string.Join(", ", quoted)}) WHERE {where}";
        await ExecutePostgresAsync(connection, transaction, sql, table, rowCount, values, cancellationToken);
    }

    private static string Parameters(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => "@a" + i));

    private static async Task ExecutePostgresAsync(DbConnection connection, DbTransaction transaction, string sql, BulkTable table, int rowCount, RowValues values, CancellationToken cancellationToken)
    {
        var row = new object?[table.Columns.Count];
        for (var offset = 0; offset < rowCount; offset += PostgresChunk)
        {
            var rows = Math.Min(PostgresChunk, rowCount - offset);
            var arrays = table.Columns.Select(c => Array.CreateInstance(c.Type, rows)).ToArray();
            var writers = arrays.Select(Writer).ToArray();
            for (var r = 0; r < rows; r++)
            {
                values(offset + r, row);
                for (var c = 0; c < writers.Length; c++)
                {
                    writers[c](r, row[c]);
                }
            }

            await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
            for (var c = 0; c < arrays.Length; c++)
            {
                command.Parameters.Add(new NpgsqlParameter("a" + c, arrays[c]));
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    // The common column types without boxing through Array.SetValue; anything else through it.
    private static Action<int, object?> Writer(Array array) => array switch
    {
        long[] longs => (i, v) => longs[i] = (long)v!,
        int[] ints => (i, v) => ints[i] = (int)v!,
        short[] shorts => (i, v) => shorts[i] = (short)v!,
        string[] strings => (i, v) => strings[i] = (string)v!,
        byte[][] blobs => (i, v) => blobs[i] = (byte[])v!,
        _ => (i, v) => array.SetValue(v, i),
    };
}
