using System.Net;
using Hangfire;
using Hangfire.Storage;
using Market.Web.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Market.Web.Tests;

/// <summary>Readiness checks. The healthy cases share one app; the one that breaks the database has its own.</summary>
public sealed class HealthTests(SharedMarket market) : IClassFixture<SharedMarket>
{
    [Fact]
    public async Task HealthReady_EngineUnderTest_ChecksDatabaseAndJobStorage()
    {
        var app = market.App;
        using var client = app.CreateClient();

        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = app.Get<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Where(r => r.Tags.Contains("ready"))
            .Select(r => r.Name);
        ready.ShouldBe(["database", "jobs"], ignoreOrder: true);
    }

    [Fact]
    public async Task JobStorageCheck_StorageUnreachable_UnhealthyWithoutDetails()
    {
        var check = new JobStorageHealthCheck(new UnreachableStorage());

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        result.Status.ShouldBe(HealthStatus.Unhealthy);
        result.Description.ShouldBe("The job storage is not reachable.");
    }

    [Fact]
    public async Task JobStorageCheck_AppsStorage_Healthy()
    {
        var app = market.App;
        var check = new JobStorageHealthCheck(app.Get<JobStorage>());

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        result.Status.ShouldBe(HealthStatus.Healthy);
        app.Get<JobStorage>().GetType().Name.ShouldBe(app.Database == MarketDatabase.PostgreSql ? "PostgreSqlStorage" : "InMemoryStorage");
    }

    [Fact]
    public async Task HealthReady_DatabaseGone_ServiceUnavailable()
    {
        await using var app = new MarketFactory();
        using var client = app.CreateClient();
        await MakeDatabaseUnreachableAsync(app);

        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
    }

    private static async Task MakeDatabaseUnreachableAsync(MarketFactory app)
    {
        if (app.Database == MarketDatabase.PostgreSql)
        {
            TestDatabase.DropFor(app.DataDirectory);
            return;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // A folder where the database file was: SQLite cannot open it.
        foreach (var file in Directory.GetFiles(app.DataDirectory, "market.db*"))
        {
            File.Delete(file);
        }

        Directory.CreateDirectory(Path.Combine(app.DataDirectory, "market.db"));
        await Task.CompletedTask;
    }

    private sealed class UnreachableStorage : JobStorage
    {
        public override IMonitoringApi GetMonitoringApi() => throw new InvalidOperationException("no storage");

        public override IStorageConnection GetConnection() => throw new InvalidOperationException("Host=secret;Password=secret");
    }
}
