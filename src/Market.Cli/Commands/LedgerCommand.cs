using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Market.Witnesses;
using Market.Cli.Trust;
using Market.Ledger;
using Market.Replay;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market ledger verify|receipt|follow|forget</c> (and <c>verify-proof|check-receipts</c>, see <see cref="Omissions"/>): an auditor's tools that trust nothing the server says, and
/// remember what they verified (docs/adr/0016-trust-anchor.md). Exit codes: 0 valid (and anchored, or a first
/// contact), 1 tampered, another ledger than the one trusted, or a rewritten history (naming which and why),
/// 2 unreadable input, 3 valid but not anchored to a ledger the user trusts.
/// </summary>
internal static class LedgerCommand
{
    public const int Valid = 0;
    public const int Tampered = 1;
    public const int Unreadable = 2;
    public const int NotAnchored = 3;

    /// <param name="http">Fetches URLs; a real client by default, a test server's in tests.</param>
    /// <param name="knownLedgers">Folder of remembered ledgers when --known-ledgers is not given (tests); null:
    /// $MARKET_KNOWN_LEDGERS or the user's config folder.</param>
    public static Command Create(Func<HttpClient>? http = null, string? knownLedgers = null)
    {
        var makeClient = http ?? (() => new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
        var command = new Command("ledger", "Verify the ledger, a trade receipt or a proof of omission, check kept order receipts, or keep a verified mirror of a market's ledger; remembers each ledger it verified.");
        command.Subcommands.Add(Verify(makeClient, knownLedgers));
        command.Subcommands.Add(Receipt(makeClient, knownLedgers));
        command.Subcommands.Add(Follow(makeClient, knownLedgers));
        command.Subcommands.Add(Forget(knownLedgers));
        command.Subcommands.Add(Omissions.VerifyProof(knownLedgers));
        command.Subcommands.Add(Omissions.CheckReceipts(makeClient, knownLedgers));
        command.Subcommands.Add(VerifyEvidence.Create());
        return command;
    }

    internal static Option<string?> TrustOption() => new(Anchor.TrustOption)
    {
        Description = "The genesis key id (64 hex digits) your community publishes: the ledger must start with that key. Pins a first contact.",
    };

    internal static Option<DirectoryInfo?> KnownLedgersOption(string? fallback) => new("--known-ledgers")
    {
        Description = $"Folder of remembered ledgers (default: ${KnownLedgers.FolderVariable}, else market/known-ledgers in your config folder).",
        DefaultValueFactory = _ => fallback is null ? null : new DirectoryInfo(fallback),
    };

    private static Option<string?> LedgerOption() => new("--ledger")
    {
        Description = "Check against what is remembered for this market URL (e.g. a downloaded export, a receipt file or a mirror's copy).",
    };

    private static Command Verify(Func<HttpClient> http, string? knownLedgers)
    {
        var source = new Argument<string>("source") { Description = "An export file, or the market's URL (its /api/ledger/export is fetched)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var kept = new Option<FileInfo?>("--checkpoint") { Description = "A checkpoint kept from earlier (JSON): the ledger must have grown from it, never been rewritten." };
        var openings = new Option<FileInfo?>("--openings") { Description = "Openings of household reconciliation commitments (a household's own, or an auditor's of a range): each opened record is checked, and every reconciliation whose records are all opened is checked in full." };
        var note = new Option<FileInfo?>("--note") { Description = "A checkpoint note (C2SP signed note with cosignatures) to check against the ledger; with a URL, the market's /api/ledger/checkpoint.note is fetched when this is not given." };
        var policy = new Option<FileInfo?>("--policy") { Description = "Your own witness policy (C2SP tlog-policy): the note's cosignatures must meet its quorum. Without it, the sealed policy's verdict is reported." };
        var ledger = LedgerOption();
        var trust = TrustOption();
        var store = KnownLedgersOption(knownLedgers);
        var command = new Command("verify", "Recompute every leaf, root, header hash, link, signature and the checkpoint, replay every interval's clearing, check who witnessed the checkpoint, and check the ledger is the one verified before.")
        {
            source, json, kept, openings, note, policy, ledger, trust, store,
        };
        command.SetAction(parse => RunVerify(
            new VerifyRequest(parse.GetValue(source)!, parse.GetValue(json), parse.GetValue(kept), parse.GetValue(openings), parse.GetValue(ledger), parse.GetValue(trust), parse.GetValue(store)?.FullName)
            {
                Note = parse.GetValue(note),
                Policy = parse.GetValue(policy),
            },
            http, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private sealed record VerifyRequest(string Source, bool Json, FileInfo? Kept, FileInfo? Openings, string? Ledger, string? Trust, string? Store)
    {
        public FileInfo? Note { get; init; }

        public FileInfo? Policy { get; init; }
    }

    private static int RunVerify(VerifyRequest request, Func<HttpClient> http, TextWriter output, TextWriter error)
    {
        var source = request.Source;
        if (Omissions.IsProofFile(source))
        {
            // A household's proof of omission, downloaded from its page: verified as `verify-proof` does.
            return Omissions.RunVerifyProof(new FileInfo(source), request.Trust is null ? [] : [request.Trust], request.Ledger, request.Json, request.Store, output, error);
        }

        var anchor = Anchor.Resolve(source, request.Ledger, request.Trust, request.Store, out var problem);
        if (anchor is null)
        {
            error.WriteLine($"market ledger verify: {problem}");
            return Unreadable;
        }

        if (request.Kept is { } keptFile)
        {
            if (!CheckpointJson.TryReadFile(keptFile.FullName, out var kept, out var why))
            {
                error.WriteLine($"market ledger verify: cannot read the kept checkpoint: {why}");
                return Unreadable;
            }

            anchor.Keep($"the checkpoint kept in {keptFile.FullName}", kept!);
        }

        if (anchor.Conflict() is { } conflict)
        {
            output.WriteLine(request.Json ? JsonSerializer.Serialize(new { valid = false, anchor = new { status = AnchorStatus.OtherLedger.ToString(), message = conflict } }) : conflict);
            return Tampered;
        }

        IReadOnlyList<ReconciliationOpening>? openings = null;
        if (request.Openings is { } openingsFile)
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

        WitnessPolicy? auditorPolicy = null;
        if (request.Policy is { } policyFile)
        {
            string text;
            try
            {
                text = File.ReadAllText(policyFile.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"market ledger verify: cannot read the policy: {e.Message}");
                return Unreadable;
            }

            if (!WitnessPolicy.TryParse(text, out auditorPolicy, out var policyError))
            {
                error.WriteLine($"market ledger verify: {policyFile.Name} is not a witness policy (C2SP tlog-policy): {policyError}");
                return Unreadable;
            }
        }

        Verified verified;
        string? noteText;
        try
        {
            using var client = http();
            // The note first: the export fetched after it covers at least its size.
            noteText = request.Note is { } noteFile ? File.ReadAllText(noteFile.FullName) : FetchNote(source, client);
            using var stream = Open(source, client, ExportUrl);
            verified = VerifyStream(stream, anchor.Options with { Openings = openings }, anchor.Kept, error);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or TaskCanceledException or UriFormatException or LedgerFormatException)
        {
            error.WriteLine($"market ledger verify: cannot read {source}: {e.Message}");
            return Unreadable;
        }

        var result = verified.Result;
        if (result.Failure is { Reason: VerificationFailureReason.MalformedExport } malformed)
        {
            error.WriteLine($"market ledger verify: cannot read {source}: {malformed.Message}");
            return Unreadable;
        }

        var witnessing = result.IsValid ? Witnessing.Check(verified.Verifier, noteText, auditorPolicy, request.Note is not null) : null;
        if (witnessing is { Failure: { } noteFailure })
        {
            result = result with { Failure = noteFailure };
        }

        var judged = anchor.Judge(result, verified.GenesisKeyId);
        var remembered = result.IsValid ? anchor.Remember(result, verified.Latest!) : null;
        if (remembered is { Warning: true } warning)
        {
            error.WriteLine($"market ledger verify: {warning.Line}");
        }

        if (request.Json)
        {
            output.WriteLine(ResultJson(result, judged, verified.GenesisKeyId, remembered?.Line));
        }
        else if (result.IsValid)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"valid: {result.BlockCount} blocks, {result.TradeCount} trades, {result.OrderCount} orders, {result.ReconciliationCount} {(result.ReconciliationCount == 1 ? "reconciliation" : "reconciliations")}; every clearing replayed; {ReconciliationScope(result)}; checkpoint size {result.CheckpointSize}, root {Convert.ToHexStringLower(result.LedgerRoot ?? [])}"));
            output.WriteLine(witnessing!.Line);
            output.WriteLine(judged!.Value.Text);
            if (remembered is { Warning: false } line && judged.Value.Status == AnchorStatus.Remembered)
            {
                output.WriteLine(line.Line);
            }
        }
        else
        {
            output.WriteLine(judged?.Text ?? $"TAMPERED: {Describe(result.Failure!)}");
        }

        return !result.IsValid ? Tampered : judged!.Value.Status == AnchorStatus.NotAnchored ? NotAnchored : Valid;
    }

    /// <summary>What the reconciliations were checked against: the public totals, or opened household records too.</summary>
    internal static string ReconciliationScope(VerificationResult r) => r.OpeningsChecked == 0
        ? "reconciliations: public checks only (tariffs in force, traded energy, community totals; household meter values are sealed as commitments, --openings checks them)"
        : string.Create(CultureInfo.InvariantCulture,
            $"reconciliations: {r.OpeningsChecked} of {r.HouseholdRecords} household records opened and checked{(r.OpeningsUnmatched > 0 ? $" ({r.OpeningsUnmatched} openings matched no record)" : "")}, {r.ReconciliationsFullyChecked} of {r.ReconciliationCount} reconciliations checked in full");

    /// <summary>A verification with what the anchor needs: the export's latest checkpoint and the key id its block 0
    /// names (read also when that block fails, to say which key it was).</summary>
    internal sealed record Verified(VerificationResult Result, Checkpoint? Latest, byte[]? GenesisKeyId)
    {
        /// <summary>The verifier after the last block, for checking checkpoint notes against the same tree.</summary>
        public ChainVerifier? Verifier { get; init; }
    }

    /// <summary>The market's newest checkpoint note when <paramref name="source"/> is a URL; null for a file or when
    /// the market publishes none (404).</summary>
    private static string? FetchNote(string source, HttpClient client)
    {
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        using var response = client.GetAsync(new Uri(new Uri(source.EndsWith('/') ? source : source + "/"), "api/ledger/checkpoint.note")).GetAwaiter().GetResult();
        return response.StatusCode == System.Net.HttpStatusCode.NotFound
            ? null
            : response.EnsureSuccessStatusCode().Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    /// <summary>Streams the export through the verifier block by block, with a progress line on a terminal;
    /// <paramref name="observe"/> sees each block that verified.</summary>
    internal static Verified VerifyStream(Stream stream, ChainVerifierOptions options, IReadOnlyList<Checkpoint> kept, TextWriter error, Action<LedgerBlock>? observe = null)
    {
        var reader = new LedgerExportReader(stream);
        var verifier = new ChainVerifier(new MatchingReplayer(), options);
        var progress = !Console.IsErrorRedirected && ReferenceEquals(error, Console.Error);
        long count = 0;
        byte[]? genesis = null;
        var first = true;
        try
        {
            foreach (var block in reader.ReadBlocks())
            {
                if (first && BlockHeader.TryDecode(block.HeaderBytes, out var header, out _))
                {
                    genesis = header.KeyId;
                }

                first = false;

                if (!verifier.Append(block))
                {
                    break;
                }

                observe?.Invoke(block);

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

            return new Verified(new VerificationResult { Failure = new VerificationFailure(VerificationFailureReason.MalformedExport, null, null, null, e.Message) }, null, genesis);
        }

        if (progress && count >= 500)
        {
            error.WriteLine();
        }

        return new Verified(verifier.Complete(reader.Checkpoint, kept), reader.Checkpoint, genesis) { Verifier = verifier };
    }

    private static Command Receipt(Func<HttpClient> http, string? knownLedgers)
    {
        var source = new Argument<string>("source") { Description = "A receipt file (JSON) or its URL (e.g. …/api/ledger/trades/17/proof)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var ledger = LedgerOption();
        var trust = TrustOption();
        var store = KnownLedgersOption(knownLedgers);
        var policy = new Option<FileInfo?>("--policy") { Description = "Your own witness policy (C2SP tlog-policy): the receipt's cosigned checkpoint must meet its quorum." };
        var command = new Command("receipt", "Verify one trade's receipt: its leaf, inclusion proof, signed header and checkpoint, signed by a key of the ledger you verified, and who witnessed that checkpoint.")
        {
            source, json, ledger, trust, store, policy,
        };
        command.SetAction(parse => Receipts.Run(
            new Receipts.Request(parse.GetValue(source)!, parse.GetValue(json), parse.GetValue(ledger), parse.GetValue(trust), parse.GetValue(store)?.FullName) { Policy = parse.GetValue(policy) },
            http, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command Follow(Func<HttpClient> http, string? knownLedgers)
    {
        var url = new Argument<string>("url") { Description = "The market's base URL." };
        var state = new Option<DirectoryInfo>("--state") { Description = "Folder for this mirror's copy of the ledger and its last verified checkpoint.", Required = true };
        var trust = TrustOption();
        var store = KnownLedgersOption(knownLedgers);
        var command = new Command("follow", "Mirror a market's ledger: fetch, verify, and fail loudly if it was rewritten, truncated or forked since the last run, or is another ledger.")
        {
            url, state, trust, store,
        };
        command.SetAction(parse => Mirror.Run(
            new Mirror.Request(parse.GetValue(url)!, parse.GetValue(state)!, parse.GetValue(trust), parse.GetValue(store)?.FullName),
            http, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command Forget(string? knownLedgers)
    {
        var url = new Argument<string>("url") { Description = "The market's URL whose remembered genesis key and checkpoint to forget." };
        var store = KnownLedgersOption(knownLedgers);
        var command = new Command("forget", "Forget what was remembered of a ledger, deliberately: the next verification of it is a first contact again.") { url, store };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!KnownLedgers.TryName(parse.GetValue(url)!, out var ledger) || KnownLedgers.DefaultFolder(parse.GetValue(store)?.FullName) is not { } folder)
            {
                error.WriteLine($"market ledger forget: give the market's http or https URL (and, without a home folder, --known-ledgers or ${KnownLedgers.FolderVariable})");
                return Unreadable;
            }

            bool existed;
            KnownLedger? forgotten;
            try
            {
                existed = new KnownLedgers(folder).Forget(ledger, out forgotten);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"market ledger forget: {folder}: {e.Message}");
                return Unreadable;
            }

            if (!existed)
            {
                output.WriteLine($"nothing was remembered for {ledger}");
            }
            else
            {
                output.WriteLine(forgotten is null
                    ? $"forgot {ledger} (its file was unreadable); the next verification of it is a first contact"
                    : $"forgot {ledger}: genesis key id {Anchor.Hex(forgotten.GenesisKeyId)}, checkpoint of {forgotten.Checkpoint.Size} blocks; the next verification of it is a first contact");
            }

            return Valid;
        });
        return command;
    }

    internal static Stream Open(string source, HttpClient client, Func<string, string> urlFor)
    {
        if (Anchor.IsUrl(source))
        {
            var response = client.GetAsync(new Uri(urlFor(source)), HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            return response.Content.ReadAsStream();
        }

        return new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    internal static string ExportUrl(string url) =>
        url.Contains("/api/ledger/export", StringComparison.Ordinal) ? url : url.TrimEnd('/') + "/api/ledger/export";

    internal static string Describe(VerificationFailure f) => Failures.Describe(f);

    private static string ResultJson(VerificationResult r, (AnchorStatus Status, string Text)? judged, byte[]? genesisKeyId, string? remembered) => JsonSerializer.Serialize(new
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
        anchor = judged is { } j
            ? new { status = j.Status.ToString(), message = j.Text, genesisKeyId = genesisKeyId is null ? null : Anchor.Hex(genesisKeyId), remembered }
            : null,
    });
}
