using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Market.Witnesses;
using Market.Cli.Trust;
using Market.Ledger;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market ledger verify-proof</c> and <c>market ledger check-receipts</c>: a household's side of acceptance
/// receipts (docs/ledger-format.md §11.1, §11.2). <c>check-receipts</c> compares the receipts an agent kept with the
/// market's sealed order books and writes a proof of omission for every receipted order a book does not hold;
/// <c>verify-proof</c> checks such a proof offline and says in plain words what it proves.
/// </summary>
internal static class Omissions
{
    /// <summary>The suffix of a proof written next to its receipt: <c>order-17.json</c> → <c>order-17.omission-proof.json</c>.</summary>
    public const string ProofSuffix = ".omission-proof.json";

    public static Command VerifyProof(string? knownLedgers)
    {
        var file = new Argument<FileInfo>("file") { Description = "A proof of omission (JSON, format market-omission-proof)." };
        var trust = new Option<string[]>(Anchor.TrustOption)
        {
            Description = "An operator key id (64 hex digits) you trust: the genesis key id your community publishes, or a later key of its ledger. Repeat for several.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var ledger = new Option<string?>("--ledger") { Description = "Trust the keys of the ledger remembered for this market URL (after `market ledger verify URL`)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var store = LedgerCommand.KnownLedgersOption(knownLedgers);
        var command = new Command("verify-proof", "Verify a proof of omission: the market signed a receipt for an order and then sealed the order's interval without it.")
        {
            file, trust, ledger, json, store,
        };
        command.SetAction(parse => RunVerifyProof(
            parse.GetValue(file)!, parse.GetValue(trust) ?? [], parse.GetValue(ledger), parse.GetValue(json), parse.GetValue(store)?.FullName,
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    public static Command CheckReceipts(Func<HttpClient> http, string? knownLedgers)
    {
        var folder = new Argument<DirectoryInfo>("dir") { Description = "The folder where the agent keeps its acceptance receipts (JSON files, format market-acceptance-receipt)." };
        var url = new Argument<string>("url") { Description = "The market's URL (its /api/ledger/export is fetched), or an export file." };
        var trust = LedgerCommand.TrustOption();
        var store = LedgerCommand.KnownLedgersOption(knownLedgers);
        var command = new Command("check-receipts", "Check that every order the market receipted is in its interval's sealed order book; write a proof of omission next to each receipt whose order is not.")
        {
            folder, url, trust, store,
        };
        command.SetAction(parse => RunCheckReceipts(
            parse.GetValue(folder)!, parse.GetValue(url)!, parse.GetValue(trust), parse.GetValue(store)?.FullName, http,
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>True when <paramref name="path"/> is a file that starts as a proof of omission (what <c>market ledger verify</c> hands on).</summary>
    internal static bool IsProofFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var stream = File.OpenRead(path);
        var head = new byte[256];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return System.Text.Encoding.UTF8.GetString(head, 0, read).Contains("\"market-omission-proof\"", StringComparison.Ordinal);
    }

    internal static int RunVerifyProof(FileInfo file, string[] trust, string? ledgerOption, bool json, string? storeFolder, TextWriter output, TextWriter error)
    {
        const string Name = "market ledger verify-proof";
        var trusted = new List<byte[]>();
        foreach (var id in trust)
        {
            if (!Anchor.TryKeyId(id, out var keyId))
            {
                error.WriteLine($"{Name}: {Anchor.TrustOption} takes an operator key id: 64 hex digits, not {id}");
                return LedgerCommand.Unreadable;
            }

            trusted.Add(keyId);
        }

        var anchoredBy = trusted.Count > 0 ? $"key ids given with {Anchor.TrustOption}" : null;
        if (ledgerOption is not null)
        {
            if (!KnownLedgers.TryName(ledgerOption, out var ledger) || KnownLedgers.DefaultFolder(storeFolder) is not { } folder)
            {
                error.WriteLine($"{Name}: --ledger takes the market's http or https URL (and, without a home folder, --known-ledgers or ${KnownLedgers.FolderVariable})");
                return LedgerCommand.Unreadable;
            }

            if (!new KnownLedgers(folder).TryRead(ledger, out var remembered, out var why) || remembered is null)
            {
                error.WriteLine($"{Name}: {(why is null ? $"nothing is remembered for {ledger}: verify it first (`market ledger verify {ledger}`)" : $"what is remembered for {ledger} cannot be read: {why}")}");
                return LedgerCommand.Unreadable;
            }

            trusted.AddRange(remembered.KeyIds);
            anchoredBy = anchoredBy is null ? $"keys of the ledger remembered for {ledger}" : $"{anchoredBy} and keys of the ledger remembered for {ledger}";
        }

        OmissionProof proof;
        try
        {
            proof = OmissionProof.FromJson(File.ReadAllText(file.FullName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LedgerFormatException)
        {
            error.WriteLine($"{Name}: cannot read {file.FullName}: {e.Message}");
            return LedgerCommand.Unreadable;
        }

        var result = proof.Verify(anchoredBy is null ? null : trusted);
        string verdict;
        int exit;
        if (!result.IsValid)
        {
            var failure = result.Failure!;
            verdict = failure.Reason == VerificationFailureReason.UntrustedKey
                ? $"NOT PROVEN: the proof is signed with key ids {string.Join(", ", SigningKeys(proof).Select(Anchor.Hex))}, and {string.Join(", ", SigningKeys(proof).Where(k => !trusted.Exists(t => t.AsSpan().SequenceEqual(k))).Select(Anchor.Hex))} not among the {anchoredBy} ({string.Join(", ", trusted.Select(Anchor.Hex))}). "
                  + "(If the operator rotated its key since you last verified its ledger, verify it again first.)"
                : $"NOT PROVEN: {LedgerCommand.Describe(failure)}";
            exit = LedgerCommand.Tampered;
        }
        else if (anchoredBy is null)
        {
            verdict = $"NOT ANCHORED: the proof holds, but nothing ties its keys to the market you deal with: anyone can make one with a fresh key. It is signed with key ids {string.Join(", ", SigningKeys(proof).Select(Anchor.Hex))}. "
                + $"Give the market's key id with {Anchor.TrustOption} KEYID, or --ledger URL after `market ledger verify URL`.";
            exit = LedgerCommand.NotAnchored;
        }
        else
        {
            verdict = $"anchored: signed by {anchoredBy}";
            exit = LedgerCommand.Valid;
        }

        if (json)
        {
            var (household, start, end) = OrderOf(proof.Receipt);
            output.WriteLine(JsonSerializer.Serialize(new
            {
                valid = result.IsValid,
                omission = result.Omission?.ToString().ToLowerInvariant(),
                height = result.Height,
                leafIndex = result.LeafIndex,
                statementHash = SafeHash(proof.Receipt),
                household,
                sequence = proof.Receipt.Sequence,
                intervalStart = start,
                intervalEnd = end,
                reason = result.Failure?.Reason.ToString(),
                message = result.Failure?.Message,
                anchor = new { status = exit switch { LedgerCommand.Valid => "Anchored", LedgerCommand.NotAnchored => "NotAnchored", _ => "Failed" }, message = verdict },
            }));
            return exit;
        }

        if (result.IsValid)
        {
            output.WriteLine(Proven(proof, result));
            output.WriteLine("It cannot show whether the household cancelled the order afterwards: a cancellation is a record the household signs, in the ledger, which the market can show in reply.");
        }

        output.WriteLine(verdict);
        return exit;
    }

    /// <summary>"proven: the market signed a receipt for order … at sequence … for interval …, and its sealed order
    /// book for that interval does not contain it …".</summary>
    internal static string Proven(OmissionProof proof, OmissionVerification result)
    {
        var r = proof.Receipt;
        var (household, start, end) = OrderOf(r);
        var what = result.Omission == OmissionKind.Missing
            ? $"no order in it has sequence {r.Sequence}"
            : $"its order at sequence {r.Sequence} (entry {result.LeafIndex}) is another order";
        return string.Create(CultureInfo.InvariantCulture,
            $"proven: the market signed a receipt (key id {Anchor.Hex(r.KeyId)}, accepted {Time(r.AcceptedAtUnixMs / 1000)}) for order {SafeHash(r)} of household {household} at sequence {r.Sequence} "
            + $"for interval {Time(start)} – {Time(end)}, and its sealed order book for that interval (block {result.Height}, in the checkpoint of {proof.Checkpoint.Size} blocks) does not contain it: {what} ({result.Omission!.Value.ToString().ToLowerInvariant()}).");
    }

    private sealed record Kept(string Path, AcceptanceReceipt Receipt);

    private static int RunCheckReceipts(DirectoryInfo folder, string source, string? trust, string? storeFolder, Func<HttpClient> http, TextWriter output, TextWriter error)
    {
        const string Name = "market ledger check-receipts";
        if (!folder.Exists)
        {
            error.WriteLine($"{Name}: no folder {folder.FullName}");
            return LedgerCommand.Unreadable;
        }

        var anchor = Anchor.Resolve(source, null, trust, storeFolder, out var problem);
        if (anchor is null)
        {
            error.WriteLine($"{Name}: {problem}");
            return LedgerCommand.Unreadable;
        }

        if (anchor.Conflict() is { } conflict)
        {
            output.WriteLine(conflict);
            return LedgerCommand.Tampered;
        }

        var receipts = new List<Kept>();
        var badInput = false;
        foreach (var path in folder.EnumerateFiles("*.json").Select(f => f.FullName).Where(p => !p.EndsWith(ProofSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"{Name}: cannot read {path}: {e.Message}");
                badInput = true;
                continue;
            }

            if (!IsReceipt(text))
            {
                continue;
            }

            try
            {
                receipts.Add(new Kept(path, AcceptanceReceipt.FromJson(text)));
            }
            catch (LedgerFormatException e)
            {
                output.WriteLine($"UNREADABLE RECEIPT: {path}: {e.Message}");
                badInput = true;
            }
        }

        if (receipts.Count == 0)
        {
            output.WriteLine($"no acceptance receipts in {folder.FullName}");
            return badInput ? LedgerCommand.Unreadable : LedgerCommand.Valid;
        }

        var wanted = receipts.Where(k => k.Receipt.Type == StatementType.Order).Select(k => k.Receipt.IntervalStart).ToHashSet();
        var books = new Dictionary<long, LedgerBlock>();
        var headerHashes = new List<byte[]>();
        var publicKeys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        byte[]? ledgerId = null;
        void Observe(LedgerBlock block)
        {
            var hash = BlockHeader.Hash(block.HeaderBytes);
            ledgerId ??= hash;
            headerHashes.Add(hash);
            var header = BlockHeader.Decode(block.HeaderBytes);
            if (header.Kind == BlockKind.OrderBook && wanted.Contains(header.IntervalStart))
            {
                books[header.IntervalStart] = block;
            }
            else if (header.Kind == BlockKind.KeyEvent)
            {
                foreach (var leaf in block.Leaves)
                {
                    var record = KeyRecord.Decode(leaf.Span);
                    if (record.Action == KeyAction.Introduce)
                    {
                        publicKeys[Anchor.Hex(record.KeyId())] = record.PublicKey.ToArray();
                    }
                }
            }
        }

        LedgerCommand.Verified verified;
        try
        {
            using var client = http();
            using var stream = LedgerCommand.Open(source, client, LedgerCommand.ExportUrl);
            verified = LedgerCommand.VerifyStream(stream, anchor.Options, anchor.Kept, error, Observe);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or TaskCanceledException or UriFormatException or LedgerFormatException)
        {
            error.WriteLine($"{Name}: cannot read {source}: {e.Message}");
            return LedgerCommand.Unreadable;
        }

        var result = verified.Result;
        if (result.Failure is { Reason: VerificationFailureReason.MalformedExport } malformed)
        {
            error.WriteLine($"{Name}: cannot read {source}: {malformed.Message}");
            return LedgerCommand.Unreadable;
        }

        var judged = anchor.Judge(result, verified.GenesisKeyId);
        if (!result.IsValid)
        {
            output.WriteLine(judged?.Text ?? $"TAMPERED: the market's ledger does not verify, so its books cannot be relied on: {LedgerCommand.Describe(result.Failure!)}");
            return LedgerCommand.Tampered;
        }

        var remembered = anchor.Remember(result, verified.Latest!);
        if (remembered is { Warning: true } warning)
        {
            error.WriteLine($"{Name}: {warning.Line}");
        }

        var checkpoint = verified.Latest!;
        MerkleTree? tree = null;
        int included = 0, pending = 0, records = 0, omissions = 0;
        foreach (var (path, receipt) in receipts)
        {
            var name = Path.GetFileName(path);
            if (receipt.Verify(result.KeyIds) is { } invalid)
            {
                output.WriteLine(invalid.Reason == VerificationFailureReason.UntrustedKey
                    ? $"NOT THIS MARKET'S RECEIPT: {name}: signed with key id {Anchor.Hex(receipt.KeyId ?? [])}, which is not a key of the ledger at {source}"
                    : $"INVALID RECEIPT: {name}: {invalid.Reason}: {invalid.Message}");
                badInput = true;
                continue;
            }

            if (!receipt.Statement.AsSpan(16, Statement.LedgerIdSize).SequenceEqual(ledgerId))
            {
                output.WriteLine($"NOT THIS MARKET'S RECEIPT: {name}: its statement names ledger id {Convert.ToHexStringLower(receipt.Statement.AsSpan(16, 32))}, the ledger at {source} is {Anchor.Hex(ledgerId!)}");
                badInput = true;
                continue;
            }

            if (receipt.Type != StatementType.Order)
            {
                records++;
                continue;
            }

            var interval = Time(receipt.IntervalStart);
            if (!books.TryGetValue(receipt.IntervalStart, out var book))
            {
                pending++;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pending: {name}: order at sequence {receipt.Sequence} for interval {interval}: its book is not sealed yet"));
                continue;
            }

            var omission = OmissionProof.FindOmission(receipt, book);
            var height = BlockHeader.Decode(book.HeaderBytes).Height;
            if (omission is null)
            {
                included++;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ok: {name}: order at sequence {receipt.Sequence} for interval {interval} is in its book (block {height})"));
                continue;
            }

            omissions++;
            tree ??= MerkleTree.FromLeaves(headerHashes);
            var header = BlockHeader.Decode(book.HeaderBytes);
            var proof = OmissionProof.Build(receipt, book, publicKeys[Anchor.Hex(header.KeyId)], checkpoint, publicKeys[Anchor.Hex(checkpoint.KeyId)], tree.InclusionProof(height, checkpoint.Size));
            var proofPath = ProofPath(path);
            var check = proof.Verify(result.KeyIds);
            AtomicFile.Write(proofPath, System.Text.Encoding.UTF8.GetBytes(proof.ToJson() + "\n"));
            var what = omission == OmissionKind.Missing
                ? "no order in the book has that sequence"
                : "the book's order at that sequence is another order";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"OMISSION: {name}: the market receipted order {SafeHash(receipt)} at sequence {receipt.Sequence} for interval {interval}, and its sealed book (block {height}) does not contain it: {what}. "
                + $"Proof of omission: {proofPath}{(check.IsValid ? "" : $" (it does not verify: {check.Failure})")}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{receipts.Count} receipts: {included} orders in their books, {omissions} {(omissions == 1 ? "omission" : "omissions")}, {pending} waiting for their book, {records} household records (receipt checked); ledger of {result.BlockCount} blocks verified"));
        output.WriteLine(judged!.Value.Text);
        if (remembered is { Warning: false } line && judged.Value.Status == AnchorStatus.Remembered)
        {
            output.WriteLine(line.Line);
        }

        return omissions > 0 ? LedgerCommand.Tampered : badInput ? LedgerCommand.Unreadable : LedgerCommand.Valid;
    }

    /// <summary>Where the proof for a receipt goes: next to it, <c>x.json</c> → <c>x.omission-proof.json</c>.</summary>
    internal static string ProofPath(string receiptPath) =>
        Path.Combine(Path.GetDirectoryName(receiptPath)!, Path.GetFileNameWithoutExtension(receiptPath) + ProofSuffix);

    private static bool IsReceipt(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("format", out var format)
                && format.ValueKind == JsonValueKind.String && format.GetString() == AcceptanceReceipt.FormatName;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static IEnumerable<byte[]> SigningKeys(OmissionProof proof)
    {
        var keys = new List<byte[]> { proof.Receipt.KeyId };
        if (BlockHeader.TryDecode(proof.BookHeader, out var header, out _))
        {
            keys.Add(header.KeyId);
        }

        if (proof.Checkpoint?.KeyId is { } checkpointKey)
        {
            keys.Add(checkpointKey);
        }

        return keys.Where(k => k is not null).DistinctBy(Convert.ToHexStringLower);
    }

    private static (string? Household, long? Start, long? End) OrderOf(AcceptanceReceipt receipt)
    {
        if (receipt.Statement is null || !Statement.TryDecode(receipt.Statement, out var s, out _))
        {
            return (null, null, null);
        }

        return s.TryGetOrder(out var start, out var end, out _, out _, out _, out _) ? (s.Household.ToString(), start, end) : (s.Household.ToString(), null, null);
    }

    private static string SafeHash(AcceptanceReceipt receipt) => receipt.Statement is null ? "" : Convert.ToHexStringLower(receipt.StatementHash());

    private static string Time(long? unixSeconds) => unixSeconds is { } s
        ? DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)
        : "?";
}
