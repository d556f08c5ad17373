using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Market.Web.Persistence;

/// <summary>
/// Shows every failure of a command, a commit, a connection or a save that EF Core runs to
/// <see cref="StorageHealth"/>, so a storage fault is noticed whichever feature met it, also where the feature
/// handles the failure itself. Plain ADO.NET commands on the context's connection (the bulk writers) are not seen
/// here; their callers report what reaches them.
/// </summary>
public sealed class StorageFaultInterceptor(StorageHealth health) : IDbCommandInterceptor, IDbTransactionInterceptor, IDbConnectionInterceptor, ISaveChangesInterceptor
{
    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => health.Observe(eventData.Exception);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        health.Observe(eventData.Exception);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => health.Observe(eventData.Exception);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        health.Observe(eventData.Exception);
        return Task.CompletedTask;
    }

    public void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => health.Observe(eventData.Exception);

    public Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        health.Observe(eventData.Exception);
        return Task.CompletedTask;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => health.Observe(eventData.Exception);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        health.Observe(eventData.Exception);
        return Task.CompletedTask;
    }
}
