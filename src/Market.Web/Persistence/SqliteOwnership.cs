using Microsoft.Data.Sqlite;

namespace Market.Web.Persistence;

/// <summary>
/// The SQLite database belongs to the app's process alone (docs/adr/0019-storage-faults.md). Every connection uses
/// SQLite's <c>unix-excl</c> VFS, which locks the database for the whole process and keeps the write-ahead log's
/// index in the process's memory instead of the memory-mapped <c>-shm</c> file. Writing to a mapped page of a file
/// the kernel can no longer write (a file system gone read-only or full, an immutable file) raises SIGBUS, which
/// killed the app without a log line; with no file mapped, the same fault is an ordinary error the app reports.
/// Other processes cannot open the database while the app runs (<c>market backup</c> goes through the app).
/// </summary>
public sealed class SqliteOwnership : IDisposable
{
    /// <summary>SQLite's VFS that holds the database for one process and keeps the WAL index in its memory.</summary>
    public const string Vfs = "unix-excl";

    private SqliteConnection? _held;

    /// <summary>
    /// <paramref name="connectionString"/> with <see cref="Vfs"/>, unless it names a VFS itself. Windows has no such
    /// VFS (nor the mapped index's failure): unchanged there.
    /// </summary>
    public static string Exclusive(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (!OperatingSystem.IsWindows() && string.IsNullOrEmpty(builder.Vfs))
        {
            builder.Vfs = Vfs;
        }

        return builder.ToString();
    }

    /// <summary>
    /// Opens the connection the app holds until it stops, before any other: it puts the database in WAL mode and
    /// takes the process's lock, so the WAL index is made in memory. Held, it keeps lock and index alive when
    /// pooled connections close; otherwise a connection opened read-only while the file cannot be written (SQLite
    /// then opens it read-only) would find no index and map a <c>-shm</c> file again.
    /// </summary>
    public void Hold(string connectionString)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA mmap_size=0; SELECT COUNT(*) FROM sqlite_master;";
            command.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        Interlocked.Exchange(ref _held, connection)?.Dispose();
    }

    /// <summary>
    /// Copies the database into a new file at <paramref name="path"/> with SQLite's backup API: a consistent
    /// snapshot of committed transactions, taken while the app goes on writing. Only this process can read the
    /// database, so an online backup is made here (<c>GET /api/operator/backup</c>).
    /// </summary>
    public static void BackUp(string connectionString, string path)
    {
        using var source = new SqliteConnection(connectionString);
        source.Open();
        using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        target.Open();
        source.BackupDatabase(target);
    }

    public void Dispose() => Interlocked.Exchange(ref _held, null)?.Dispose();
}
