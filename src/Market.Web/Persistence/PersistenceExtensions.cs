using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// EF Core on SQLite (default: a file in the data folder) or PostgreSQL (<c>Market:Database</c>), registered as
    /// <c>IDbContextFactory&lt;MarketDbContext&gt;</c> either way.
    /// </summary>
    public static WebApplicationBuilder AddMarketPersistence(this WebApplicationBuilder builder)
    {
        builder.AddSettings<MarketOptions>(MarketOptions.Section);

        builder.Services.AddSingleton<DataFolder>();
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddSingleton<StorageFaultInterceptor>();
        builder.Services.AddHostedService<StorageProbe>();
        if (builder.Configuration.DatabaseEngine() == MarketDatabase.PostgreSql)
        {
            builder.Services.AddDbContextFactory<PostgresMarketDbContext>((sp, options) =>
            {
                var folder = sp.GetRequiredService<DataFolder>();
                options.UseNpgsql(WithAutoPrepare(folder.ConnectionString), npgsql => npgsql.CommandTimeout(30))
                    .AddInterceptors(sp.GetRequiredService<StorageFaultInterceptor>());
            });
            builder.Services.AddSingleton<IDbContextFactory<MarketDbContext>, UpcastDbContextFactory<PostgresMarketDbContext>>();
        }
        else
        {
            builder.Services.AddDbContextFactory<MarketDbContext>((sp, options) =>
            {
                var folder = sp.GetRequiredService<DataFolder>();
                options.UseSqlite(folder.ConnectionString, sqlite => sqlite.CommandTimeout(30))
                    .AddInterceptors(sp.GetRequiredService<StorageFaultInterceptor>());
            });
            builder.Services.AddSingleton<SqliteOwnership>();
        }

        builder.Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<MarketDbContext>>().CreateDbContext());
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>The configured database engine, read before the options are bound because it decides what is registered.</summary>
    public static MarketDatabase DatabaseEngine(this IConfiguration configuration) =>
        configuration.ReadSettings<MarketOptions>(MarketOptions.Section).Database;

    /// <summary>
    /// PostgreSQL: statements the app runs again and again (order intake, its key lookup, clearing) are prepared on
    /// the server after their second use, unless the connection string says otherwise: parsing and planning them per
    /// execution cost a fifth of the order throughput (docs/performance.md).
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ToString();
    }

    /// <summary>
    /// Creates the data folder and applies migrations; SQLite runs in WAL mode so readers never block the writer, and
    /// the app holds its database from here on (<see cref="SqliteOwnership"/>).
    /// </summary>
    public static async Task MigrateMarketDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        services.GetService<SqliteOwnership>()?.Hold(services.GetRequiredService<DataFolder>().ConnectionString);
        var factory = services.GetRequiredService<IDbContextFactory<MarketDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }
}

/// <summary>The app's data folder, created on first use.</summary>
public sealed class DataFolder
{
    public DataFolder(IOptions<MarketOptions> options, IWebHostEnvironment environment)
    {
        var o = options.Value;
        Path = o.ResolveDataDirectory(environment.ContentRootPath);
        Directory.CreateDirectory(Path);
        SigningKeyPath = o.SigningKeyPath is { Length: > 0 } k
            ? System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(k) ? k : System.IO.Path.Combine(environment.ContentRootPath, k))
            : System.IO.Path.Combine(Path, "signing-key.hex");
        ConnectionString = o.ConnectionString is { Length: > 0 } cs
            ? cs
            : new SqliteConnectionStringBuilder { DataSource = System.IO.Path.Combine(Path, "market.db"), Pooling = true, DefaultTimeout = 30 }.ToString();
        if (o.Database == MarketDatabase.Sqlite)
        {
            ConnectionString = SqliteOwnership.Exclusive(ConnectionString);
        }
    }

    public string Path { get; }

    public string SigningKeyPath { get; }

    public string ConnectionString { get; }
}
