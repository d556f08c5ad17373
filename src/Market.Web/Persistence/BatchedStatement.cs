using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Market.Web.Persistence;

/// <summary>Fills the values of one row: <paramref name="values"/> has one slot per column, in column order.</summary>
public delegate void RowValues(int row, object?[] values);

/// <summary>
/// Runs one SQL statement over many rows, a few hundred rows per execution: <c>prefix (@p0,@p1),(@p2,@p3)… suffix</c>.
/// Plain ADO.NET on the caller's connection and transaction, so it works the same on SQLite and PostgreSQL (both take
/// <c>@name</c> parameters, double-quoted identifiers, multi-row <c>VALUES</c> and <c>UPDATE … FROM</c>). The
/// full-size command is prepared once and reused; only the last, shorter batch gets a command of its own.
/// </summary>
public static class BatchedStatement
{
    /// <summary>
    /// A parameter budget per statement for servers such as PostgreSQL (limit 65,535; SQLite's is 32,766). Beyond a
    /// few hundred rows a statement gets no faster, only its compilation slower.
    /// </summary>
    public const int ServerParameters = 30_000;

    /// <summary>
    /// The budget for SQLite: Microsoft.Data.Sqlite binds every parameter by name, and SQLite finds a name by a linear
    /// search, so binding costs grow with the square of the parameters per statement. With 128 the 100,000-order
    /// clearing spent the least processor time (64 and 512 were close; 1,024 cost twice as much; 30,000 ten times).
    /// </summary>
    public const int SqliteParameters = 128;

    private const int MaxRows = 400;

    /// <summary>Rows per execution for <paramref name="columns"/> values per row within <paramref name="maxParameters"/>.</summary>
    public static int RowsPerStatement(int columns, int maxParameters) => Math.Max(1, Math.Min(MaxRows, maxParameters / columns));

    /// <summary>Parameters per statement for <paramref name="connection"/>'s provider.</summary>
    public static int ParameterBudget(DbConnection connection) =>
        connection is Microsoft.Data.Sqlite.SqliteConnection ? SqliteParameters : ServerParameters;

    /// <summary><c>INSERT INTO "table" ("c1","c2",…) VALUES</c> for <paramref name="rowCount"/> rows.</summary>
    public static Task InsertAsync(
        DbConnection connection,
        DbTransaction? transaction,
        string table,
        IReadOnlyList<string> columns,
        int rowCount,
        int maxParameters,
        RowValues values,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var prefix = $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(Quote))}) VALUES ";
        return ExecuteAsync(connection, transaction, prefix, "", columns.Count, rowCount, maxParameters, values, cancellationToken);
    }

    /// <summary>
    /// Runs <c>prefix</c> + the rows as a comma-separated list of parenthesised tuples + <c>suffix</c>, once per batch
    /// of rows, all with the same transaction.
    /// </summary>
    public static async Task ExecuteAsync(
        DbConnection connection,
        DbTransaction? transaction,
        string prefix,
        string suffix,
        int columns,
        int rowCount,
        int maxParameters,
        RowValues values,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        var perStatement = RowsPerStatement(columns, maxParameters);
        var row = new object?[columns];
        var done = 0;
        DbCommand? full = null;
        DbParameter[] fullParameters = [];
        var prepared = false;
        try
        {
            while (done < rowCount)
            {
                var rows = Math.Min(perStatement, rowCount - done);
                DbCommand command;
                DbParameter[] parameters;
                if (rows == perStatement)
                {
                    if (full is null)
                    {
                        (full, fullParameters) = Create(connection, transaction, prefix, suffix, columns, rows);
                    }

                    (command, parameters) = (full, fullParameters);
                }
                else
                {
                    (command, parameters) = Create(connection, transaction, prefix, suffix, columns, rows);
                }

                try
                {
                    for (var r = 0; r < rows; r++)
                    {
                        values(done + r, row);
                        for (var c = 0; c < columns; c++)
                        {
                            parameters[(r * columns) + c].Value = row[c] ?? DBNull.Value;
                        }
                    }

                    if (command == full && !prepared)
                    {
                        // Prepared once its parameters have values, so a provider can infer their types.
                        await full.PrepareAsync(cancellationToken);
                        prepared = true;
                    }

                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                finally
                {
                    if (command != full)
                    {
                        await command.DisposeAsync();
                    }
                }

                done += rows;
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    /// <summary>An identifier in double quotes, as both SQLite and PostgreSQL accept it (EF Core's names are mixed case).</summary>
    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static (DbCommand Command, DbParameter[] Parameters) Create(
        DbConnection connection, DbTransaction? transaction, string prefix, string suffix, int columns, int rows)
    {
        var text = new StringBuilder(prefix, prefix.Length + suffix.Length + (rows * columns * 9));
        var parameters = new DbParameter[rows * columns];
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns; c++)
            {
                var index = (r * columns) + c;
                var name = "@p" + index.ToString(CultureInfo.InvariantCulture);
                text.Append(c == 0 ? "" : ", ").Append(name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameters[index] = parameter;
                command.Parameters.Add(parameter);
            }

            text.Append(')');
        }

        command.CommandText = text.Append(suffix).ToString();
        return (command, parameters);
    }
}
