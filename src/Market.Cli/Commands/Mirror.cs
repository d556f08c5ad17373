using System.Globalization;
using Market.Witnesses;
using Market.Cli.Trust;
using Market.Ledger;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market ledger follow</c>: keeps a verified copy of a market's ledger. Each run fetches the export, verifies it
/// from scratch (with replay), requires the genesis key of the mirror's copy (and of the ledger remembered for the
/// URL, or --trust) and a chain consistent with the checkpoint this mirror kept last time (and the remembered one),
/// and checks that every block it already had is unchanged. Only then does it replace its copy and remember the new
/// checkpoint. The first run is a first contact (the mirror's folder remembers from then on). Exit 0 when the
/// ledger only grew; 1 when it was rewritten, truncated or forked, or is another ledger (the copy and checkpoint are
/// kept as evidence); 2 when unreachable.
/// </summary>
internal static class Mirror
{
    public const string ExportFile = "ledger-export.jsonl";
    public const string CheckpointFile = "checkpoint.json";

    internal sealed record Request(string Url, DirectoryInfo State, string? Trust, string? Store);

    public static int Run(Request request, Func<HttpClient> http, TextWriter output, TextWriter error)
    {
        var (url, state) = (request.Url, request.State);
        var anchor = Anchor.Resolve(url, null, request.Trust, request.Store, out var problem);
        if (anchor is null)
        {
            error.WriteLine($"market ledger follow: {problem}");
            return LedgerCommand.Unreadable;
        }

        Directory.CreateDirectory(state.FullName);
        var exportPath = Path.Combine(state.FullName, ExportFile);
        var checkpointPath = Path.Combine(state.FullName, CheckpointFile);
        Checkpoint? kept = null;
        if (File.Exists(checkpointPath))
        {
            if (!CheckpointJson.TryReadFile(checkpointPath, out kept, out var why))
            {
                error.WriteLine($"market ledger follow: the mirror's own checkpoint is unreadable: {why}");
                return LedgerCommand.Unreadable;
            }

            anchor.Keep($"this mirror's checkpoint of {kept!.Size} blocks ({checkpointPath})", kept);
        }

        if (GenesisKeyId(exportPath) is { } mirrored)
        {
            anchor.TrustGenesis($"this mirror's copy ({exportPath})", mirrored);
        }

        anchor.RememberIn($"this mirror ({state.FullName})");
        if (anchor.Conflict() is { } conflict)
        {
            error.WriteLine($"market ledger follow: {conflict}");
            return LedgerCommand.Tampered;
        }

        var incoming = exportPath + ".incoming";
        try
        {
            using var client = http();
            using var source = LedgerCommand.Open(url, client, LedgerCommand.ExportUrl);
            using var target = File.Create(incoming);
            source.CopyTo(target);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or TaskCanceledException or UriFormatException or UnauthorizedAccessException)
        {
            error.WriteLine($"market ledger follow: cannot fetch {url}: {e.Message}");
            return LedgerCommand.Unreadable;
        }

        LedgerCommand.Verified verified;
        using (var stream = File.OpenRead(incoming))
        {
            verified = LedgerCommand.VerifyStream(stream, anchor.Options, anchor.Kept, error);
        }

        var result = verified.Result;
        var judged = anchor.Judge(result, verified.GenesisKeyId);
        if (!result.IsValid)
        {
            var reason = judged?.Text ?? "the ledger does not verify";
            error.WriteLine($"market ledger follow: {reason}. {LedgerCommand.Describe(result.Failure!)}. Kept copy: {exportPath}");
            File.Delete(incoming);
            return result.Failure!.Reason == VerificationFailureReason.MalformedExport ? LedgerCommand.Unreadable : LedgerCommand.Tampered;
        }

        var changed = FirstChangedBlock(exportPath, incoming);
        if (changed is long height)
        {
            error.WriteLine($"market ledger follow: block {height} differs from this mirror's copy: the ledger was rewritten. Kept copy: {exportPath}");
            File.Delete(incoming);
            return LedgerCommand.Tampered;
        }

        var previous = kept?.Size ?? 0;
        File.Move(incoming, exportPath, overwrite: true);
        if (verified.Latest!.Size > previous)
        {
            AtomicFile.Write(checkpointPath, CheckpointJson.ToBytes(verified.Latest));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ok: {result.BlockCount} blocks verified ({result.BlockCount - previous} new), {result.TradeCount} trades; the ledger only grew. Checkpoint size {result.CheckpointSize}, root {Convert.ToHexStringLower(result.LedgerRoot ?? [])}"));
        output.WriteLine(judged!.Value.Text);
        if (anchor.Remember(result, verified.Latest) is { } remembered && (remembered.Warning || judged.Value.Status == AnchorStatus.Remembered))
        {
            (remembered.Warning ? error : output).WriteLine(remembered.Line);
        }

        return LedgerCommand.Valid;
    }

    /// <summary>The key id block 0 of the mirror's copy names, or null when there is no copy yet.</summary>
    private static byte[]? GenesisKeyId(string exportPath)
    {
        if (!File.Exists(exportPath))
        {
            return null;
        }

        using var stream = File.OpenRead(exportPath);
        var first = new LedgerExportReader(stream).ReadBlocks().FirstOrDefault();
        return first is not null && BlockHeader.TryDecode(first.HeaderBytes, out var header, out _) ? header.KeyId : null;
    }

    /// <summary>The first block of the old copy whose bytes differ in the new export, or null when all are unchanged.</summary>
    private static long? FirstChangedBlock(string oldPath, string newPath)
    {
        if (!File.Exists(oldPath))
        {
            return null;
        }

        using var oldStream = File.OpenRead(oldPath);
        using var newStream = File.OpenRead(newPath);
        using var older = new LedgerExportReader(oldStream).ReadBlocks().GetEnumerator();
        using var newer = new LedgerExportReader(newStream).ReadBlocks().GetEnumerator();
        long height = 0;
        while (older.MoveNext())
        {
            if (!newer.MoveNext()
                || !older.Current.HeaderBytes.AsSpan().SequenceEqual(newer.Current.HeaderBytes)
                || !older.Current.Signature.AsSpan().SequenceEqual(newer.Current.Signature)
                || older.Current.Leaves.Count != newer.Current.Leaves.Count)
            {
                return height;
            }

            for (var i = 0; i < older.Current.Leaves.Count; i++)
            {
                if (!older.Current.Leaves.GetSpan(i).SequenceEqual(newer.Current.Leaves.GetSpan(i)))
                {
                    return height;
                }
            }

            height++;
        }

        return null;
    }
}
