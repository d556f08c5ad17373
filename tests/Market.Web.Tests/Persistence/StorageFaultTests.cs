using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Market.Ledger;
using Market.Replay;
using Market.Web.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Market.Web.Tests.Persistence;

/// <summary>
/// A database that cannot be written (read-only on the engine under test, a full disk on SQLite): writes are
/// refused with 503 and a plain reason, nothing is acknowledged that was not stored, the app reports not ready, and
/// it recovers by itself when the storage can be written again. A full disk on PostgreSQL cannot be made safely in
/// a test (it would take the whole server down); its SQLSTATEs are classified like the rest (see StorageFaultOfTests).
/// </summary>
public sealed class StorageFaultTests
{
    [Fact]
    public async Task PostOrder_DatabaseReadOnly_503WithPlainReasonAndRetryAfterNothingStored()
    {
        await using var app = new MarketFactory();
        var storage = new ReadOnlyDatabase(app);
        using var anna = await ApiClient.ForAsync(app, "anna@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await storage.SetAsync(readOnly: true);

        using var response = await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, interval), "ro-1");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(30));
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString()!.ShouldContain("read");
        problem.GetProperty("detail").GetString()!.ShouldContain("Nothing of what you sent was stored");
        await storage.SetAsync(readOnly: false);
        (await ApiClient.OrderCountAsync(app)).ShouldBe(0);
    }

    [Fact]
    public async Task HealthReady_DatabaseReadOnly_NotReadyUntilWritableThenReadyByItself()
    {
        await using var app = new MarketFactory();
        var storage = new ReadOnlyDatabase(app);
        using var anna = await ApiClient.ForAsync(app, "anna@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await storage.SetAsync(readOnly: true);
        (await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, interval), "ro-2")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        await Readiness.WaitForAsync(anna, HttpStatusCode.ServiceUnavailable);
        var report = await app.Get<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"));
        report.Entries["database"].Description.ShouldStartWith("The database cannot be written: ");
        await storage.SetAsync(readOnly: false);
        await Readiness.WaitForAsync(anna, HttpStatusCode.OK);

        (await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, interval), "ro-2")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ApiClient.OrderCountAsync(app)).ShouldBe(1);
    }

    [Fact]
    public async Task PostOrder_BatchWhileReadOnly_NoneAcknowledgedAndEachStoredOnceWhenRetriedAfterRecovery()
    {
        await using var app = new MarketFactory();
        var storage = new ReadOnlyDatabase(app);
        using var anna = await ApiClient.ForAsync(app, "anna@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await storage.SetAsync(readOnly: true);
        Task<HttpResponseMessage> Post(int i) => anna.PostOrderAsync(ApiClient.Order("sell", 100 + i, 1200, interval), $"batch-{i}");

        var refused = await Task.WhenAll(Enumerable.Range(0, 20).Select(Post));
        await storage.SetAsync(readOnly: false);
        await Readiness.WaitForAsync(anna, HttpStatusCode.OK);
        var retried = await Task.WhenAll(Enumerable.Range(0, 20).Select(Post));

        refused.ShouldAllBe(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        retried.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        await using var db = app.CreateDb();
        (await db.Orders.Select(o => o.EnergyWh).ToListAsync()).Order().ShouldBe(Enumerable.Range(0, 20).Select(i => 100L + i));
    }

    [Fact]
    public async Task ClearingJob_DatabaseReadOnly_FailsWritesNothingAndClearsOnceAfterRecovery()
    {
        await using var app = new MarketFactory();
        var storage = new ReadOnlyDatabase(app);
        _ = app.Server;
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval);
        await storage.SetAsync(readOnly: true);

        await Should.ThrowAsync<Exception>(() => app.CloseGateAndClearAsync(interval));

        app.Get<StorageHealth>().Fault.ShouldNotBeNull();
        await storage.SetAsync(readOnly: false);
        await using (var db = app.CreateDb())
        {
            (await db.Blocks.CountAsync(b => b.IntervalStart == interval)).ShouldBe(0);
            (await db.Trades.CountAsync()).ShouldBe(0);
            (await db.Orders.CountAsync(o => o.Status == OrderStatus.Open)).ShouldBe(2);
        }

        using var client = app.CreateClient();
        await Readiness.WaitForAsync(client, HttpStatusCode.OK);
        (await app.Get<ClearingJob>().RunAsync(CancellationToken.None)).ShouldBe(1);
        await using (var db = app.CreateDb())
        {
            (await db.Blocks.CountAsync(b => b.IntervalStart == interval && b.Kind == (byte)BlockKind.Clearing)).ShouldBe(1);
            (await db.Trades.CountAsync()).ShouldBe(1);
        }

        using var export = new MemoryStream();
        await app.Get<LedgerPublication>().WriteExportAsync(export);
        export.Position = 0;
        var report = ChainVerifier.VerifyExport(export, new MatchingReplayer());
        report.IsValid.ShouldBeTrue(report.Failure?.ToString());
    }

    [Fact]
    public async Task UploadReadings_DatabaseReadOnly_503ProblemAndNothingStored()
    {
        await using var app = new MarketFactory();
        var storage = new ReadOnlyDatabase(app);
        using var client = await ApiClient.ForAsync(app, "operator@demo.energy");
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.CloseGateAndClearAsync(interval);
        app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(app.Get<MarketClock>().Next(interval) + 60));
        var csv = $"{ReadingParser.Header}\n{anna.MeterId},{DateTimeOffset.FromUnixTimeSeconds(interval):yyyy-MM-ddTHH:mm:ssZ},0,800";
        await storage.SetAsync(readOnly: true);

        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), new StringContent(csv, Encoding.UTF8, "text/csv"));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(30));
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        await storage.SetAsync(readOnly: false);
        await using var db = app.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task UpdateSite_DatabaseReadOnly_FailsNotReadyAndSiteUnchanged()
    {
        await using var app = new MarketFactory();
        var storage = new ReadOnlyDatabase(app);
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        await storage.SetAsync(readOnly: true);

        var failure = await Should.ThrowAsync<Exception>(() => app.Get<AccountService>().UpdateSiteAsync(anna.Id, "Renamed", 5m, 10m, "Europe/Berlin"));

        StorageFault.Of(failure).ShouldNotBeNull(failure.ToString());
        app.Get<StorageHealth>().Fault.ShouldNotBeNull();
        await storage.SetAsync(readOnly: false);
        (await app.HouseholdAsync("anna@demo.energy")).Name.ShouldBe(anna.Name);
    }

    [Fact]
    public async Task PostOrder_DiskFull_503NotReadyThenRecoversByItselfWhenSpaceIsFreed()
    {
        await using var disk = SmallDisk.Mount(megabytes: 48);
        await using var app = new MarketFactory(Path.Combine(disk.Path, "data"), database: MarketDatabase.Sqlite);
        using var anna = await ApiClient.ForAsync(app, "anna@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await TruncateWriteAheadLogAsync(app);
        disk.Fill();

        using var refused = await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, interval), "full-1");

        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(30));
        (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("full");
        await Readiness.WaitForAsync(anna, HttpStatusCode.ServiceUnavailable);
        (await ApiClient.OrderCountAsync(app)).ShouldBe(0);
        disk.Free();
        await Readiness.WaitForAsync(anna, HttpStatusCode.OK);
        (await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, interval), "full-1")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ApiClient.OrderCountAsync(app)).ShouldBe(1);
    }

    [Fact]
    public async Task SqliteDatabase_AppWriting_NoFileOfTheDatabaseIsMemoryMapped()
    {
        await using var app = new MarketFactory(database: MarketDatabase.Sqlite);
        using var anna = await ApiClient.ForAsync(app, "anna@demo.energy");
        var interval = app.Get<MarketClock>().FirstOpenInterval();

        (await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, interval))).StatusCode.ShouldBe(HttpStatusCode.Created);

        // A write to a mapped page of a file that can no longer be written is a SIGBUS: nothing there may be mapped.
        var maps = await File.ReadAllLinesAsync("/proc/self/maps");
        maps.Where(l => l.Contains(app.DataDirectory, StringComparison.Ordinal)).ShouldBeEmpty();
        File.Exists(Path.Combine(app.DataDirectory, "market.db-shm")).ShouldBeFalse();
    }

    /// <summary>Empties the write-ahead log into the database, so the next commit must grow the log on the disk.</summary>
    private static async Task TruncateWriteAheadLogAsync(MarketFactory app)
    {
        await using var connection = new SqliteConnection(app.Get<DataFolder>().ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            if (reader.GetInt32(0) == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The write-ahead log could not be checkpointed within a minute.");
            }
        }
    }
}
