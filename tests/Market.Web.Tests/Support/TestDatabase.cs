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
    /// The connection string of the PostgreSQL database that belongs to <paramref name="dataDirectory"/>: created
    /// on first use and named in a file in that folder, so a second app on the same folder shares it.
    /// </summary>
    public static string PostgresFor(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var marker = Path.Combine(dataDirectory, MarkerFile);
        if (!File.Exists(marker))
        {
            var name = "market_test_" + Guid.NewGuid().ToString("N");
            using (var server = new NpgsqlConnection(ServerConnectionString))
            {
                server.Open();
                using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", server);
                create.ExecuteNonQuery();
            }

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
        using var server = new NpgsqlConnection(ServerConnectionString);
        server.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", server);
        drop.ExecuteNonQuery();
        File.Delete(marker);
    }

    /// <summary>Removes a data folder a test made itself, and its PostgreSQL database.</summary>
    public static void DeleteData(string dataDirectory)
    {
        DropFor(dataDirectory);
        Directory.Delete(dataDirectory, recursive: true);
    }
}
