using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Market.Web.Persistence;

/// <summary>
/// The same model as <see cref="MarketDbContext"/> on PostgreSQL. A type of its own only so that EF Core keeps a
/// separate migration set (Persistence/PostgresMigrations) next to the SQLite one.
/// </summary>
public sealed class PostgresMarketDbContext(DbContextOptions<PostgresMarketDbContext> options) : MarketDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add --context PostgresMarketDbContext</c> build the model without a server.</summary>
public sealed class PostgresMarketDbContextDesignFactory : IDesignTimeDbContextFactory<PostgresMarketDbContext>
{
    public PostgresMarketDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresMarketDbContext>().UseNpgsql("Host=localhost;Database=market").Options);
}

/// <summary>Hands out a provider-specific context where the app asks for <see cref="MarketDbContext"/>.</summary>
internal sealed class UpcastDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<MarketDbContext>
    where TContext : MarketDbContext
{
    public MarketDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<MarketDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}

/// <summary>
/// Lets <c>dotnet ef migrations add --context MarketDbContext</c> build the SQLite model without starting the app;
/// without it the tools would pick the PostgreSQL subclass's factory.
/// </summary>
public sealed class SqliteMarketDbContextDesignFactory : IDesignTimeDbContextFactory<MarketDbContext>
{
    public MarketDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MarketDbContext>().UseSqlite("Data Source=market.db").Options);
}
