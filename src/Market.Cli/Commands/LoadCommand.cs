using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market load</c>: drives a market's REST API with many households (tokens from the demo's load-household
/// endpoint), at a target rate, and reports throughput, latency percentiles, errors, and whether every order
/// acknowledged with 201 is there afterwards. Exit 0 when nothing failed and nothing was lost, 1 otherwise,
/// 2 when the market cannot be reached or set up.
/// </summary>
internal static class LoadCommand
{
    public static Command Create(Func<HttpClient>? http = null)
    {
        var url = new Option<string>("--url") { Description = "The market's base URL.", Required = true };
        var households = new Option<int>("--households") { Description = "Households placing orders (1-1000).", DefaultValueFactory = _ => 64 };
        var rate = new Option<int>("--orders-per-second") { Description = "Target order rate.", DefaultValueFactory = _ => 1000 };
        var duration = new Option<int>("--duration") { Description = "Seconds to run.", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at most.", DefaultValueFactory = _ => 64 };
        var command = new Command("load", "Load-test the order API of a market running in demo mode.") { url, households, rate, duration, concurrency };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(url)!, parse.GetValue(households), parse.GetValue(rate), parse.GetValue(duration), parse.GetValue(concurrency),
            http ?? (() => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { Timeout = TimeSpan.FromSeconds(30) }),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command;
    }

    private sealed record Setup(List<Household> Households, DateTimeOffset IntervalStart, long PriceFloor, long PriceCeiling, long MaxEnergyWh);

    private sealed record Household(string Email, string Token);

    private static async Task<int> RunAsync(string url, int households, int rate, int duration, int concurrency, Func<HttpClient> http, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (households is < 1 or > 1000 || rate < 1 || duration < 1 || concurrency < 1)
        {
            error.WriteLine("market load: households 1-1000, and rate, duration and concurrency at least 1.");
            return 2;
        }

        using var client = http();
        var baseUri = new Uri(url.TrimEnd('/') + "/");
        Setup? setup;
        try
        {
            using var response = await client.PostAsync(new Uri(baseUri, $"api/demo/load-households?count={households}"), null, ct);
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"market load: {url} refused to create load households ({(int)response.StatusCode}); is it in demo mode?");
                return 2;
            }

            setup = await response.Content.ReadFromJsonAsync<Setup>(new JsonSerializerOptions(JsonSerializerDefaults.Web), ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            error.WriteLine($"market load: cannot reach {url}: {e.Message}");
            return 2;
        }

        if (setup is null || setup.Households.Count == 0)
        {
            error.WriteLine($"market load: {url} returned no load households.");
            return 2;
        }

        var total = checked(rate * duration);
        var latencies = new long[total];
        var statuses = new int[total];
        var acknowledged = new long[total];
        var next = -1;
        var random = new Random(7);
        var plan = Enumerable.Range(0, total).Select(i => (Household: i % setup.Households.Count, Buy: random.Next(2) == 0, Energy: (long)random.Next(100, (int)Math.Min(2000, setup.MaxEnergyWh)), Price: setup.PriceFloor + random.NextInt64(setup.PriceCeiling - setup.PriceFloor + 1))).ToArray();
        var ticks = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();

        async Task WorkerAsync()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= total)
                {
                    return;
                }

                // Open-loop pacing: order i is due at start + i / rate.
                var due = start + (long)((double)i / rate * ticks);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / ticks), ct);
                }

                var p = plan[i];
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "api/orders"))
                {
                    Content = JsonContent.Create(new { side = p.Buy ? "buy" : "sell", energyWh = p.Energy, limitPrice = p.Price, intervalStart = setup.IntervalStart }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", setup.Households[p.Household].Token);
                request.Headers.Add("Idempotency-Key", $"load-{start}-{i}");
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request, ct);
                    statuses[i] = (int)response.StatusCode;
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                        acknowledged[i] = body.RootElement.GetProperty("id").GetInt64();
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    statuses[i] = -1;
                }

                latencies[i] = Stopwatch.GetTimestamp() - sent;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync, ct)));
        var elapsed = (double)(Stopwatch.GetTimestamp() - start) / ticks;

        // Every order acknowledged with 201 must be stored.
        var stored = new HashSet<long>();
        foreach (var h in setup.Households)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "api/orders"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Token);
            using var response = await client.SendAsync(request, ct);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            foreach (var o in body.RootElement.EnumerateArray())
            {
                stored.Add(o.GetProperty("id").GetInt64());
            }
        }

        var ok = acknowledged.Where(id => id > 0).ToList();
        var lost = ok.Count(id => !stored.Contains(id));
        var errors = statuses.Where(s => s != 201).GroupBy(s => s).OrderBy(g => g.Key).ToList();
        var ms = latencies.Select(l => l * 1000.0 / ticks).Order().ToArray();
        double P(double q) => ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(q * ms.Length) - 1)];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{total:N0} orders from {setup.Households.Count} households in {elapsed:0.0} s: {total / elapsed:N0} orders/s (target {rate:N0}/s, {concurrency} in flight)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency ms: p50 {P(0.50):0.0}, p95 {P(0.95):0.0}, p99 {P(0.99):0.0}, max {ms[^1]:0.0}"));
        output.WriteLine(errors.Count == 0 ? "errors: none" : "errors: " + string.Join(", ", errors.Select(g => $"{(g.Key < 0 ? "network" : g.Key.ToString(CultureInfo.InvariantCulture))} × {g.Count()}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"acknowledged {ok.Count:N0}; missing afterwards: {lost}"));
        return errors.Count == 0 && lost == 0 ? 0 : 1;
    }
}
