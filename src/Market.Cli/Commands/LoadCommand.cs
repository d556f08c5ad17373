using Market.Ledger;
using System.Security.Cryptography;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market load</c>: drives a market's REST API with many households (tokens from the demo's load-household
/// endpoint), as fast as <c>--concurrency</c> clients can go or at a target rate, for a number of orders or of
/// seconds, and reports throughput, latency percentiles, errors, and whether every order acknowledged with 201 is
/// there afterwards. Exit 0 when nothing failed and nothing was lost, 1 otherwise, 2 when the market cannot be
/// reached or set up.
/// </summary>
internal static class LoadCommand
{
    private const int MaxOrders = 10_000_000;

    public static Command Create(Func<int, HttpClient>? http = null)
    {
        var url = new Option<string>("--url") { Description = "The market's base URL.", Required = true };
        var households = new Option<int>("--households") { Description = "Households placing orders (1-1000).", DefaultValueFactory = _ => 64 };
        var orders = new Option<int?>("--orders") { Description = "Orders to post in all (instead of running for --duration seconds)." };
        var rate = new Option<int>("--orders-per-second") { Description = "Target order rate (open loop); 0 = as fast as the clients go.", DefaultValueFactory = _ => 0 };
        var duration = new Option<int>("--duration") { Description = "Seconds to run (with a rate: orders = rate × seconds).", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent clients (requests in flight at most).", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Orders per request (1-64): above 1, each request posts one agent submission to /api/orders/batch.", DefaultValueFactory = _ => 1 };
        var command = new Command("load", "Load-test the order API of a market running in demo mode.") { url, households, orders, rate, duration, concurrency, batch };
        command.SetAction((parse, ct) =>
        {
            var plan = new LoadPlan(parse.GetValue(households), parse.GetValue(orders), parse.GetValue(rate), parse.GetValue(duration), parse.GetValue(concurrency), parse.GetValue(batch));
            return RunAsync(parse.GetValue(url)!, plan, http ?? CreateClient, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct);
        });
        return command;
    }

    /// <summary>One pooled connection per client, kept open; no cookies, no decompression: the generator stays cheap.</summary>
    private static HttpClient CreateClient(int concurrency) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = concurrency,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    private sealed record LoadPlan(int Households, int? Orders, int Rate, int Duration, int Concurrency, int Batch = 1);

    private sealed record Setup(List<Household> Households, DateTimeOffset IntervalStart, DateTimeOffset IntervalEnd, long PriceFloor, long PriceCeiling, long MaxEnergyWh, string LedgerId);

    private sealed record Household(string Email, string Token, string Pseudonym);

    /// <summary>Orders one agent signs at once (one signature per submission, docs/adr/0029).</summary>
    private const int PerSubmission = 16;

    /// <summary>Signed order bodies prepared before the timed run at most.</summary>
    private const int MaxPrepared = 400_000;

    private static async Task<int> RunAsync(string url, LoadPlan plan, Func<int, HttpClient> http, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (plan.Households is < 1 or > 1000 || plan.Orders is < 1 or > MaxOrders || plan.Rate < 0 || plan.Duration < 1 || plan.Concurrency is < 1 or > 10_000 || plan.Batch is < 1 or > 64)
        {
            error.WriteLine("market load: households 1-1000, orders 1-10,000,000, rate 0 or more, duration and concurrency at least 1, batch 1-64.");
            return 2;
        }

        using var client = http(plan.Concurrency);
        var baseUri = new Uri(url.TrimEnd('/') + "/");
        Setup? setup;
        try
        {
            using var response = await client.PostAsync(new Uri(baseUri, $"api/demo/load-households?count={plan.Households}"), null, ct);
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"market load: {url} refused to create load households ({(int)response.StatusCode}); is it in demo mode (Demo:Enabled=true)?");
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

        // Fixed count: --orders, or rate × duration when paced; otherwise as many as fit into --duration seconds.
        var fixedTotal = plan.Orders ?? (plan.Rate > 0 ? checked(plan.Rate * plan.Duration) : (int?)null);
        var capacity = fixedTotal ?? MaxOrders;
        // Every load household is an agent with a P-256 key of its own, enrolled as its first key; its orders are signed
        // before the timed run, PerSubmission at a time, so the generator spends the run on requests.
        var agents = new ECDsa[setup.Households.Count];
        for (var h = 0; h < agents.Length; h++)
        {
            agents[h] = AgentKey(setup.LedgerId, setup.Households[h].Pseudonym);
            if (await EnrolAsync(client, baseUri, setup, setup.Households[h], agents[h], ct) is { } refused)
            {
                error.WriteLine($"market load: {url} refused the agent key of {setup.Households[h].Email}: {refused}");
                return 2;
            }
        }

        capacity = Math.Min(capacity, MaxPrepared);
        // One request per order, or (--batch) one per agent submission of that many orders.
        var requests = Requests(setup, agents, capacity, plan.Batch);
        var authorizations = setup.Households.Select(h => "Bearer " + h.Token).ToArray();
        var run = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);
        var uri = new Uri(baseUri, plan.Batch > 1 ? "api/orders/batch" : "api/orders");
        capacity = requests.Length;
        var ticks = Stopwatch.Frequency;
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        var deadline = fixedTotal is null ? start + (plan.Duration * ticks) : long.MaxValue;

        // Each client keeps its own results: nothing shared on the hot path but the order counter.
        async Task<List<Result>> WorkerAsync()
        {
            var results = new List<Result>();
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= capacity || Stopwatch.GetTimestamp() >= deadline)
                {
                    return results;
                }

                if (plan.Rate > 0)
                {
                    // Open-loop pacing: request i (orders i·batch …) is due at start + i·batch / rate.
                    var wait = start + (long)((double)i * plan.Batch / plan.Rate * ticks) - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / ticks), ct);
                    }
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(requests[i].Body) };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                request.Headers.TryAddWithoutValidation("Authorization", authorizations[requests[i].Household]);
                request.Headers.TryAddWithoutValidation("Idempotency-Key", string.Create(CultureInfo.InvariantCulture, $"load-{run}-{i}"));
                var result = new Result { Orders = requests[i].Orders };
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request, ct);
                    result.Status = (int)response.StatusCode;
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
                        result.Ids.Add(body.RootElement.GetProperty("id").GetInt64());
                    }
                    else if (plan.Batch > 1 && response.StatusCode == HttpStatusCode.OK)
                    {
                        // One result per order: 201 with the order, or why not.
                        using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
                        foreach (var item in body.RootElement.GetProperty("results").EnumerateArray())
                        {
                            var status = item.GetProperty("status").GetInt32();
                            if (status == 201)
                            {
                                result.Ids.Add(item.GetProperty("order").GetProperty("id").GetInt64());
                            }
                            else
                            {
                                result.Refused.Add(status);
                            }
                        }
                    }
                    else
                    {
                        await response.Content.LoadIntoBufferAsync(ct);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    result.Status = -1;
                }

                result.Latency = Stopwatch.GetTimestamp() - sent;
                results.Add(result);
            }
        }

        var perClient = await Task.WhenAll(Enumerable.Range(0, plan.Concurrency).Select(_ => Task.Run(WorkerAsync, ct)));
        var elapsed = (double)(Stopwatch.GetTimestamp() - start) / ticks;
        var done = perClient.SelectMany(r => r).ToArray();
        var ordersSent = done.Sum(r => r.Orders);

        // Every order acknowledged with 201 must be stored.
        var acknowledged = done.SelectMany(r => r.Ids).ToList();
        var stored = await StoredIdsAsync(client, baseUri, setup, acknowledged.Count == 0 ? 0 : acknowledged.Min() - 1, ct);
        var lost = acknowledged.Count(id => !stored.Contains(id));
        var duplicates = acknowledged.Count - acknowledged.Distinct().Count();
        var expected = plan.Batch > 1 ? 200 : 201;
        var errors = done.Where(r => r.Status != expected).Select(r => r.Status).Concat(done.SelectMany(r => r.Refused))
            .GroupBy(status => status).OrderBy(g => g.Key).ToList();
        var ms = done.Select(r => r.Latency * 1000.0 / ticks).Order().ToArray();
        double P(double q) => ms.Length == 0 ? 0 : ms[Math.Min(ms.Length - 1, Math.Max(0, (int)Math.Ceiling(q * ms.Length) - 1))];
        var pacing = plan.Rate > 0 ? $"target {plan.Rate:N0}/s" : "unpaced";
        var batching = plan.Batch > 1 ? string.Create(CultureInfo.InvariantCulture, $", {plan.Batch} orders per request: {done.Length / elapsed:N0} requests/s") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ordersSent:N0} orders from {setup.Households.Count} households in {elapsed:0.0} s: {ordersSent / elapsed:N0} orders/s ({pacing}, {plan.Concurrency} clients{batching})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency ms: p50 {P(0.50):0.0}, p95 {P(0.95):0.0}, p99 {P(0.99):0.0}, max {(ms.Length == 0 ? 0 : ms[^1]):0.0}"));
        output.WriteLine(errors.Count == 0 ? "errors: none" : "errors: " + string.Join(", ", errors.Select(g => $"{(g.Key < 0 ? "network" : g.Key.ToString(CultureInfo.InvariantCulture))} × {g.Count()}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"acknowledged {acknowledged.Count:N0}; missing afterwards: {lost}"));
        if (duplicates > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ids acknowledged twice: {duplicates}"));
        }

        return errors.Count == 0 && lost == 0 && duplicates == 0 ? 0 : 1;
    }

    /// <summary>
    /// The requests, serialised and signed up front: order i is household i mod n's, each with a fresh nonce, signed
    /// PerSubmission (or, batched, <paramref name="batch"/>) at a time by that household's agent key. Unbatched, request
    /// i is order i; batched, each request is one submission.
    /// </summary>
    private static LoadRequest[] Requests(Setup setup, ECDsa[] agents, int count, int batch)
    {
        var random = new Random(7);
        var ledgerId = Convert.FromHexString(setup.LedgerId);
        var start = setup.IntervalStart.ToUnixTimeSeconds();
        var end = setup.IntervalEnd.ToUnixTimeSeconds();
        var interval = setup.IntervalStart.ToString("O", CultureInfo.InvariantCulture);
        var n = agents.Length;
        var single = new LoadRequest[batch == 1 ? count : 0];
        var batched = new List<(int First, LoadRequest Request)>();
        var orders = Enumerable.Range(0, count).Select(_ => (
            Side: random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell,
            Energy: (long)random.Next(100, (int)Math.Min(2000, setup.MaxEnergyWh)),
            Price: setup.PriceFloor + random.NextInt64(setup.PriceCeiling - setup.PriceFloor + 1),
            Nonce: RandomNumberGenerator.GetBytes(16))).ToArray();
        for (var h = 0; h < n; h++)
        {
            var party = PartyId.FromBytes(Convert.FromHexString(setup.Households[h].Pseudonym));
            var keyId = KeyIdOf(agents[h]);
            var mine = Enumerable.Range(0, count).Where(i => i % n == h).ToList();
            foreach (var chunk in mine.Chunk(batch == 1 ? PerSubmission : batch))
            {
                var hashes = chunk.Select(i => Statement.Hash(Statement.Encode(ledgerId, party, StatementType.Order,
                    Statement.OrderBody(start, end, orders[i].Side, orders[i].Energy, orders[i].Price, orders[i].Nonce)))).ToList();
                var signatures = Sign(agents[h], keyId, hashes);
                var json = chunk.Select((i, k) => new
                {
                    side = orders[i].Side == OrderSide.Buy ? "buy" : "sell",
                    energyWh = orders[i].Energy,
                    limitPrice = orders[i].Price,
                    intervalStart = interval,
                    nonce = Convert.ToHexStringLower(orders[i].Nonce),
                    signature = SignatureJson(signatures[k]),
                }).ToArray();
                if (batch == 1)
                {
                    for (var k = 0; k < chunk.Length; k++)
                    {
                        single[chunk[k]] = new LoadRequest(JsonSerializer.SerializeToUtf8Bytes(json[k]), h, 1);
                    }
                }
                else
                {
                    batched.Add((chunk[0], new LoadRequest(JsonSerializer.SerializeToUtf8Bytes(new { orders = json }), h, chunk.Length)));
                }
            }
        }

        // Batched requests interleave the households as single orders do.
        return batch == 1 ? single : [.. batched.OrderBy(b => b.First).Select(b => b.Request)];
    }

    /// <summary>
    /// A load household's agent key, derived from the ledger id and its pseudonym: a second run against the same market
    /// signs with the key the first one enrolled. (Load households exist in demo mode only, whose passwords are
    /// published anyway; a real agent makes a random key and keeps it.)
    /// </summary>
    private static ECDsa AgentKey(string ledgerId, string pseudonym)
    {
        var order = new System.Numerics.BigInteger(Convert.FromHexString("00ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"), isUnsigned: true, isBigEndian: true);
        for (var counter = 0; ; counter++)
        {
            var seed = SHA256.HashData(Encoding.ASCII.GetBytes($"market load agent|{ledgerId}|{pseudonym}|{counter}"));
            var d = new System.Numerics.BigInteger(seed, isUnsigned: true, isBigEndian: true);
            if (d.IsZero || d >= order)
            {
                continue;
            }

            var key = ECDsa.Create();
            key.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = seed });
            return key;
        }
    }

    /// <summary>Enrols the agent's key as its household's first key (self-signed) unless it is enrolled; the refusal, or null.</summary>
    private static async Task<string?> EnrolAsync(HttpClient client, Uri baseUri, Setup setup, Household household, ECDsa agent, CancellationToken ct)
    {
        var key = HouseholdKey.Create(HouseholdKeyAlgorithm.P256, PublicKeyOf(agent));
        using (var keys = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "api/household/keys")))
        {
            keys.Headers.TryAddWithoutValidation("Authorization", "Bearer " + household.Token);
            using var listed = await client.SendAsync(keys, ct);
            if (listed.IsSuccessStatusCode && (await listed.Content.ReadAsStringAsync(ct)).Contains(Convert.ToHexStringLower(key.KeyId), StringComparison.Ordinal))
            {
                return null;
            }
        }

        var body = Statement.KeyEnrolmentBody(HouseholdKeyRole.Agent, key);
        var hash = Statement.Hash(Statement.Encode(Convert.FromHexString(setup.LedgerId), PartyId.FromBytes(Convert.FromHexString(household.Pseudonym)), StatementType.KeyEnrolment, body));
        var s = Sign(agent, key.KeyId, [hash])[0];
        var json = JsonSerializer.Serialize(new { statements = new[] { new { type = "keyEnrolment", body = Convert.ToHexStringLower(body), label = "load test agent", signature = SignatureJson(s) } } });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "api/household/statements")) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + household.Token);
        using var response = await client.SendAsync(request, ct);
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        // A load household from an earlier run already has its agent key: a new one would need that key's authorisation.
        return text.Contains("first key", StringComparison.Ordinal) ? "it has a key from an earlier run; start the market on a fresh data folder" : $"{(int)response.StatusCode} {text}";
    }

    private static object SignatureJson(HouseholdSignature s) => new
    {
        keyId = Convert.ToHexStringLower(s.KeyId),
        value = Convert.ToHexStringLower(s.Signature),
        submissionSize = s.SubmissionSize,
        index = s.Index,
        path = s.Path.Select(Convert.ToHexStringLower).ToArray(),
    };

    private static HouseholdSignature[] Sign(ECDsa key, byte[] keyId, IReadOnlyList<byte[]> hashes)
    {
        var root = HouseholdSignature.SubmissionRoot(hashes);
        var value = key.SignData(HouseholdSignature.SignedMessage(root), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return HouseholdSignature.ForSubmission(hashes, keyId, value);
    }

    private static byte[] PublicKeyOf(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    private static byte[] KeyIdOf(ECDsa key) => HouseholdKey.KeyIdOf(HouseholdKeyAlgorithm.P256, PublicKeyOf(key));

    /// <summary>The ids of every load household's orders after <paramref name="afterId"/>, following the API's cursor page by page.</summary>
    private static async Task<HashSet<long>> StoredIdsAsync(HttpClient client, Uri baseUri, Setup setup, long afterId, CancellationToken ct)
    {
        const int Page = 200;
        var stored = new HashSet<long>();
        foreach (var h in setup.Households)
        {
            string? cursor = null;
            do
            {
                var query = string.Create(CultureInfo.InvariantCulture, $"api/orders?limit={Page}") + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, query));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Token);
                using var response = await client.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
                using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
                foreach (var o in body.RootElement.GetProperty("items").EnumerateArray())
                {
                    var id = o.GetProperty("id").GetInt64();
                    if (id > afterId)
                    {
                        stored.Add(id);
                    }
                }

                cursor = body.RootElement.GetProperty("next").GetString();
            }
            while (cursor is not null);
        }

        return stored;
    }

    private sealed class Result
    {
        public int Status { get; set; }

        /// <summary>Orders the request carried.</summary>
        public int Orders { get; init; } = 1;

        /// <summary>Ids acknowledged with 201.</summary>
        public List<long> Ids { get; } = [];

        /// <summary>The statuses of a batch's orders that were not stored.</summary>
        public List<int> Refused { get; } = [];

        public long Latency { get; set; }
    }

    /// <summary>A prepared request: its body, whose token it carries, and how many orders it posts.</summary>
    private sealed record LoadRequest(byte[] Body, int Household, int Orders);
}
