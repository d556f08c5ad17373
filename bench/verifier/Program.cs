using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Market.Ledger;
using Market.Replay;
using Market.VerifierBench;
using Microsoft.Playwright;

// Usage: dotnet run --project bench/verifier -c Release -- [--blocks 10000] [--orders 8] [--runs 3] [--window 8]
// (--window 0 verifies every signature with noble's plain verify instead of the per-key table, for comparison)
var blocks = Option("--blocks", 10_000);
var ordersPerBook = Option("--orders", 8);
var runs = Option("--runs", 3);
var windowBits = Option("--window", 8);
var sliceMs = Option("--slice", 25);
var noSchedulerYield = Array.IndexOf(args, "--no-scheduler-yield") >= 0;
var root = RepositoryRoot();
var bundle = Path.Combine(root, "src", "Market.Web", "wwwroot", "js", "verifier.js");
if (!File.Exists(bundle))
{
    Console.Error.WriteLine($"{bundle} is missing: run `npm ci && npm run build` in src/Market.Web/verifier first.");
    return 1;
}

var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "market-verifier-bench")).FullName;
var exportPath = Path.Combine(folder, $"export-{blocks}.jsonl");

var clock = Stopwatch.StartNew();
var (chain, checkpoint) = LedgerGenerator.Build(blocks, ordersPerBook, seed: 2026);
await using (var file = File.Create(exportPath))
{
    LedgerExport.Write(file, chain, checkpoint);
}

var trades = chain.Where(b => b.Header.Kind == BlockKind.Clearing).Sum(b => b.Leaves.Count);
Console.WriteLine($"generated {chain.Count} blocks, {trades} trades, {new FileInfo(exportPath).Length / 1e6:F1} MB in {clock.Elapsed.TotalSeconds:F1} s: {exportPath}");

clock.Restart();
await using (var file = File.OpenRead(exportPath))
{
    var reference = ChainVerifier.VerifyExport(file, new MatchingReplayer());
    Console.WriteLine($"C# ChainVerifier (with replay): {(reference.IsValid ? "valid" : reference.Failure!.ToString())} in {clock.Elapsed.TotalMilliseconds:F0} ms");
    if (!reference.IsValid)
    {
        return 1;
    }
}

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
var page = await browser.NewPageAsync();
Console.WriteLine($"Chromium {browser.Version}");

// A plain loopback HTTP server, so the export streams to the page as it would from the app (request interception
// would hand the whole body over at once). localhost keeps the page a secure context (WebCrypto available).
var files = new Dictionary<string, (byte[] Body, string Type)>
{
    ["/"] = ("<!DOCTYPE html><title>verifier bench</title><script type=\"module\">import { api } from './verifier.js'; window.benchApi = api;</script>"u8.ToArray(), "text/html"),
    ["/verifier.js"] = (await File.ReadAllBytesAsync(bundle), "text/javascript"),
    ["/export.jsonl"] = (await File.ReadAllBytesAsync(exportPath), "application/x-ndjson"),
};
using var server = StaticServer.Start(files);
var origin = server.Origin;
await page.GotoAsync(origin + "/");
await page.WaitForFunctionAsync("() => window.benchApi !== undefined");
if (noSchedulerYield)
{
    await page.EvaluateAsync("() => Object.defineProperty(window, 'scheduler', { value: undefined })");
}

for (var run = 1; run <= runs; run++)
{
    var json = await page.EvaluateAsync<JsonElement>(@"async () => {
        // A 10 ms timer measures how long the page ever went without handling a task (its longest freeze).
        let last = performance.now(), longest = 0, progress = 0;
        const timer = setInterval(() => { const t = performance.now(); longest = Math.max(longest, t - last); last = t; }, 10);
        const t0 = performance.now();
        const result = await window.benchApi.verifyUrl('/export.jsonl', () => progress++, { windowBits: WINDOW, sliceMs: SLICE });
        clearInterval(timer);
        return { valid: result.valid, failure: result.failure, blocks: result.blocks, trades: result.trades,
                 downloadAndVerifyMs: Math.round(result.elapsedMs), longestPauseMs: Math.round(longest), progressReports: progress };
    }".Replace("WINDOW", windowBits.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("SLICE", sliceMs.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
    Console.WriteLine($"run {run}: {json}");
}

var hashes = await page.EvaluateAsync<JsonElement>(@"async () => {
    // SHA-256 of 20,000 header-sized (170-byte) inputs: WebCrypto one by one, WebCrypto in batches of 500, and
    // the bundle's @noble/hashes (synchronous; the 32-byte result is returned as hex).
    const n = 20000, inputs = [];
    for (let i = 0; i < n; i++) { const b = new Uint8Array(170); b[0] = i & 255; b[1] = i >> 8; inputs.push(b); }
    let t = performance.now();
    for (const b of inputs) await crypto.subtle.digest('SHA-256', b);
    const sequential = (performance.now() - t) * 1000 / n;
    t = performance.now();
    for (let i = 0; i < n; i += 500) await Promise.all(inputs.slice(i, i + 500).map(b => crypto.subtle.digest('SHA-256', b)));
    const batched = (performance.now() - t) * 1000 / n;
    t = performance.now();
    for (const b of inputs) window.benchApi.sha256(b);
    const noble = (performance.now() - t) * 1000 / n;
    return { webCryptoSequentialUs: sequential, webCryptoBatchedUs: batched, nobleUs: noble };
}");
Console.WriteLine($"SHA-256 per 170-byte input (µs): {hashes}");
return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static string RepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Market.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}
