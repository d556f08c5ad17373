using System.CommandLine;
using System.Text.Json;
using Market.Ledger;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market ledger verify-evidence FILE</c>: checks a fork evidence file (written by a witness) without trusting
/// anyone: both notes signed by the log key the file names, one origin, the larger tree's leaves give its root and
/// their prefix does not give the smaller root (or, for equal sizes, the roots differ). With <c>--log-key</c> the
/// file must name that key (the market's published one). Exit 0 fork confirmed, 1 not a fork or invalid, 2 unreadable.
/// </summary>
internal static class VerifyEvidence
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A fork evidence file (JSON, market-fork-evidence/1), e.g. from a witness's evidence folder." };
        var logKey = new Option<string?>("--log-key") { Description = "The log's note verifier key you know: the evidence must be signed by it." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("verify-evidence", "Verify fork evidence: two checkpoints signed by the same log key that cannot both be true.") { file, logKey, json };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(logKey), parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(FileInfo file, string? logKey, bool json, TextWriter output, TextWriter error)
    {
        string text;
        try
        {
            text = File.ReadAllText(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"market ledger verify-evidence: cannot read {file.FullName}: {e.Message}");
            return LedgerCommand.Unreadable;
        }

        if (!ForkEvidence.TryParse(text, out var evidence, out var why))
        {
            error.WriteLine($"market ledger verify-evidence: {file.FullName} is not fork evidence: {why}");
            return LedgerCommand.Unreadable;
        }

        NoteVerifierKey? expected = null;
        if (logKey is not null && !NoteVerifierKey.TryParse(logKey, out expected, out why))
        {
            error.WriteLine($"market ledger verify-evidence: --log-key is not a note verifier key: {why}");
            return LedgerCommand.Unreadable;
        }

        var confirmed = evidence!.Verify(out var explanation);
        if (confirmed && expected is not null
            && (!NoteVerifierKey.TryParse(evidence.LogKey, out var named, out _) || !named!.SameKey(expected) || named.Name != expected.Name))
        {
            confirmed = false;
            explanation = $"the evidence is signed by {evidence.LogKey}, not by the log key given ({expected.Encode()}): it proves nothing about that log";
        }

        output.WriteLine(json
            ? JsonSerializer.Serialize(new { fork = confirmed, logKey = evidence.LogKey, explanation })
            : confirmed ? $"FORK CONFIRMED: {explanation}" : $"not a fork: {explanation}");
        return confirmed ? LedgerCommand.Valid : LedgerCommand.Tampered;
    }
}
