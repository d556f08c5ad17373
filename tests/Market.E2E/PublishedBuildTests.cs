using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Market.E2E;

/// <summary>
/// What an operator does with a release: <c>dotnet publish</c> into a folder, then <c>dotnet Market.Web.dll</c> from
/// somewhere else. The output carries everything the app reads (household profiles, the verifier bundle, static
/// files), found relative to the app and not to the working directory.
/// </summary>
public sealed class PublishedBuildTests(PublishedBuild build) : IClassFixture<PublishedBuild>, IDisposable
{
    private readonly string _output = build.Output;
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("market-cwd-").FullName;

    [Fact]
    public async Task Publish_StartedFromAnotherFolder_DemoCommunityTradesAndPagesAreServed()
    {
        await build.PublishAsync();
        var settings = new Dictionary<string, string>
        {
            ["Demo:Enabled"] = "true",
            ["Demo:BackfillDays"] = "1",
        };

        await using var app = await AppProcess.StartAsync(Path.Combine(_output, "Market.Web.dll"), _elsewhere, "Production", settings);
        using var http = app.CreateClient();

        var intervals = await http.GetFromJsonAsync<JsonElement>("/api/market/intervals?limit=200");
        intervals.EnumerateArray().Count(i => i.GetProperty("price").ValueKind == JsonValueKind.Number)
            .ShouldBeGreaterThan(0, "the backfilled day has priced intervals:\n" + app.Output);
        File.Exists(Path.Combine(_output, "demo-data", "households", "citylearn_2022_17homes_hourly_kWh.csv")).ShouldBeTrue();
        (await http.GetAsync("/app.css")).EnsureSuccessStatusCode();
        (await http.GetAsync("/ledger/verify")).EnsureSuccessStatusCode();
        (await http.GetStringAsync("/js/verifier.js")).ShouldContain("verifyExportText", customMessage: "the in-browser verifier's bundle is served");
        Directory.Exists(Path.Combine(_output, "data")).ShouldBeTrue("the data folder is next to the app");
        Directory.EnumerateFileSystemEntries(_elsewhere).ShouldBeEmpty("nothing is written to the working directory");
        Directory.Exists(Path.Combine(_output, "verifier")).ShouldBeFalse("the verifier's npm sources are not shipped");
        (await http.GetStringAsync("/api/ledger/witness-policy")).ShouldContain("witness demo-witness-1 ");
        await WaitWitnessedAsync(http, app);
    }

    /// <summary>The demo's own two witnesses catch up on the backfilled day and cosign the newest checkpoint.</summary>
    private static async Task WaitWitnessedAsync(HttpClient http, AppProcess app)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var status = await http.GetFromJsonAsync<JsonElement>("/api/ledger/witnesses");
            if (status.GetProperty("witnessed").ValueKind == JsonValueKind.Object
                && status.GetProperty("witnessed").GetProperty("cosigners").GetArrayLength() == 2)
            {
                return;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "the demo witnesses did not cosign a checkpoint:\n" + status + "\n" + app.Output);
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Publish_StartedWithTheDefaultConfiguration_NoDemoAndTheDemoOperatorPasswordRefused()
    {
        await build.PublishAsync();
        var dll = Path.Combine(_output, "Market.Web.dll");

        HttpStatusCode load;
        string login;
        await using (var app = await AppProcess.StartAsync(dll, _elsewhere, "Production", new Dictionary<string, string>
        {
            // The one setting Production requires: where households reach the app (the links it mails use it).
            ["Market__PublicBaseUrl"] = "https://market.example.org/",
        }))
        {
            using var http = app.CreateClient();
            using (var response = await http.PostAsync(new Uri("/api/demo/load-households?count=1", UriKind.Relative), null))
            {
                load = response.StatusCode;
            }

            login = await http.GetStringAsync(new Uri("/account/login", UriKind.Relative));
        }

        var (exit, output) = await RunToExitAsync(dll, new Dictionary<string, string>
        {
            ["Market__PublicBaseUrl"] = "https://market.example.org/",
            ["Operator__Email"] = "ops@example.org",
            ["Operator__Password"] = DemoOptions.PublishedPassword,
        });

        load.ShouldBe(HttpStatusCode.NotFound, "no demo endpoint outside demo mode");
        login.ShouldNotContain(DemoOptions.PublishedPassword);
        exit.ShouldNotBe(0, output);
        output.ShouldContain("Operator:Password");
        output.ShouldNotContain("Now listening on");
    }

    // xunit v2 disposes a test class through IDisposable or IAsyncLifetime; it never calls IAsyncDisposable.
    public void Dispose() => Directory.Delete(_elsewhere, recursive: true);

    /// <summary>Starts the published app in Production with <paramref name="environment"/> and waits for it to stop.</summary>
    private async Task<(int Exit, string Output)> RunToExitAsync(string dll, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _elsewhere,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "exec", dll, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var app = Process.Start(start)!;
        var stdout = app.StandardOutput.ReadToEndAsync();
        var stderr = app.StandardError.ReadToEndAsync();
        try
        {
            await app.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            app.Kill(entireProcessTree: true);
            throw;
        }

        return (app.ExitCode, await stdout + await stderr);
    }
}

/// <summary>
/// One <c>dotnet publish</c> for the class: the output is only read (each test starts the app from it with its own
/// working folder, and the data folder the app makes next to itself is removed before the next test starts it).
/// </summary>
public sealed class PublishedBuild : IDisposable
{
    private readonly SemaphoreSlim _once = new(1, 1);
    private bool _published;

    public string Output { get; } = Directory.CreateTempSubdirectory("market-publish-").FullName;

    public async Task PublishAsync()
    {
        await _once.WaitAsync();
        try
        {
            if (!_published)
            {
                await RunPublishAsync();
                _published = true;
            }

            // Each test starts from a published folder as the release ships it: no data folder yet.
            var data = Path.Combine(Output, "data");
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
        finally
        {
            _once.Release();
        }
    }

    public void Dispose()
    {
        Directory.Delete(Output, recursive: true);
        _once.Dispose();
    }

    private async Task RunPublishAsync()
    {
        // The solution is built already (./test.sh builds it); publish only lays the output out.
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppProcess.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "publish", "src/Market.Web", "-c", AppProcess.Configuration, "--no-build", "-o", Output, "-nologo" })
        {
            start.ArgumentList.Add(arg);
        }

        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        publish.ExitCode.ShouldBe(0, await stdout + await stderr);
    }
}
