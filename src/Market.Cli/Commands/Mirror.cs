using System.Globalization;
using Market.Ledger;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market ledger follow</c>: keeps a verified copy of a market's ledger. Each run fetches the export, verifies it
/// from scratch (with replay), proves it consistent with the checkpoint this mirror kept last time, and checks that
/// every block it already had is unchanged. Only then does it replace its copy. Exit 0 when the ledger only grew;
/// 1 when it was rewritten, truncated or forked (the copy and checkpoint are kept as evidence); 2 when unreachable.
/// </summary>
internal static class Mirror
{
    public const string ExportFile = "ledger-export.jsonl";
    public const string CheckpointFile = "checkpoint.json";

    public static int Run(string url, DirectoryInfo state, Func<HttpClient> http, TextWriter output, TextWriter error)
    {
        Directory.CreateDirectory(state.FullName);
        var exportPath = Path.Combine(state.FullName, ExportFile);
        var checkpointPath = Path.Combine(state.FullName, CheckpointFile);
        Checkpoint? kept = null;
        if (File.Exists(checkpointPath) && !LedgerCommand.TryReadCheckpoint(checkpointPath, out kept, out var why))
        {
            error.WriteLine($"market ledger follow: the mirror's own checkpoint is unreadable: {why}");
            return LedgerCommand.Unreadable;
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

        VerificationResult result;
        using (var stream = File.OpenRead(incoming))
        {
            result = LedgerCommand.VerifyStream(stream, kept, error);
        }

        if (!result.IsValid)
        {
            var reason = result.Failure!.Reason switch
            {
                VerificationFailureReason.Truncated => "the ledger is shorter than the checkpoint this mirror kept: it was truncated",
                VerificationFailureReason.NotConsistent or VerificationFailureReason.CheckpointMismatch => "the ledger is not an extension of what this mirror verified before: it was rewritten or forked",
                _ => "the ledger does not verify",
            };
            error.WriteLine($"market ledger follow: {reason}. {LedgerCommand.Describe(result.Failure)}. Kept copy: {exportPath}");
            File.Delete(incoming);
            return result.Failure.Reason == VerificationFailureReason.MalformedExport ? LedgerCommand.Unreadable : LedgerCommand.Tampered;
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
        using (var stream = File.OpenRead(exportPath))
        {
            var reader = new LedgerExportReader(stream);
            foreach (var _ in reader.ReadBlocks())
            {
            }

            LedgerCommand.WriteCheckpoint(Path.Combine(state.FullName, CheckpointFile), reader.Checkpoint!);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ok: {result.BlockCount} blocks verified ({result.BlockCount - previous} new), {result.TradeCount} trades; the ledger only grew. Checkpoint size {result.CheckpointSize}, root {Convert.ToHexStringLower(result.LedgerRoot ?? [])}"));
        return LedgerCommand.Valid;
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
