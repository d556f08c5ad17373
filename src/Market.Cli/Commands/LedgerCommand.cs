using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Market.Ledger;
using Market.Replay;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market ledger verify|receipt|follow</c>: an auditor's tools that trust nothing the server says. Exit codes:
/// 0 valid, 1 tampered (naming the first bad block or trade and why), 2 unreadable input.
/// </summary>
internal static class LedgerCommand
{
    public const int Valid = 0;
    public const int Tampered = 1;
    public const int Unreadable = 2;

    /// <param name="http">Fetches URLs; a real client by default, a test server's in tests.</param>
    public static Command Create(Func<HttpClient>? http = null)
    {
        var makeClient = http ?? (() => new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
        var command = new Command("ledger", "Verify the ledger, a trade receipt, or keep a verified mirror of a market's ledger.");
        command.Subcommands.Add(Verify(makeClient));
        command.Subcommands.Add(Receipt(makeClient));
        command.Subcommands.Add(Follow(makeClient));
        return command;
    }

    private static Command Verify(Func<HttpClient> http)
    {
        var source = new Argument<string>("source") { Description = "An export file, or the market's URL (its /api/ledger/export is fetched)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var kept = new Option<FileInfo?>("--checkpoint") { Description = "A checkpoint kept from earlier (JSON): the ledger must have grown from it, never been rewritten." };
        var openings = new Option<FileInfo?>("--openings") { Description = "Openings of household reconciliation commitments (a household's own, or an auditor's of a range): each opened record is checked, and every reconciliation whose records are all opened is checked in full." };
        var command = new Command("verify", "Recompute every leaf, root, header hash, link, signature and the checkpoint, and replay every interval's clearing.")
        {
            source, json, kept, openings,
        };
        command.SetAction(parse => RunVerify(parse.GetValue(source)!, parse.GetValue(json), parse.GetValue(kept), parse.GetValue(openings), http, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int RunVerify(string source, bool json, FileInfo? keptFile, FileInfo? openingsFile, Func<HttpClient> http, TextWriter output, TextWriter error)
    {
        Checkpoint? kept = null;
        if (keptFile is not null)
        {
            if (!TryReadCheckpoint(keptFile.FullName, out kept, out var why))
            {
                error.WriteLine($"market ledger verify: cannot read the kept checkpoint: {why}");
                return Unreadable;
            }
        }

        IReadOnlyList<ReconciliationOpening>? openings = null;
        if (openingsFile is not null)
        {
            try
            {
                using var file = openingsFile.OpenRead();
                openings = OpeningsFile.Read(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LedgerFormatException)
            {
                error.WriteLine($"market ledger verify: cannot read the openings: {e.Message}");
                return Unreadable;
            }
        }

        VerificationResult result;
        try
        {
            using var client = http();
            using var stream = Open(source, client, ExportUrl);
            result = VerifyStream(stream, kept, error, openings);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or TaskCanceledException or UriFormatException or LedgerFormatException)
        {
            error.WriteLine($"market ledger verify: cannot read {source}: {e.Message}");
            return Unreadable;
        }

        if (result.Failure is { Reason: VerificationFailureReason.MalformedExport } malformed)
        {
            error.WriteLine($"market ledger verify: cannot read {source}: {malformed.Message}");
            return Unreadable;
        }

        if (json)
        {
            output.WriteLine(ResultJson(result));
        }
        else if (result.IsValid)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"valid: {result.BlockCount} blocks, {result.TradeCount} trades, {result.OrderCount} orders, {result.ReconciliationCount} {(result.ReconciliationCount == 1 ? "reconciliation" : "reconciliations")}; every clearing replayed; {ReconciliationScope(result)}; checkpoint size {result.CheckpointSize}, root {Convert.ToHexStringLower(result.LedgerRoot ?? [])}"));
        }
        else
        {
            output.WriteLine($"TAMPERED: {Describe(result.Failure!)}");
        }

        return result.IsValid ? Valid : Tampered;
    }

    /// <summary>What the reconciliations were checked against: the public totals, or opened household records too.</summary>
    internal static string ReconciliationScope(VerificationResult r) => r.OpeningsChecked == 0
        ? "reconciliations: public checks only (tariffs in force, traded energy, community totals; household meter values are sealed as commitments, --openings checks them)"
        : string.Create(CultureInfo.InvariantCulture,
            $"reconciliations: {r.OpeningsChecked} of {r.HouseholdRecords} household records opened and checked{(r.OpeningsUnmatched > 0 ? $" ({r.OpeningsUnmatched} openings matched no record)" : "")}, {r.ReconciliationsFullyChecked} of {r.ReconciliationCount} reconciliations checked in full");

    /// <summary>Streams the export through the verifier block by block, with a progress line on a terminal.</summary>
    internal static VerificationResult VerifyStream(Stream stream, Checkpoint? kept, TextWriter error, IReadOnlyList<ReconciliationOpening>? openings = null)
    {
        var reader = new LedgerExportReader(stream);
        var verifier = new ChainVerifier(new MatchingReplayer(), new ChainVerifierOptions { Openings = openings });
        var progress = !Console.IsErrorRedirected && ReferenceEquals(error, Console.Error);
        long count = 0;
        try
        {
            foreach (var block in reader.ReadBlocks())
            {
                if (!verifier.Append(block))
                {
                    break;
                }

                if (progress && ++count % 500 == 0)
                {
                    error.Write(string.Create(CultureInfo.InvariantCulture, $"\rverifying… {count:N0} blocks"));
                }
            }
        }
        catch (LedgerFormatException e)
        {
            if (progress)
            {
                error.WriteLine();
            }

            return new VerificationResult { Failure = new VerificationFailure(VerificationFailureReason.MalformedExport, null, null, null, e.Message) };
        }

        if (progress && count >= 500)
        {
            error.WriteLine();
        }

        return verifier.Complete(reader.Checkpoint, kept);
    }

    private static Command Receipt(Func<HttpClient> http)
    {
        var source = new Argument<string>("source") { Description = "A receipt file (JSON) or its URL (e.g. …/api/ledger/trades/17/proof)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("receipt", "Verify one trade's receipt: its leaf, inclusion proof, signed header and checkpoint.") { source, json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(source)!;
            TradeReceipt receipt;
            try
            {
                using var client = http();
                using var stream = Open(path, client, u => u);
                using var text = new StreamReader(stream);
                receipt = TradeReceipt.FromJson(text.ReadToEnd());
            }
            catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or TaskCanceledException or UriFormatException or LedgerFormatException or JsonException)
            {
                error.WriteLine($"market ledger receipt: cannot read {path}: {e.Message}");
                return Unreadable;
            }

            var result = receipt.Verify();
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    valid = result.IsValid,
                    height = result.Height,
                    tradeId = result.Trade?.TradeId,
                    energyWh = result.Trade?.EnergyWh,
                    price = result.Trade?.Price,
                    amount = result.Trade?.Amount,
                    reason = result.Failure?.Reason.ToString(),
                    message = result.Failure?.Message,
                }));
            }
            else if (result.IsValid)
            {
                var t = result.Trade!.Value;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"valid: trade {t.TradeId} in block {result.Height}: {t.EnergyWh} Wh at {t.Price} (1/10,000 per kWh), amount {t.Amount}, buyer {t.Buyer}, seller {t.Seller}; the block is in the checkpoint of size {receipt.Checkpoint.Size}"));
            }
            else
            {
                output.WriteLine($"TAMPERED: {Describe(result.Failure!)}");
            }

            return result.IsValid ? Valid : Tampered;
        });
        return command;
    }

    private static Command Follow(Func<HttpClient> http)
    {
        var url = new Argument<string>("url") { Description = "The market's base URL." };
        var state = new Option<DirectoryInfo>("--state") { Description = "Folder for this mirror's copy of the ledger and its last verified checkpoint.", Required = true };
        var command = new Command("follow", "Mirror a market's ledger: fetch, verify, and fail loudly if it was rewritten, truncated or forked since the last run.") { url, state };
        command.SetAction(parse => Mirror.Run(parse.GetValue(url)!, parse.GetValue(state)!, http, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    internal static Stream Open(string source, HttpClient client, Func<string, string> urlFor)
    {
        if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var response = client.GetAsync(new Uri(urlFor(source)), HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            return response.Content.ReadAsStream();
        }

        return new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    internal static string ExportUrl(string url) =>
        url.Contains("/api/ledger/export", StringComparison.Ordinal) ? url : url.TrimEnd('/') + "/api/ledger/export";

    internal static string Describe(VerificationFailure f)
    {
        var where = f.Height is long h ? $"block {h}" : "the ledger";
        if (f.TradeId is long t)
        {
            where += $", trade {t}";
        }
        else if (f.LeafIndex is int i)
        {
            where += $", entry {i}";
        }

        return $"{where}: {f.Reason}: {f.Message}";
    }

    private static string ResultJson(VerificationResult r) => JsonSerializer.Serialize(new
    {
        valid = r.IsValid,
        blocks = r.BlockCount,
        trades = r.TradeCount,
        orders = r.OrderCount,
        reconciliations = r.ReconciliationCount,
        householdRecords = r.HouseholdRecords,
        openingsChecked = r.OpeningsChecked,
        openingsUnmatched = r.OpeningsUnmatched,
        reconciliationsFullyChecked = r.ReconciliationsFullyChecked,
        checkpoint = r.CheckpointSize is long size ? new { size, root = Convert.ToHexStringLower(r.LedgerRoot ?? []) } : null,
        failure = r.Failure is { } f ? new { reason = f.Reason.ToString(), height = f.Height, tradeId = f.TradeId, leafIndex = f.LeafIndex, message = f.Message } : null,
    });

    internal static bool TryReadCheckpoint(string path, out Checkpoint? checkpoint, out string? why)
    {
        checkpoint = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            checkpoint = new Checkpoint
            {
                Size = root.GetProperty("size").GetInt64(),
                Root = Convert.FromHexString(root.GetProperty("root").GetString()!),
                TimestampUnixMs = root.GetProperty("time").GetInt64(),
                KeyId = Convert.FromHexString(root.GetProperty("keyId").GetString()!),
                Signature = Convert.FromHexString(root.GetProperty("signature").GetString()!),
            };
            why = null;
            return true;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            why = e.Message;
            return false;
        }
    }

    internal static void WriteCheckpoint(string path, Checkpoint c) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            size = c.Size,
            root = Convert.ToHexStringLower(c.Root),
            time = c.TimestampUnixMs,
            keyId = Convert.ToHexStringLower(c.KeyId),
            signature = Convert.ToHexStringLower(c.Signature),
        }));
}
