using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Market.Web.Tests.Support;

/// <summary>
/// Which database engine the suite runs on: <c>MARKET_TEST_DATABASE=PostgreSql</c> with
/// <c>MARKET_TEST_POSTGRES</c> (a connection string to a server, no database) runs it on PostgreSQL, one fresh
/// database per data folder; otherwise SQLite. An unreachable server fails the tests, it never skips them.
/// </summary>
public static class TestDatabase
{
    private const string MarkerFile = "postgres-database";

    /// <summary>The engine this run of the suite tests.</summary>
    public static MarketDatabase Provider { get; } = ReadProvider();

    private static MarketDatabase ReadProvider()
    {
        var value = Environment.GetEnvironmentVariable("MARKET_TEST_DATABASE");
        if (string.IsNullOrWhiteSpace(value))
        {
            return MarketDatabase.Sqlite;
        }

        return Enum.TryParse<MarketDatabase>(value, ignoreCase: true, out var provider)
            ? provider
            : throw new InvalidOperationException($"MARKET_TEST_DATABASE must be Sqlite or PostgreSql, not '{value}'.");
    }

    /// <summary>The PostgreSQL server to create test databases on; missing means the test fails.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("MARKET_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "This test needs PostgreSQL: set MARKET_TEST_POSTGRES to a server's connection string (test.sh starts one).");

    /// <summary>
    /// A database with the app's migrations and Hangfire's schema applied, made once per test run and copied for
    /// every app (<c>CREATE DATABASE … TEMPLATE</c>): a copy costs a fraction of migrating a fresh database. The app
    /// still runs its migrations at start and finds them applied, as on any restart. Dropped after the run's last
    /// test (<see cref="CleanupTestFramework"/>).
    /// </summary>
    private static readonly Lazy<string> Template = new(CreateTemplate, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string? _templateName;

    /// <summary>
    /// The connection string of the PostgreSQL database that belongs to <paramref name="dataDirectory"/>: created
    /// on first use (a copy of the migrated template) and named in a file in that folder, so a second app on the
    /// same folder shares it.
    /// </summary>
    public static string PostgresFor(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var marker = Path.Combine(dataDirectory, MarkerFile);
        if (!File.Exists(marker))
        {
            var name = "market_test_" + Guid.NewGuid().ToString("N");
            Execute($"CREATE DATABASE \"{name}\" TEMPLATE \"{Template.Value}\"");
            File.WriteAllText(marker, name);
        }

        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = File.ReadAllText(marker).Trim() }.ToString();
    }

    /// <summary>Drops the PostgreSQL database of <paramref name="dataDirectory"/>, if it has one.</summary>
    public static void DropFor(string dataDirectory)
    {
        var marker = Path.Combine(dataDirectory, MarkerFile);
        if (!File.Exists(marker))
        {
            return;
        }

        var name = File.ReadAllText(marker).Trim();
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        File.Delete(marker);
    }

    /// <summary>
    /// Copies the data folder <paramref name="source"/> (of an app that has stopped) into the empty folder
    /// <paramref name="destination"/>: its files, and on PostgreSQL its database as a new database of the copy's own,
    /// so an app started on the copy starts where the source's left off and changes nothing of the source.
    /// </summary>
    public static void CopyFolder(string source, string destination)
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative == MarkerFile)
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var marker = Path.Combine(source, MarkerFile);
        if (File.Exists(marker))
        {
            // No connection may stay open on a database that is copied.
            NpgsqlConnection.ClearAllPools();
            var name = "market_test_" + Guid.NewGuid().ToString("N");
            Execute($"CREATE DATABASE \"{name}\" TEMPLATE \"{File.ReadAllText(marker).Trim()}\"");
            File.WriteAllText(Path.Combine(destination, MarkerFile), name);
        }
    }

    private static readonly List<Func<ValueTask>> AtEnd = [];

    /// <summary>Something the whole run shares, removed after its last test (<see cref="CleanupTestFramework"/>).</summary>
    public static void DisposeAtEndOfRun(IAsyncDisposable shared)
    {
        lock (AtEnd)
        {
            AtEnd.Add(shared.DisposeAsync);
        }
    }

    /// <summary>
    /// SQLite's counterpart of the template: a database file with the app's migrations applied, made once per test run
    /// and copied into each fresh data folder before its app starts (saves about a sixth of an app's start). The app
    /// still runs its migrations at start and finds them applied, as on any restart. Deleted after the run.
    /// </summary>
    private static readonly Lazy<string> SqliteTemplate = new(CreateSqliteTemplate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Puts a migrated SQLite database into a fresh data folder (one without a database yet).</summary>
    public static void SeedSqlite(string dataDirectory)
    {
        var target = Path.Combine(dataDirectory, "market.db");
        if (!File.Exists(target))
        {
            File.Copy(SqliteTemplate.Value, target);
        }
    }

    private static string CreateSqliteTemplate()
    {
        var folder = Directory.CreateTempSubdirectory("market-sqlite-template-").FullName;
        var path = Path.Combine(folder, "market.db");
        using (var db = new MarketDbContext(new DbContextOptionsBuilder<MarketDbContext>().UseSqlite($"Data Source={path};Pooling=false").UseModel(Model(MarketDatabase.Sqlite)).Options))
        {
            db.Database.Migrate();
        }

        lock (AtEnd)
        {
            AtEnd.Add(() =>
            {
                Directory.Delete(folder, recursive: true);
                return ValueTask.CompletedTask;
            });
        }

        return path;
    }

    private static readonly Lazy<IModel> SqliteModel = new(
        () => DesignTimeModel(new MarketDbContext(new DbContextOptionsBuilder<MarketDbContext>().UseSqlite("Data Source=:memory:").Options)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<IModel> PostgresModel = new(
        () => DesignTimeModel(new PostgresMarketDbContext(new DbContextOptionsBuilder<PostgresMarketDbContext>().UseNpgsql("Host=localhost;Database=market").Options)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The app's EF Core model on <paramref name="database"/>, built once per test process and given to every app it
    /// starts (<c>UseModel</c>): the design-time model, which an app's start needs to apply its migrations, and from
    /// which EF Core derives the runtime model once. The model is read-only and the same for every app: it depends
    /// only on the context's code and the engine, not on the app's settings (SharedModelTests compares it with the
    /// model an app builds for itself).
    /// </summary>
    public static IModel Model(MarketDatabase database) =>
        database == MarketDatabase.PostgreSql ? PostgresModel.Value : SqliteModel.Value;

    private static IModel DesignTimeModel(MarketDbContext context)
    {
        using (context)
        {
            // No connection is opened: building the model only needs the provider.
            return context.GetService<IDesignTimeModel>().Model;
        }
    }

    /// <summary>Removes what <see cref="DisposeAtEndOfRun"/> was given, then the template database.</summary>
    public static async Task EndOfRunAsync()
    {
        List<Func<ValueTask>> shared;
        lock (AtEnd)
        {
            shared = [.. AtEnd];
            AtEnd.Clear();
        }

        foreach (var dispose in shared)
        {
            await dispose();
        }

        DropTemplate();
    }

    /// <summary>Drops the template database, if this run made one.</summary>
    public static void DropTemplate()
    {
        if (Interlocked.Exchange(ref _templateName, null) is { } name)
        {
            Execute($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }

    private static string CreateTemplate()
    {
        var name = "market_template_" + Guid.NewGuid().ToString("N");
        Execute($"CREATE DATABASE \"{name}\"");
        _templateName = name;
        // No connection may stay open (pooled) on a template: copying fails while anyone is connected to it.
        var connectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, Pooling = false }.ToString();
        using (var db = new PostgresMarketDbContext(new DbContextOptionsBuilder<PostgresMarketDbContext>().UseNpgsql(connectionString).UseModel(Model(MarketDatabase.PostgreSql)).Options))
        {
            db.Database.Migrate();
        }

        // Hangfire's storage, configured as the app configures it, installs its schema when it is created.
        JobsExtensions.PostgreSqlJobs(connectionString).GetConnection().Dispose();
        return name;
    }

    private static void Execute(string sql)
    {
        using var server = new NpgsqlConnection(ServerConnectionString);
        server.Open();
        using var command = new NpgsqlCommand(sql, server);
        command.ExecuteNonQuery();
    }
}
