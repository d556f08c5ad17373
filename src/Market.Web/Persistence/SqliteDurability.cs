using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Market.Web.Persistence;

/// <summary>
/// Sets SQLite's <c>synchronous</c> level (<see cref="MarketOptions.SqliteSynchronous"/>) on every connection EF
/// Core opens, and keeps the database file unmapped (<c>mmap_size=0</c>, also SQLite's default here: a mapped page
/// of a file that can no longer be written is a SIGBUS, see <see cref="SqliteOwnership"/>); SQLite does not remember
/// either in the file. Does nothing for other databases.
/// </summary>
public sealed class SqliteDurabilityInterceptor(IOptions<MarketOptions> options) : DbConnectionInterceptor
{
    private readonly string _pragma = $"PRAGMA synchronous={(options.Value.SqliteSynchronous == "FULL" ? "FULL" : "NORMAL")}; PRAGMA mmap_size=0;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection sqlite)
        {
            return;
        }

        using var command = sqlite.CreateCommand();
#pragma warning disable CA2100 // One of two fixed texts.
        command.CommandText = _pragma;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }
}

public static class SqliteDurabilityExtensions
{
    /// <summary>Adds <see cref="SqliteDurabilityInterceptor"/> to the market's database contexts.</summary>
    public static WebApplicationBuilder AddSqliteDurability(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SqliteDurabilityInterceptor>();
        builder.Services.ConfigureDbContext<MarketDbContext>((sp, options) => options.AddInterceptors(sp.GetRequiredService<SqliteDurabilityInterceptor>()));
        return builder;
    }
}
