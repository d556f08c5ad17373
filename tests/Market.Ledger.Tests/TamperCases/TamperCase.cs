using System.Globalization;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// What a verifier must report for an export: valid with its counts, or the first failure (reason, height, leaf
/// index, trade id, and for a malformed export the line it names). Nulls are "none".
/// </summary>
internal sealed record Verdict
{
    public VerificationFailureReason? Reason { get; init; }

    public long? Height { get; init; }

    public int? Leaf { get; init; }

    public long? TradeId { get; init; }

    /// <summary>The line a <see cref="VerificationFailureReason.MalformedExport"/> names ("export line N: …").</summary>
    public long? Line { get; init; }

    public long? Blocks { get; init; }

    public long? Trades { get; init; }

    public long? Reconciliations { get; init; }

    public bool IsValid => Reason is null;

    public static Verdict ValidWith(long blocks, long trades, long reconciliations = 0) =>
        new() { Blocks = blocks, Trades = trades, Reconciliations = reconciliations };

    public static Verdict Fails(VerificationFailureReason reason, long? height, int? leaf = null, long? tradeId = null) =>
        new() { Reason = reason, Height = height, Leaf = leaf, TradeId = tradeId };

    public static Verdict Malformed(long line) => new() { Reason = VerificationFailureReason.MalformedExport, Line = line };

    /// <summary>The verdict a verifier actually gave, in the same terms.</summary>
    public static Verdict Of(VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Failure is not { } f)
        {
            return ValidWith(result.BlockCount, result.TradeCount, result.ReconciliationCount);
        }

        return Fails(f.Reason, f.Height, f.LeafIndex, f.TradeId) with
        {
            Line = f.Reason == VerificationFailureReason.MalformedExport ? LineOf(f.Message) : null,
        };
    }

    public override string ToString() => IsValid
        ? string.Create(CultureInfo.InvariantCulture, $"valid: {Blocks} blocks, {Trades} trades, {Reconciliations} reconciliations")
        : string.Create(CultureInfo.InvariantCulture, $"{Reason} at height {Height?.ToString(CultureInfo.InvariantCulture) ?? "-"}, leaf {Leaf?.ToString(CultureInfo.InvariantCulture) ?? "-"}, trade {TradeId?.ToString(CultureInfo.InvariantCulture) ?? "-"}, line {Line?.ToString(CultureInfo.InvariantCulture) ?? "-"}");

    private static long? LineOf(string message)
    {
        const string Prefix = "export line ";
        var end = message.IndexOf(':', StringComparison.Ordinal);
        return message.StartsWith(Prefix, StringComparison.Ordinal) && end > Prefix.Length
            && long.TryParse(message.AsSpan(Prefix.Length, end - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var line)
            ? line
            : null;
    }
}

/// <summary>An openings file that comes with a case (docs/ledger-format.md §10.1), as <c>market ledger verify
/// --openings</c> reads it.</summary>
/// <param name="FileName">"ledger-what.openings.jsonl".</param>
/// <param name="Bytes">The file.</param>
internal sealed record OpeningsAttachment(string FileName, byte[] Bytes)
{
    public static OpeningsAttachment Of(string name, IEnumerable<ReconciliationOpening> openings)
    {
        using var stream = new MemoryStream();
        OpeningsFile.Write(stream, openings);
        return new OpeningsAttachment($"{name}.openings.jsonl", stream.ToArray());
    }
}

/// <summary>
/// One export file of the shared tamper cases and what every verifier must say about it.
/// </summary>
/// <param name="Ledger">The valid ledger it starts from (chain, reconciliation, sample).</param>
/// <param name="Name">What was done to it, for people.</param>
/// <param name="Export">The complete export file.</param>
/// <param name="Expected">The verdict of a verifier that replays the clearings (<c>market ledger verify</c>).</param>
internal sealed record TamperCase(string Ledger, string Name, byte[] Export, Verdict Expected)
{
    /// <summary>The verdict of a verifier that leaves the replay out (the browser), when it differs.</summary>
    public Verdict? WithoutReplay { get; init; }

    /// <summary>A checkpoint the auditor kept from earlier, or null.</summary>
    public Checkpoint? Kept { get; init; }

    /// <summary>The genesis key id the auditor trusts, or null.</summary>
    public byte[]? TrustedGenesisKeyId { get; init; }

    /// <summary>Openings of household commitments the verifier is given (an openings file, which cases may share by
    /// name), or null. <see cref="Expected"/> and <see cref="WithoutReplay"/> are the verdicts with them.</summary>
    public OpeningsAttachment? Openings { get; init; }

    /// <summary>The verdict (with the replay) of a verifier not given <see cref="Openings"/>, when it differs.</summary>
    public Verdict? WithoutOpenings { get; init; }

    /// <summary>"ledger-what-was-done.jsonl": lower-case letters and digits, words joined by '-'.</summary>
    public string FileName => $"{Slug}.jsonl";

    /// <summary>The kept checkpoint's file, next to the export.</summary>
    public string? KeptFileName => Kept is null ? null : $"{Slug}.checkpoint.json";

    private string Slug
    {
        get
        {
            var slug = new System.Text.StringBuilder();
            foreach (var c in $"{Ledger} {Name}".ToLowerInvariant())
            {
                if (char.IsAsciiLetterOrDigit(c))
                {
                    slug.Append(c);
                }
                else if (slug.Length > 0 && slug[^1] != '-')
                {
                    slug.Append('-');
                }
            }

            return slug.ToString().TrimEnd('-');
        }
    }
}
