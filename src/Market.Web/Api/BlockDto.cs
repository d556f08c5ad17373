using Market.Ledger;

namespace Market.Web.Api;

/// <summary>A block in the public API: decoded header fields plus the raw header and signature (hex).</summary>
public sealed record BlockDto(
    long Height,
    string Kind,
    long? IntervalStart,
    long? IntervalEnd,
    int LeafCount,
    string HeaderHash,
    string PreviousHash,
    string PayloadRoot,
    string KeyId,
    long SealedAtMs,
    string Header,
    string Signature)
{
    public static string KindName(BlockKind kind) => kind switch
    {
        BlockKind.KeyEvent => "key-event",
        BlockKind.OrderBook => "order-book",
        BlockKind.Clearing => "clearing",
        BlockKind.Rules => "rules",
        BlockKind.Reconciliation => "reconciliation",
        BlockKind.Household => "household",
        BlockKind.WitnessPolicy => "witness-policy",
        BlockKind.Network => "network",
        BlockKind.GridLimits => "grid-limits",
        _ => "unknown",
    };

    public static BlockDto From(BlockView b) => new(
        b.Height, KindName(b.Kind), b.IntervalStart, b.IntervalEnd, b.LeafCount,
        Convert.ToHexStringLower(b.HeaderHash), Convert.ToHexStringLower(b.PreviousHash), Convert.ToHexStringLower(b.PayloadRoot),
        Convert.ToHexStringLower(b.KeyId), b.SealedAtMs, Convert.ToHexStringLower(b.Header), Convert.ToHexStringLower(b.Signature));
}

/// <summary>A block with its leaves (hex) and the server's own check of it.</summary>
public sealed record BlockDetailDto(BlockDto Block, IReadOnlyList<string> Leaves, bool Valid, string? Problem)
{
    public static BlockDetailDto From(BlockDetail d) =>
        new(BlockDto.From(d.Block), d.Leaves.Select(Convert.ToHexStringLower).ToList(), d.Check.IsValid, d.Check.Problem);
}
