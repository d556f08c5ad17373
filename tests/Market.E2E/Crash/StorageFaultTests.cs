extern alias cli;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Market.Web.Accounts;
using Market.Web.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Market.E2E.Crash;

/// <summary>
/// The app as a real process on a real disk that stops taking writes under order load. SQLite kept its WAL index in a
/// memory-mapped file; a write to a mapped page of a file the kernel may no longer write raised SIGBUS and killed the
/// process without a log line. Now the process lives, says why it cannot write, reports not ready, and recovers by
/// itself when the disk takes writes again.
/// </summary>
[Collection("processes")]
public sealed class StorageFaultTests
{
    private static readonly DateTimeOffset Monday = new(2026, 6, 15, 10, 2, 0, TimeSpan.Zero);

    [Fact]
    public async Task OrderLoad_DatabaseFilesTurnReadOnly_ProcessLivesSaysWhyIsNotReadyAndRecovers()
    {
        await using var disk = await Ext4Disk.MountAsync(megabytes: 64);
        var data = Path.Combine(disk.Path, "data");
        var acked = new ConcurrentBag<long>();
        var refused = 0;
        await using (var app = await AppProcess.StartAsync(new Dictionary<string, string>
        {
            ["Market:DataDirectory"] = data,
            ["Market:RunJobs"] = "false",
            ["Demo:Enabled"] = "true",
            ["Demo:Simulate"] = "false",
            // The demo's own witnesses are tested on their own (WitnessJourneyTests); here they would only add work.
            ["Witnessing:DemoWitnesses"] = "0",
            ["Testing:ClockStart"] = Monday.ToString("O", CultureInfo.InvariantCulture),
        }))
        {
            var load = await CrashTests.LoadHouseholdsAsync(app, 16);
            using var stop = new CancellationTokenSource();
            var clients = load.Households.Select(async (h, i) =>
            {
                using var http = app.CreateClient();
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", h.Token);
                await CrashAgents.EnrolAsync(http, load, h);
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    if (await CrashTests.PostAsync(http, i % 2 == 0 ? "sell" : "buy", 100 + (n % 50), (load.PriceFloor + load.PriceCeiling) / 2, load.IntervalStart) is long id)
                    {
                        acked.Add(id);
                    }
                    else
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            }).ToArray();
            using var probe = app.CreateClient();
            await WaitUntilAsync(() => acked.Count >= 200, app, "200 orders acknowledged");

            disk.Immutable(true);
            // Written back, the pages of every file are clean again: the next write to a mapped one would fault.
            disk.Sync();
            var refusedBefore = Volatile.Read(ref refused);
            await WaitUntilAsync(() => Volatile.Read(ref refused) > refusedBefore + 500, app, "500 orders refused");
            disk.Sync();
            await WaitUntilAsync(async () => (await probe.GetAsync(new Uri("health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.ServiceUnavailable, app, "not ready");

            app.HasExited.ShouldBeFalse(app.Output);
            app.Output.ShouldContain("The database cannot be written: ");
            File.Exists(Path.Combine(data, "market.db-shm")).ShouldBeFalse();
            disk.Immutable(false);
            await WaitUntilAsync(async () => (await probe.GetAsync(new Uri("health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, app, "ready again");
            var ackedBefore = acked.Count;
            await WaitUntilAsync(() => acked.Count > ackedBefore + 100, app, "100 more orders acknowledged");
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            await app.KillAsync();
        }

        var stored = await StoredOrderIdsAsync(data);
        acked.Except(stored).ShouldBeEmpty();
    }

    [Fact]
    public async Task Backup_FileOfARunningMarket_RefusedNamingTheWayThroughTheMarket()
    {
        var data = Directory.CreateTempSubdirectory("market-held-").FullName;
        try
        {
            await using (var app = await AppProcess.StartAsync(new Dictionary<string, string>
            {
                ["Market:DataDirectory"] = data,
                ["Market:RunJobs"] = "false",
                ["Demo:Enabled"] = "true",
                ["Demo:Simulate"] = "false",
                // The demo's own witnesses are tested on their own (WitnessJourneyTests); here they would only add work.
                ["Witnessing:DemoWitnesses"] = "0",
            }))
            {
                var (exit, _, stderr) = await BackupAsync(Path.Combine(data, "market.db"), Path.Combine(data, "copy.db"));

                exit.ShouldBe(2, stderr);
                stderr.ShouldContain("is held by the running market");
                stderr.ShouldContain("market backup https://");
                File.Exists(Path.Combine(data, "copy.db")).ShouldBeFalse();
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Backup_RunningMarketsUrlWithOperatorToken_ConsistentCopyWithEveryBlock()
    {
        await using var app = new MarketFactory(database: MarketDatabase.Sqlite);
        app.UseKestrel(0);
        app.StartServer();
        var interval = app.Get<MarketClock>().FirstOpenInterval();
        await app.AnnaSellsToBenAsync(interval);
        await app.CloseGateAndClearAsync(interval);
        string operatorId;
        await using (var db = app.CreateDb())
        {
            operatorId = db.Users.Single(u => u.Email == "operator@demo.energy").Id;
        }

        var (_, token) = await app.Get<ApiTokenService>().CreateAsync(operatorId, "backup");
        var copy = Path.Combine(app.DataDirectory, "backup.db");

        var (exit, stdout, stderr) = await BackupAsync(app.ClientOptions.BaseAddress.ToString(), copy, "--token", token);

        exit.ShouldBe(0, stderr);
        await using var db2 = app.CreateDb();
        stdout.ShouldContain($"{db2.Blocks.Count():N0} ledger blocks, integrity ok");
        File.Exists(copy + ".partial").ShouldBeFalse();
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> BackupAsync(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(cli::Market.Cli.Commands.BackupCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(["backup", .. args]).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static Task WaitUntilAsync(Func<bool> done, AppProcess app, string what) => WaitUntilAsync(() => Task.FromResult(done()), app, what);

    /// <summary>Polls until <paramref name="done"/>; fails at once when the process died, and after two minutes.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> done, AppProcess app, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!await done())
        {
            if (app.HasExited)
            {
                throw new InvalidOperationException($"The app died waiting for: {what}.\n{app.Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited two minutes for: {what}.\n{app.Output}");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<HashSet<long>> StoredOrderIdsAsync(string data)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data, "market.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\" FROM \"Orders\"";
        var ids = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>
    /// A 64 MB ext4 file system in a file, loop-mounted under the temp folder (root only: the test fails without
    /// it). ext4 refuses writes to an immutable file (<c>chattr +i</c>), also through a file already open for
    /// writing and through a mapped page: the way a disk turns read-only under a running process.
    /// </summary>
    private sealed class Ext4Disk : IAsyncDisposable
    {
        private readonly string _image;

        private Ext4Disk(string path, string image)
        {
            Path = path;
            _image = image;
        }

        public string Path { get; }

        public static async Task<Ext4Disk> MountAsync(int megabytes)
        {
            var root = Directory.CreateTempSubdirectory("market-ext4-").FullName;
            var image = System.IO.Path.Combine(root, "disk.img");
            var mount = System.IO.Path.Combine(root, "mnt");
            Directory.CreateDirectory(mount);
            await using (var file = File.Create(image))
            {
                file.SetLength(megabytes * 1024L * 1024L);
            }

            foreach (var (tool, args) in new[] { ("mkfs.ext4", new[] { "-q", "-F", image }), ("mount", new[] { "-o", "loop", image, mount }) })
            {
                var (code, output) = await RunAsync(tool, args);
                if (code != 0)
                {
                    Directory.Delete(root, recursive: true);
                    throw new InvalidOperationException($"This test loop-mounts an ext4 file system and needs root, e2fsprogs and loop devices for it (test.sh runs as root in CI): {tool} said {output}");
                }
            }

            return new Ext4Disk(mount, image);
        }

        public void Immutable(bool on)
        {
            var files = Directory.GetFiles(Path, "*", SearchOption.AllDirectories);
            var (code, output) = RunAsync("chattr", [on ? "+i" : "-i", .. files]).GetAwaiter().GetResult();
            if (code != 0)
            {
                throw new InvalidOperationException($"chattr said {output}");
            }
        }

        public void Sync() => RunAsync("sync", ["-f", Path]).GetAwaiter().GetResult();

        public async ValueTask DisposeAsync()
        {
            SqliteConnection.ClearAllPools();
            Immutable(false);
            await RunAsync("umount", ["--lazy", Path]);
            Directory.Delete(System.IO.Path.GetDirectoryName(_image)!, recursive: true);
        }

        private static async Task<(int Code, string Output)> RunAsync(string file, string[] args)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            try
            {
                using var process = Process.Start(start)!;
                var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                return (process.ExitCode, output.Trim());
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (-1, e.Message);
            }
        }
    }
}
