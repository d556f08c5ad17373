using System.Data.Common;
using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Market.Web.Tests.Support;

/// <summary>
/// Makes an app's database read-only and writable again, on the engine the app runs on. SQLite: every connection
/// the app opens is made read-only (<c>PRAGMA query_only</c>: SQLITE_READONLY on any write, as for a file it may not
/// write). PostgreSQL: the test's own database defaults to read-only transactions and its sessions are ended
/// (SQLSTATE 25006 on any write); writable again, the setting is reset and the app has to find out by itself.
/// Create it before the app starts.
/// </summary>
public sealed class ReadOnlyDatabase
{
    private readonly MarketFactory _app;
    private readonly QueryOnlyInterceptor _sqlite = new();

    public ReadOnlyDatabase(MarketFactory app)
    {
        _app = app;
        if (app.Database == MarketDatabase.Sqlite)
        {
            app.TestServices.Add(services => services.ConfigureDbContext<MarketDbContext>((_, o) => o.AddInterceptors(_sqlite)));
        }
    }

    public async Task SetAsync(bool readOnly)
    {
        if (_app.Database == MarketDatabase.Sqlite)
        {
            _sqlite.ReadOnly = readOnly;
            return;
        }

        var database = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresFor(_app.DataDirectory)).Database!;
        await using var server = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await server.OpenAsync();
        await using (var alter = new NpgsqlCommand(
            $"ALTER DATABASE \"{database}\" {(readOnly ? "SET default_transaction_read_only = on" : "RESET default_transaction_read_only")}", server))
        {
            await alter.ExecuteNonQueryAsync();
        }

        if (!readOnly)
        {
            return;
        }

        await using (var end = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @d AND pid <> pg_backend_pid()", server))
        {
            end.Parameters.AddWithValue("d", database);
            await end.ExecuteNonQueryAsync();
        }

        // The app's pool would notice the ended sessions one failed command at a time; what the test looks at is
        // the read-only database behind them.
        await using var db = _app.CreateDb();
        NpgsqlConnection.ClearPool((NpgsqlConnection)db.Database.GetDbConnection());
    }

    private sealed class QueryOnlyInterceptor : DbConnectionInterceptor
    {
        public volatile bool ReadOnly;

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = ReadOnly ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0";
            command.ExecuteNonQuery();
        }
    }
}

/// <summary>
/// A small tmpfs mounted under the temp folder for one test (root only: the test fails without it), filled to the
/// last byte on demand and freed again; unmounted on dispose.
/// </summary>
public sealed class SmallDisk : IAsyncDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, "filler");

    public static SmallDisk Mount(int megabytes)
    {
        var path = Directory.CreateTempSubdirectory("market-small-disk-").FullName;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0755", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"This test mounts a {megabytes} MB tmpfs and needs root for it (test.sh runs as root in CI): mount said {output}");
        }

        return new SmallDisk(path);
    }

    /// <summary>Writes a file until the disk has not one page left.</summary>
    public void Fill()
    {
        using var file = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        foreach (var size in new[] { 1 << 20, 1 << 12 })
        {
            var chunk = new byte[size];
            try
            {
                while (true)
                {
                    file.Write(chunk);
                }
            }
            catch (IOException)
            {
                // No room for another chunk of this size: go on with smaller ones.
            }
        }
    }

    public void Free() => File.Delete(Filler);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        // Lazy: a file still open somewhere (a pool of another test) cannot keep the mount behind.
        var (code, output) = Run("umount", "--lazy", Path);
        if (code != 0)
        {
            throw new InvalidOperationException($"Could not unmount {Path}: {output}");
        }

        Directory.Delete(Path, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}

/// <summary>Waiting for what the app does by itself, without sleeping a fixed time.</summary>
public static class Readiness
{
    /// <summary>Polls <c>/health/ready</c> until it answers <paramref name="expected"/>; fails after a minute.</summary>
    public static async Task WaitForAsync(HttpClient client, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (response.StatusCode == expected)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"/health/ready still answers {(int)response.StatusCode}, not {(int)expected}, after a minute.");
            }

            await Task.Delay(100);
        }
    }
}
