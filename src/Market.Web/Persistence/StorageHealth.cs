using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Market.Web.Persistence;

/// <summary>What kind of storage fault keeps the market from writing.</summary>
public enum StorageFaultKind
{
    /// <summary>No room: a full disk (SQLite) or a database server out of disk or resources.</summary>
    Full,

    /// <summary>The database accepts reads only: a read-only file or file system, or a read-only server.</summary>
    ReadOnly,

    /// <summary>The disk refused a read or a write.</summary>
    IoError,

    /// <summary>The database file cannot be opened, or the database server cannot be reached.</summary>
    Unreachable,
}

/// <summary>
/// A storage fault in words a household, an agent and an operator can act on. The reason never names a path, a
/// host or a connection string: it is shown on public endpoints.
/// </summary>
public sealed record StorageFault(StorageFaultKind Kind, string Reason)
{
    /// <summary>
    /// The storage fault behind <paramref name="exception"/> or one of its inner exceptions, or null when the
    /// failure is something else (a bug, a constraint, a cancelled request).
    /// </summary>
    public static StorageFault? Of(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (OfOne(e) is { } fault)
            {
                return fault;
            }

            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(Of).FirstOrDefault(f => f is not null);
            }
        }

        return null;
    }

    private static StorageFault? OfOne(Exception e) => e switch
    {
        StorageFaultException f => f.Fault,
        // SQLite's primary result codes (https://sqlite.org/rescode.html); its message says more and goes to the log.
        SqliteException { SqliteErrorCode: 13 } => new(StorageFaultKind.Full, "the disk that holds the database is full"),
        SqliteException { SqliteErrorCode: 8 } => new(StorageFaultKind.ReadOnly, "the database is read-only"),
        SqliteException { SqliteErrorCode: 3 } => new(StorageFaultKind.ReadOnly, "the database may not be written (permission denied)"),
        SqliteException { SqliteErrorCode: 10 } => new(StorageFaultKind.IoError, "the disk that holds the database refused a read or a write"),
        SqliteException { SqliteErrorCode: 14 } => new(StorageFaultKind.Unreachable, "the database file cannot be opened"),
        PostgresException p => OfPostgres(p.SqlState),
        // A broken connection to the server (it went away, or the session was ended); not a full connection pool.
        NpgsqlException { InnerException: SocketException or IOException } => new(StorageFaultKind.Unreachable, "the database server cannot be reached"),
        _ => null,
    };

    // PostgreSQL's SQLSTATE classes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    private static StorageFault? OfPostgres(string state) => state switch
    {
        "25006" => new(StorageFaultKind.ReadOnly, "the database server accepts reads only"),
        "53100" => new(StorageFaultKind.Full, "the database server's disk is full"),
        "57P01" or "57P02" or "57P03" => new(StorageFaultKind.Unreachable, "the database server ended the connection or does not accept connections now"),
        _ when state.StartsWith("53", StringComparison.Ordinal) => new(StorageFaultKind.Full, "the database server is out of resources"),
        _ when state.StartsWith("58", StringComparison.Ordinal) => new(StorageFaultKind.IoError, "the database server's disk refused a read or a write"),
        _ when state.StartsWith("08", StringComparison.Ordinal) => new(StorageFaultKind.Unreachable, "the database server cannot be reached"),
        _ => null,
    };
}

/// <summary>A storage fault the app found itself (the storage probe), not one a database driver reported.</summary>
public sealed class StorageFaultException : Exception
{
    public StorageFaultException()
        : this(new StorageFault(StorageFaultKind.IoError, "the storage failed"))
    {
    }

    public StorageFaultException(string message)
        : this(new StorageFault(StorageFaultKind.IoError, message))
    {
    }

    public StorageFaultException(string message, Exception innerException)
        : base(message, innerException) => Fault = new StorageFault(StorageFaultKind.IoError, message);

    public StorageFaultException(StorageFault fault)
        : base(fault?.Reason) => Fault = fault ?? throw new ArgumentNullException(nameof(fault));

    public StorageFault Fault { get; }
}

/// <summary>
/// Whether the market can write its database now. A write (or read) that fails with a storage fault marks it as
/// unable to write, with the reason, and logs the cause once; <see cref="StorageProbe"/> then checks every few
/// seconds and marks it writable again when a write commits. Readiness (<see cref="DatabaseHealthCheck"/>) follows
/// it. Nothing writes the database to find out while writes succeed. See docs/adr/0019-storage-faults.md.
/// </summary>
public sealed partial class StorageHealth(ILogger<StorageHealth> logger)
{
    private readonly Lock _lock = new();
    private StorageFault? _fault;
    private TaskCompletionSource _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Why the market cannot write now; null while it can.</summary>
    public StorageFault? Fault
    {
        get
        {
            lock (_lock)
            {
                return _fault;
            }
        }
    }

    /// <summary>
    /// Looks at a failure: when it is a storage fault, the market is marked as unable to write (the cause is logged
    /// when it is new) and the fault is returned; otherwise null and nothing changes.
    /// </summary>
    public StorageFault? Observe(Exception exception)
    {
        var fault = StorageFault.Of(exception);
        if (fault is null)
        {
            return null;
        }

        // The first fault is kept until the storage recovers: one log line and one stable reason, however many
        // requests fail meanwhile and whichever error code each of them got.
        lock (_lock)
        {
            if (_fault is not null)
            {
                return fault;
            }

            _fault = fault;
            _faulted.TrySetResult();
        }

        LogCannotWrite(logger, exception, fault.Reason, StorageProbe.Interval.TotalSeconds);
        return fault;
    }

    /// <summary>A write committed after a fault: the market can write again.</summary>
    public void Recovered()
    {
        StorageFault? before;
        lock (_lock)
        {
            before = _fault;
            if (before is null)
            {
                return;
            }

            _fault = null;
            _faulted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        LogWritableAgain(logger, before.Reason);
    }

    /// <summary>Completes when the market is (or becomes) unable to write.</summary>
    public Task WhenFaultedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _faulted.Task.WaitAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The database cannot be written: {Reason}. Writes are answered with 503 and the app reports not ready until a write commits again (checked every {Seconds} s)")]
    private static partial void LogCannotWrite(ILogger logger, Exception exception, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database can be written again (it could not: {Reason}); the app reports ready")]
    private static partial void LogWritableAgain(ILogger logger, string reason);
}
