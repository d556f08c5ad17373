using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Market.Ledger;
using Market.Replay;
using Market.Web.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Market.E2E.Crash;

/// <summary>
/// The app as a real process, killed with SIGKILL at the worst moments: in the middle of clearing, and during a
/// stream of API orders. Nothing acknowledged may be lost, nothing half-written may remain.
/// </summary>
[Collection("processes")]
public sealed class CrashTests : IDisposable
{
    private static readonly DateTimeOffset Monday = new(2026, 6, 15, 10, 2, 0, TimeSpan.Zero);

    private readonly TestFolder _folder = new("market-crash-");

    private string _database = "Sqlite";

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task Clearing_KilledBeforeCommit_RestartClearsTheIntervalOnceAndTheChainVerifies(string database)
    {
        _database = database;
        long interval;
        await using (var first = await StartAsync(Monday, runJobs: false))
        {
            var load = await LoadHouseholdsAsync(first, 6);
            interval = load.IntervalStart.ToUnixTimeSeconds();
            var acked = await PostCrossingOrdersAsync(first, load, perHousehold: 4);
            acked.Count.ShouldBe(24);
            await first.KillAsync();
        }

        var afterGate = DateTimeOffset.FromUnixTimeSeconds(interval + 60);
        await using (var clearing = await StartAsync(afterGate, runJobs: true, faultPoint: FaultPoints.ClearingBeforeCommit))
        {
            (await clearing.FaultReachedAsync(TimeSpan.FromSeconds(90))).ShouldBe(FaultPoints.ClearingBeforeCommit);
            await clearing.KillAsync();
        }

        // Nothing of the interrupted clearing survived the kill.
        (await CountAsync($"SELECT COUNT(*) FROM \"Blocks\" WHERE \"IntervalStart\" = {interval}")).ShouldBe(0);
        (await CountAsync($"SELECT COUNT(*) FROM \"Trades\"")).ShouldBe(0);
        (await CountAsync($"SELECT COUNT(*) FROM \"Postings\"")).ShouldBe(0);
        (await CountAsync($"SELECT COUNT(*) FROM \"ClearedIntervals\"")).ShouldBe(0);

        await using var restarted = await StartAsync(afterGate.AddSeconds(30), runJobs: true);
        using var http = restarted.CreateClient();
        await WaitUntilClearedAsync(http, interval);

        // The export ends at the signed checkpoint, which is signed just after the blocks are committed: the
        // interval can be listed as cleared a moment before its blocks are published.
        var report = await PublishedWithTradesAsync(http);
        // A running market holds its SQLite file for itself: the rows are read once it is gone.
        await restarted.KillAsync();
        report.IsValid.ShouldBeTrue(report.Failure?.ToString());
        report.TradeCount.ShouldBeGreaterThan(0);
        (await CountAsync($"SELECT COUNT(*) FROM \"Blocks\" WHERE \"IntervalStart\" = {interval} AND \"Kind\" = {(int)BlockKind.Clearing}")).ShouldBe(1);
        (await CountAsync($"SELECT COUNT(*) FROM \"Blocks\" WHERE \"IntervalStart\" = {interval} AND \"Kind\" = {(int)BlockKind.OrderBook}")).ShouldBe(1);
        (await CountAsync($"SELECT COUNT(*) FROM \"Trades\" WHERE \"IntervalStart\" = {interval}")).ShouldBe(report.TradeCount);
        (await CountAsync($"SELECT COUNT(*) FROM \"Postings\"")).ShouldBe(2 * report.TradeCount);
        (await CountAsync($"SELECT COALESCE(SUM(\"Amount\"), 0) FROM \"Postings\"")).ShouldBe(0);
        (await CountAsync($"SELECT COUNT(*) FROM \"Orders\" WHERE \"IntervalStart\" = {interval} AND \"Status\" = 0")).ShouldBe(0);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async Task OrderStream_KilledMidway_EveryAcknowledgedOrderIsStored(string database)
    {
        _database = database;
        var acked = new ConcurrentBag<long>();
        var errors = 0;
        await using (var app = await StartAsync(Monday, runJobs: false))
        {
            var load = await LoadHouseholdsAsync(app, 16);
            using var stop = new CancellationTokenSource();
            var clients = load.Households.Select(async (h, i) =>
            {
                using var http = app.CreateClient();
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", h.Token);
                await CrashAgents.EnrolAsync(http, load, h);
                var n = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var id = await PostAsync(http, i % 2 == 0 ? "sell" : "buy", 100 + (n++ % 50), (load.PriceFloor + load.PriceCeiling) / 2, load.IntervalStart);
                        if (id is long stored)
                        {
                            acked.Add(stored);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        // The process is gone (or stalled past the client's timeout): this client stops.
                        Interlocked.Increment(ref errors);
                        return;
                    }
                }
            }).ToArray();

            // Kill while every client has a request in flight.
            // Fails, rather than hangs, if the app stalls or every client stopped before that.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (acked.Count < 300)
            {
                if (clients.All(c => c.IsCompleted) || DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{acked.Count} orders acknowledged, {errors} clients failed before 300 were: {app.Output}");
                }

                await Task.Delay(20);
            }

            await app.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(clients);
        }

        await using (await StartAsync(Monday.AddMinutes(1), runJobs: false))
        {
            // It starts again on what the kill left; a running market holds its SQLite file, so read after it.
        }

        var stored = await IdsAsync("SELECT \"Id\" FROM \"Orders\"");
        acked.Count.ShouldBeGreaterThanOrEqualTo(300);
        acked.Except(stored).ShouldBeEmpty();
        errors.ShouldBeGreaterThan(0, "the kill should have cut requests in flight");
    }

    /// <summary>The data folder and its PostgreSQL database go, whatever the outcome (a failure to drop the database fails the test).</summary>
    public void Dispose() => _folder.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private Task<AppProcess> StartAsync(DateTimeOffset clock, bool runJobs, string? faultPoint = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Market:DataDirectory"] = _folder.Path,
            ["Market:RunJobs"] = runJobs ? "true" : "false",
            ["Demo:Enabled"] = "true",
            ["Demo:Simulate"] = "false",
            // The demo's own witnesses are tested on their own (WitnessJourneyTests); here they would only add work.
            ["Witnessing:DemoWitnesses"] = "0",
            ["Testing:ClockStart"] = clock.ToString("O", CultureInfo.InvariantCulture),
        };
        if (_database == "PostgreSql")
        {
            settings["Market:Database"] = "PostgreSql";
            settings["Market:ConnectionString"] = TestDatabase.PostgresFor(_folder.Path);
        }
        if (faultPoint is not null)
        {
            settings["Testing:FaultPoint"] = faultPoint;
        }

        return AppProcess.StartAsync(settings);
    }

    internal static async Task<LoadHouseholdsResponse> LoadHouseholdsAsync(AppProcess app, int count)
    {
        using var http = app.CreateClient();
        using var response = await http.PostAsync(new Uri($"api/demo/load-households?count={count}", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<LoadHouseholdsResponse>())!;
    }

    /// <summary>Even households sell cheap, odd ones buy dear, so the book crosses and trades result.</summary>
    private static async Task<List<long>> PostCrossingOrdersAsync(AppProcess app, LoadHouseholdsResponse load, int perHousehold)
    {
        var ids = new List<long>();
        for (var i = 0; i < load.Households.Count; i++)
        {
            using var http = app.CreateClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", load.Households[i].Token);
            await CrashAgents.EnrolAsync(http, load, load.Households[i]);
            for (var k = 0; k < perHousehold; k++)
            {
                var sell = i % 2 == 0;
                var price = sell ? load.PriceFloor + (100 * (k + 1)) : load.PriceCeiling - (100 * (k + 1));
                ids.Add(await PostAsync(http, sell ? "sell" : "buy", 200 + (50 * k) + (10 * i), price, load.IntervalStart) ?? throw new InvalidOperationException("order refused"));
            }
        }

        return ids;
    }

    internal static async Task<long?> PostAsync(HttpClient http, string side, long energyWh, long price, DateTimeOffset interval)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/orders", UriKind.Relative), CrashAgents.Body(http, side, energyWh, price, interval));
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return null;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>The verified export once it holds trades (or, after 30 s, as it is then).</summary>
    private static async Task<VerificationResult> PublishedWithTradesAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var export = await http.GetByteArrayAsync(new Uri("api/ledger/export", UriKind.Relative));
            var report = ChainVerifier.VerifyExport(new MemoryStream(export), new MatchingReplayer());
            if (!report.IsValid || report.TradeCount > 0 || DateTime.UtcNow >= deadline)
            {
                return report;
            }

            await Task.Delay(250);
        }
    }

    private static async Task WaitUntilClearedAsync(HttpClient http, long interval)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var start = DateTimeOffset.FromUnixTimeSeconds(interval);
        while (DateTime.UtcNow < deadline)
        {
            var intervals = await http.GetFromJsonAsync<List<JsonElement>>(new Uri("api/market/intervals", UriKind.Relative));
            if (intervals!.Any(e => e.GetProperty("intervalStart").GetDateTimeOffset() == start))
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Interval {start:O} was not cleared after the restart.");
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private async Task<HashSet<long>> IdsAsync(string sql)
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var ids = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private DbConnection Open() => _database == "PostgreSql"
        ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestDatabase.PostgresFor(_folder.Path)) { Pooling = false }.ToString())
        : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder.Path, "market.db"), Pooling = false }.ToString());
}
