using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Market.Web.Persistence;

/// <summary>
/// While the market cannot write (<see cref="StorageHealth"/>), tries one small committed write every
/// <see cref="Interval"/> and marks the storage writable again when it commits, so the app recovers by itself once
/// the disk has room or the database accepts writes again. Idle while writes succeed.
/// </summary>
public sealed partial class StorageProbe(
    StorageHealth health,
    IDbContextFactory<MarketDbContext> dbFactory,
    DataFolder folder,
    ILogger<StorageProbe> logger) : BackgroundService
{
    /// <summary>How often a faulted storage is tried again (real time).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After a full disk, the room the data folder needs before SQLite is tried again: a small write fits into the
    /// space the write-ahead log already has long before a batch of orders or a clearing fits on the disk.
    /// </summary>
    public const long FreeBytesAfterFull = 16L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await health.WhenFaultedAsync(stoppingToken);
                await Task.Delay(Interval, stoppingToken);
                if (await TryWriteAsync(stoppingToken))
                {
                    health.Recovered();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping.
        }
    }

    /// <summary>One probe: true when a write committed. A failure updates the fault's reason.</summary>
    public async Task<bool> TryWriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (health.Fault is { Kind: StorageFaultKind.Full } && FreeBytes() is long free && free < FreeBytesAfterFull)
            {
                return false;
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            // Connections opened while the storage was faulted may stay read-only (SQLite opens a file it may not
            // write read-only; a PostgreSQL session keeps the defaults it started with): start afresh.
            switch (connection)
            {
                case SqliteConnection sqlite:
                    SqliteConnection.ClearPool(sqlite);
                    break;
                case NpgsqlConnection npgsql:
                    NpgsqlConnection.ClearPool(npgsql);
                    break;
            }

            await db.Database.OpenConnectionAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction.GetDbTransaction();
                await WriteNothingAsync(command, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (health.Observe(e) is null)
            {
                LogProbeFailed(logger, e);
            }

            return false;
        }
    }

    /// <summary>
    /// A write that changes nothing the market reads but must reach the disk at commit. SQLite: the database
    /// header's user version, rewritten with its own value (a page in the write-ahead log). PostgreSQL: refused in
    /// a read-only session like any write, then a transaction id whose commit the server writes to its log.
    /// </summary>
    private static async Task WriteNothingAsync(DbCommand command, CancellationToken cancellationToken)
    {
        if (command is SqliteCommand)
        {
            command.CommandText = "PRAGMA user_version";
            var version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
#pragma warning disable CA2100 // An integer the database just gave, formatted invariantly.
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {version}");
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        command.CommandText = "SELECT current_setting('transaction_read_only') = 'on' OR pg_is_in_recovery()";
        if (await command.ExecuteScalarAsync(cancellationToken) is true)
        {
            throw new StorageFaultException(new StorageFault(StorageFaultKind.ReadOnly, "the database server accepts reads only"));
        }

        command.CommandText = "SELECT pg_current_xact_id()";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    private long? FreeBytes()
    {
        try
        {
            return new DriveInfo(folder.Path).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The storage probe failed")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception);
}
