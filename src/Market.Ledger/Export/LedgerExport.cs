namespace Market.Ledger;

/// <summary>
/// The self-contained export: one UTF-8 JSON Lines file (one JSON object per line, '\n' separated).
/// <code>
/// {"format":"market-ledger-export","version":1}
/// {"type":"block","height":0,"kind":"keyEvent","header":"&lt;hex&gt;","signature":"&lt;hex&gt;","leaves":["&lt;hex&gt;",...]}
/// ... one line per block in height order ...
/// {"type":"checkpoint","size":N,"root":"&lt;hex&gt;","time":&lt;unix ms&gt;,"keyId":"&lt;hex&gt;","signature":"&lt;hex&gt;"}
/// </code>
/// Bytes are hex (written lower-case, read in either case). "height" and "kind" repeat the header for people and
/// must match it. Kinds: keyEvent, orderBook, clearing, rules, reconciliation, household,
/// witnessPolicy, network, gridLimits. No other fields are allowed.
/// </summary>
public static class LedgerExport
{
    /// <summary>The value of "format" on the first line.</summary>
    public const string FormatName = "market-ledger-export";

    /// <summary>The export format version written.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes a whole export.</summary>
    /// <param name="stream">Destination (left open).</param>
    /// <param name="blocks">All blocks in height order.</param>
    /// <param name="checkpoint">The latest checkpoint.</param>
    public static void Write(Stream stream, IEnumerable<LedgerBlock> blocks, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        using var writer = new LedgerExportWriter(stream);
        foreach (var block in blocks)
        {
            writer.WriteBlock(block);
        }

        writer.WriteCheckpoint(checkpoint);
    }

    /// <summary>Reads a whole export into memory (for small exports and tests; verify large ones while streaming
    /// with <see cref="ChainVerifier.VerifyExport"/>).</summary>
    /// <param name="stream">The export.</param>
    /// <returns>The blocks and the checkpoint (null when the file has none).</returns>
    /// <exception cref="LedgerFormatException">Malformed input, with the line number.</exception>
    internal static (IReadOnlyList<LedgerBlock> Blocks, Checkpoint? Checkpoint) Read(Stream stream)
    {
        var reader = new LedgerExportReader(stream);
        var blocks = reader.ReadBlocks().ToList();
        return (blocks, reader.Checkpoint);
    }

    internal static ReadOnlySpan<byte> KindNameUtf8(BlockKind kind) => kind switch
    {
        BlockKind.KeyEvent => "keyEvent"u8,
        BlockKind.OrderBook => "orderBook"u8,
        BlockKind.Clearing => "clearing"u8,
        BlockKind.Rules => "rules"u8,
        BlockKind.Reconciliation => "reconciliation"u8,
        BlockKind.Household => "household"u8,
        BlockKind.WitnessPolicy => "witnessPolicy"u8,
        BlockKind.Network => "network"u8,
        BlockKind.GridLimits => "gridLimits"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown block kind"),
    };

    internal static string KindName(BlockKind kind) => kind switch
    {
        BlockKind.KeyEvent => "keyEvent",
        BlockKind.OrderBook => "orderBook",
        BlockKind.Clearing => "clearing",
        BlockKind.Rules => "rules",
        BlockKind.Reconciliation => "reconciliation",
        BlockKind.Household => "household",
        BlockKind.WitnessPolicy => "witnessPolicy",
        BlockKind.Network => "network",
        BlockKind.GridLimits => "gridLimits",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown block kind"),
    };
}
