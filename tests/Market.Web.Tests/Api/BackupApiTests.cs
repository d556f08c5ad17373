using System.Net;
using Market.Web.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Api;

/// <summary><c>GET /api/operator/backup</c>: the copy <c>market backup URL</c> fetches from a running market.</summary>
public sealed class BackupApiTests
{
    [Fact]
    public async Task Backup_OperatorToken_ConsistentSqliteCopyOrPgDumpOnPostgreSql()
    {
        await using var app = new MarketFactory();
        using var client = await ApiClient.ForAsync(app, "operator@demo.energy");

        using var response = await client.GetAsync(new Uri("/api/operator/backup", UriKind.Relative));

        if (app.Database == MarketDatabase.PostgreSql)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await response.Content.ReadAsStringAsync()).ShouldContain("pg_dump");
            return;
        }

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.sqlite3");
        var copy = Path.Combine(app.DataDirectory, "copy.db");
        await File.WriteAllBytesAsync(copy, await response.Content.ReadAsByteArrayAsync());
        await using var db = app.CreateDb();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"Blocks\"";
        (await command.ExecuteScalarAsync()).ShouldBe(await db.Blocks.LongCountAsync());
    }

    [Fact]
    public async Task Backup_HouseholdToken_Forbidden()
    {
        await using var app = new MarketFactory();
        using var client = await ApiClient.ForAsync(app, "anna@demo.energy");

        using var response = await client.GetAsync(new Uri("/api/operator/backup", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
