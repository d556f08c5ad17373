using System.Globalization;
using System.Text.Json;
using Market.Cli.Trust;
using Market.Ledger;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market ledger receipt</c>: verifies one trade's receipt, and that it belongs to a ledger the user trusts. The
/// ledger is the receipt URL's market or <c>--ledger URL</c>; what is remembered for it (after <c>market ledger
/// verify URL</c>) must list the receipt's signing keys, and the receipt's checkpoint must be consistent with the
/// remembered one (an RFC 9162 consistency proof fetched from the market when their sizes differ). With only
/// <c>--trust KEYID</c> both keys must be that genesis key. A receipt checks, it never remembers.
/// </summary>
internal static class Receipts
{
    internal sealed record Request(string Source, bool Json, string? Ledger, string? Trust, string? Store)
    {
        /// <summary>The auditor's own witness policy file, or null.</summary>
        public FileInfo? Policy { get; init; }
    }

    public static int Run(Request request, Func<HttpClient> http, TextWriter output, TextWriter error)
    {
        var path = request.Source;
        var anchor = Anchor.Resolve(path, request.Ledger, request.Trust, request.Store, out var problem);
        if (anchor is null)
        {
            error.WriteLine($"market ledger receipt: {problem}");
            return LedgerCommand.Unreadable;
        }

        if (anchor.Conflict() is { } conflict)
        {
            output.WriteLine(conflict);
            return LedgerCommand.Tampered;
        }

        TradeReceipt receipt;
        try
        {
            using var client = http();
            using var stream = LedgerCommand.Open(path, client, u => u);
            using var text = new StreamReader(stream);
            receipt = TradeReceipt.FromJson(text.ReadToEnd());
        }
        catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or TaskCanceledException or UriFormatException or LedgerFormatException or JsonException)
        {
            error.WriteLine($"market ledger receipt: cannot read {path}: {e.Message}");
            return LedgerCommand.Unreadable;
        }

        WitnessPolicy? policy = null;
        if (request.Policy is { } policyFile)
        {
            try
            {
                if (!WitnessPolicy.TryParse(File.ReadAllText(policyFile.FullName), out policy, out var policyError))
                {
                    error.WriteLine($"market ledger receipt: {policyFile.Name} is not a witness policy (C2SP tlog-policy): {policyError}");
                    return LedgerCommand.Unreadable;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"market ledger receipt: cannot read the policy: {e.Message}");
                return LedgerCommand.Unreadable;
            }
        }

        IReadOnlyList<byte[]>? trusted = anchor.Remembered?.KeyIds ?? (anchor.GenesisKeyId is { } pinned ? [pinned] : null);
        var result = receipt.Verify(trusted, policy);
        (AnchorStatus Status, string Text)? judged = null;
        if (result.Failure is { Reason: VerificationFailureReason.UntrustedKey })
        {
            judged = (AnchorStatus.OtherLedger,
                $"NOT THE LEDGER YOU TRUST: the receipt is signed with key id {Anchor.Hex(BlockHeader.Decode(receipt.Header).KeyId)} and its checkpoint with {Anchor.Hex(receipt.Checkpoint.KeyId)}, "
                + $"but the keys of {(anchor.Remembered is null ? $"the genesis key given with {Anchor.TrustOption}" : $"the ledger remembered for {anchor.Ledger}")} are {string.Join(", ", trusted!.Select(Anchor.Hex))}. "
                + "(If the operator rotated its key since you last verified the ledger, verify it again first.)");
        }
        else if (result.IsValid && anchor.Remembered is { } remembered)
        {
            var consistent = Consistent(receipt.Checkpoint, remembered.Checkpoint, anchor.Ledger!, http, out problem);
            if (consistent is null)
            {
                error.WriteLine($"market ledger receipt: cannot check the receipt's checkpoint against the one remembered for {anchor.Ledger}: {problem}");
                return LedgerCommand.Unreadable;
            }

            judged = consistent.Value
                ? (AnchorStatus.Remembered, $"anchored: signed by a key of the ledger remembered for {anchor.Ledger}, and its checkpoint of {receipt.Checkpoint.Size} blocks is consistent with the remembered one of {remembered.Checkpoint.Size} blocks")
                : (AnchorStatus.Rewritten, $"REWRITTEN: the receipt's checkpoint of {receipt.Checkpoint.Size} blocks is not consistent with the checkpoint of {remembered.Checkpoint.Size} blocks remembered for {anchor.Ledger}: the operator signed two different histories. Both checkpoints together prove it.");
        }
        else if (result.IsValid)
        {
            judged = anchor.GenesisKeyId is not null
                ? (AnchorStatus.Pinned, $"anchored: signed by the genesis key given with {Anchor.TrustOption}")
                : (AnchorStatus.NotAnchored,
                    $"NOT ANCHORED: the receipt is valid, but nothing ties its keys to a ledger you trust: anyone can make a valid receipt with a fresh key. It is signed with key id {Anchor.Hex(BlockHeader.Decode(receipt.Header).KeyId)}. "
                    + $"Verify the market's ledger first (`market ledger verify URL`), then check the receipt with --ledger URL; or give {Anchor.TrustOption} KEYID.");
        }

        Print(request.Json, output, receipt, result, judged);
        return judged?.Status switch
        {
            AnchorStatus.NotAnchored => LedgerCommand.NotAnchored,
            AnchorStatus.OtherLedger or AnchorStatus.Rewritten => LedgerCommand.Tampered,
            _ => result.IsValid ? LedgerCommand.Valid : LedgerCommand.Tampered,
        };
    }

    /// <summary>Whether one checkpoint extends the other (equal sizes: equal roots; otherwise a consistency proof from
    /// the ledger's market); null with <paramref name="problem"/> when the proof cannot be fetched or read.</summary>
    private static bool? Consistent(Checkpoint receipt, Checkpoint remembered, string ledger, Func<HttpClient> http, out string? problem)
    {
        problem = null;
        if (receipt.Size == remembered.Size)
        {
            return receipt.Root.AsSpan().SequenceEqual(remembered.Root);
        }

        var (older, newer) = receipt.Size < remembered.Size ? (receipt, remembered) : (remembered, receipt);
        var url = string.Create(CultureInfo.InvariantCulture, $"{ledger}/api/ledger/consistency?from={older.Size}&to={newer.Size}");
        try
        {
            using var client = http();
            using var stream = LedgerCommand.Open(url, client, u => u);
            using var doc = JsonDocument.Parse(stream);
            var proof = doc.RootElement.GetProperty("proof").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();
            return Checkpoint.IsConsistent(older, newer, proof);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            problem = $"{url}: {e.Message}";
            return null;
        }
    }

    private static void Print(bool json, TextWriter output, TradeReceipt receipt, ReceiptVerification result, (AnchorStatus Status, string Text)? judged)
    {
        if (json)
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
                witnesses = result.Witnesses is { } w ? new { quorumMet = w.QuorumMet, cosigners = w.Cosigners.Select(c => c.Name) } : null,
                anchor = judged is { } j ? new { status = j.Status.ToString(), message = j.Text } : null,
            }));
            return;
        }

        if (result.IsValid && judged?.Status is not (AnchorStatus.Rewritten or AnchorStatus.OtherLedger))
        {
            var t = result.Trade!.Value;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"valid: trade {t.TradeId} in block {result.Height}: {t.EnergyWh} Wh at {t.Price} (1/10,000 per kWh), amount {t.Amount}, buyer {t.Buyer}, seller {t.Seller}; the block is in the checkpoint of size {receipt.Checkpoint.Size}"));
            output.WriteLine(result.Witnesses is { } w
                ? string.Create(CultureInfo.InvariantCulture, $"witnesses: that checkpoint is {(w.QuorumMet ? "witnessed" : "NOT witnessed")} by {w.Cosigners.Count}{(w.Cosigners.Count > 0 ? ": " + string.Join(", ", w.Cosigners.Select(c => c.Name)) : "")}")
                : "witnesses: the receipt carries no cosigned checkpoint");
        }

        output.WriteLine(judged?.Text ?? $"TAMPERED: {LedgerCommand.Describe(result.Failure!)}");
    }
}
