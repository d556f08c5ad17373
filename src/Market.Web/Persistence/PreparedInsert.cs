using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Market.Web.Persistence;

/// <summary>
/// <c>INSERT INTO t (…) VALUES (…) RETURNING id</c> for one mapped entity type, prepared once and executed per row
/// in the context's current transaction. Table, columns, quoting, parameter names and value conversions all come
/// from the EF Core model and provider, and <c>RETURNING</c> is understood by SQLite (3.35+) and PostgreSQL alike.
/// </summary>
internal sealed class PreparedInsert : IAsyncDisposable
{
    private readonly DbCommand _command;
    private readonly (IProperty Property, DbParameter Parameter)[] _columns;
    private bool _prepared;

    private PreparedInsert(DbCommand command, (IProperty, DbParameter)[] columns)
    {
        _command = command;
        _columns = columns;
    }

    /// <summary>
    /// Inserts every entity and returns their new keys in the same order. Where the provider batches commands
    /// (PostgreSQL), all rows go in one round trip; elsewhere (SQLite, in-process) the prepared command runs per row.
    /// </summary>
    public async Task<long[]> InsertManyAsync(IReadOnlyList<object> entities)
    {
        ArgumentNullException.ThrowIfNull(entities);
        var ids = new long[entities.Count];
        var connection = _command.Connection!;
        if (entities.Count < 2 || !connection.CanCreateBatch)
        {
            for (var i = 0; i < entities.Count; i++)
            {
                ids[i] = await InsertAsync(entities[i]);
            }

            return ids;
        }

        await using var batch = connection.CreateBatch();
        batch.Transaction = _command.Transaction;
        foreach (var entity in entities)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = _command.CommandText;
            foreach (var (property, parameter) in _columns)
            {
                var p = property.GetRelationalTypeMapping().CreateParameter(_command, parameter.ParameterName, ProviderValue(property, entity), property.IsNullable);
                command.Parameters.Add(p);
            }

            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync();
        for (var i = 0; i < ids.Length; i++)
        {
            if (i > 0 && !await reader.NextResultAsync())
            {
                throw new InvalidOperationException("The batch returned fewer keys than rows.");
            }

            if (!await reader.ReadAsync())
            {
                throw new InvalidOperationException("The insert returned no key.");
            }

            ids[i] = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
        }

        return ids;
    }

    private static object ProviderValue(IProperty property, object entity)
    {
        var value = property.GetGetter().GetClrValueUsingContainingEntity(entity);
        var converter = property.GetTypeMapping().Converter;
        return (value is null ? null : converter is null ? value : converter.ConvertToProvider(value)) ?? DBNull.Value;
    }

    public static PreparedInsert Create(DbContext db, Type entityType)
    {
        var entity = db.Model.FindEntityType(entityType) ?? throw new InvalidOperationException($"{entityType.Name} is not mapped.");
        var key = entity.FindPrimaryKey()!.Properties.Single();
        var sql = db.GetService<ISqlGenerationHelper>();
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction() ?? throw new InvalidOperationException("Insert only inside a transaction.");
        var columns = entity.GetProperties().Where(p => p != key).Select((p, i) =>
        {
            var name = "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var parameter = p.GetRelationalTypeMapping().CreateParameter(command, sql.GenerateParameterName(name), null, p.IsNullable);
            command.Parameters.Add(parameter);
            return (Property: p, Parameter: parameter, Placeholder: sql.GenerateParameterNamePlaceholder(name));
        }).ToArray();
        var table = sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
#pragma warning disable CA2100 // Identifiers from the model and generated parameter names only; values are parameters.
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName())))}) " +
            $"VALUES ({string.Join(", ", columns.Select(c => c.Placeholder))}) RETURNING {sql.DelimitIdentifier(key.GetColumnName())}";
#pragma warning restore CA2100
        return new PreparedInsert(command, [.. columns.Select(c => (c.Property, c.Parameter))]);
    }

    /// <summary>Inserts <paramref name="entity"/> (its key is generated) and returns the new key.</summary>
    public async Task<long> InsertAsync(object entity)
    {
        foreach (var (property, parameter) in _columns)
        {
            parameter.Value = ProviderValue(property, entity);
        }

        if (!_prepared)
        {
            await _command.PrepareAsync();
            _prepared = true;
        }

        var id = await _command.ExecuteScalarAsync() ?? throw new InvalidOperationException("The insert returned no key.");
        return Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
