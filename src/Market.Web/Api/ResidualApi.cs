using System.Globalization;
using System.Text;
using Market.Ledger;

namespace Market.Web.Api;

/// <summary>
/// The community's residual per interval for an aggregator (FERC Order 2222): what the local market left unmatched
/// as export and import step curves at the community's connection, the net injection the limits allow, the metered
/// totals after delivery, and the proofs that tie each to its sealed block. Public like the ledger it is read from.
/// </summary>
public static class ResidualApi
{
    /// <summary>The most curve steps one request returns (some 50 MB of CSV); a range with more is refused, never cut.</summary>
    public const int MaxSteps = 250_000;

    public static WebApplication MapResidualApi(this WebApplication app)
    {
        app.MapGet("/api/community/residual", ResidualAsync)
            .AllowAnonymous()
            .RequireRateLimiting(RateLimits.Ledger)
            .WithTags("Community")
            .WithSummary($"The community's residual per interval cleared under the grid's mechanism (3) and starting in [from, to): the residual leaf of its clearing block (min and max net injection, the export and import step curves; prices in 1/10,000 of the currency per kWh, energy in Wh) with the leaf's bytes, hash and inclusion proof in the block's payload root, and after delivery the metered totals of the newest reconciliation with the same proof of its summary leaf; intervals cleared under another mechanism have no residual and are left out. JSON, or text/csv with ?format=csv (one line per curve step); from and to as ISO 8601 instants or the community's days (yyyy-MM-dd), at most {IntervalRange.MaxDays} days apart and {MaxSteps:N0} curve steps")
            .Produces<IEnumerable<ResidualIntervalDto>>()
            .ProducesProblem(400);
        return app;
    }

    private static async Task<IResult> ResidualAsync(string? from, string? to, string? format, ResidualExport export, MarketClock clock, CancellationToken ct)
    {
        var (range, problem) = IntervalRange.Parse(from, to, clock);
        if (range is not var (start, end))
        {
            return OrderApi.Problem(400, "Invalid range", problem!);
        }

        if (IntervalRange.IsCsv(format) is not bool csv)
        {
            return OrderApi.Problem(400, "Unknown format", "format is json (the default) or csv.");
        }

        var intervals = await export.ForAsync(start, end, ct);
        if (intervals.Sum(i => (long)i.Residual.Export.Count + i.Residual.Import.Count) > MaxSteps)
        {
            return OrderApi.Problem(400, "Range too large", $"The range has more than {MaxSteps:N0} curve steps; ask for a shorter range.");
        }

        if (csv)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"residual-{Compact(start)}-{Compact(end)}.csv");
            return Results.File(Encoding.UTF8.GetBytes(ResidualExport.ToCsv(intervals)), "text/csv", name);
        }

        return Results.Ok(intervals.Select(ResidualIntervalDto.From));
    }

    private static string Compact(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One step of a residual curve.</summary>
/// <param name="Price">The step's price at the community's connection, 1/10,000 of the currency per kWh.</param>
/// <param name="CumulativeWh">The energy of this step and every step before it, Wh.</param>
public sealed record ResidualStepDto(long Price, long CumulativeWh);

/// <summary>
/// The community's metered totals of the interval from the summary (leaf 0) of its newest reconciliation block, with
/// the summary's bytes, hash and inclusion proof in that block's payload root.
/// </summary>
/// <param name="ExportWh">The households' metered export added up, Wh.</param>
/// <param name="ImportWh">The households' metered import added up, Wh.</param>
/// <param name="NetInjectionWh">Export − import, Wh.</param>
/// <param name="ReconciliationVersion">1 for the first reconciliation, +1 per correction; the newest is served.</param>
/// <param name="BlockHeight">The reconciliation block's height.</param>
/// <param name="HeaderHash">Its header hash (hex).</param>
/// <param name="PayloadRoot">The payload root its header states (hex).</param>
/// <param name="LeafCount">Its leaves: the size of the tree the proof is for.</param>
/// <param name="LeafIndex">The summary's index: 0.</param>
/// <param name="SummaryLeaf">The summary's canonical bytes (hex).</param>
/// <param name="SummaryLeafHash"><c>SHA-256(0x00 ‖ leaf)</c> (hex).</param>
/// <param name="Proof">RFC 9162 audit path of the summary in the payload tree, leaf side first (hex).</param>
public sealed record MeteredResidualDto(
    long ExportWh, long ImportWh, long NetInjectionWh, int ReconciliationVersion,
    long BlockHeight, string HeaderHash, string PayloadRoot, int LeafCount, int LeafIndex, string SummaryLeaf, string SummaryLeafHash, IReadOnlyList<string> Proof);

/// <summary>
/// The community's residual in one interval as its clearing block seals it. Re-encoding the numbers as a residual leaf
/// (docs/ledger-format.md) gives <see cref="ResidualLeaf"/>; hashing it gives <see cref="ResidualLeafHash"/>, and the
/// proof leads from that hash to <see cref="PayloadRoot"/>, which the block's signed header carries.
/// </summary>
/// <param name="Start">The interval's start (UTC).</param>
/// <param name="End">The interval's end, exclusive (UTC).</param>
/// <param name="StartUnixSeconds">The start in Unix seconds.</param>
/// <param name="EndUnixSeconds">The end in Unix seconds.</param>
/// <param name="MinInjectionWh">The least net injection the envelopes and capacities allow, Wh (0 or less).</param>
/// <param name="MaxInjectionWh">The most net injection they allow, Wh (0 or more).</param>
/// <param name="Export">Residual supply, price ascending: above a step's price the community would export its cumulative energy.</param>
/// <param name="Import">Residual demand, price descending: below a step's price the community would import its cumulative energy.</param>
/// <param name="BlockHeight">The clearing block's height.</param>
/// <param name="HeaderHash">Its header hash (hex).</param>
/// <param name="PayloadRoot">The payload root its header states (hex).</param>
/// <param name="LeafCount">Its leaves: the size of the tree the proof is for.</param>
/// <param name="LeafIndex">The residual leaf's index: the block's last.</param>
/// <param name="ResidualLeaf">The residual leaf's canonical bytes (hex).</param>
/// <param name="ResidualLeafHash"><c>SHA-256(0x00 ‖ leaf)</c> (hex).</param>
/// <param name="Proof">RFC 9162 audit path of the leaf in the payload tree, leaf side first (hex).</param>
/// <param name="Metered">The metered totals after delivery; null until the interval is reconciled.</param>
public sealed record ResidualIntervalDto(
    DateTimeOffset Start, DateTimeOffset End, long StartUnixSeconds, long EndUnixSeconds,
    long MinInjectionWh, long MaxInjectionWh, IReadOnlyList<ResidualStepDto> Export, IReadOnlyList<ResidualStepDto> Import,
    long BlockHeight, string HeaderHash, string PayloadRoot, int LeafCount, int LeafIndex, string ResidualLeaf, string ResidualLeafHash, IReadOnlyList<string> Proof,
    MeteredResidualDto? Metered)
{
    public static ResidualIntervalDto From(ResidualInterval i)
    {
        ArgumentNullException.ThrowIfNull(i);
        var (r, l) = (i.Residual, i.Ledger);
        return new(
            DateTimeOffset.FromUnixTimeSeconds(i.IntervalStart), DateTimeOffset.FromUnixTimeSeconds(i.IntervalEnd), i.IntervalStart, i.IntervalEnd,
            r.MinInjectionWh, r.MaxInjectionWh, Steps(r.Export), Steps(r.Import),
            l.BlockHeight, Hex(l.HeaderHash), Hex(l.PayloadRoot), l.LeafCount, l.LeafIndex, Hex(l.Leaf), Hex(l.LeafHash), [.. l.Proof.Select(Hex)],
            i.Metered is { } m ? MeteredOf(m) : null);
    }

    private static MeteredResidualDto MeteredOf(MeteredResidual m) => new(
        m.Summary.ExportWh, m.Summary.ImportWh, m.NetInjectionWh, m.Summary.ReconciliationVersion,
        m.Ledger.BlockHeight, Hex(m.Ledger.HeaderHash), Hex(m.Ledger.PayloadRoot), m.Ledger.LeafCount, m.Ledger.LeafIndex,
        Hex(m.Ledger.Leaf), Hex(m.Ledger.LeafHash), [.. m.Ledger.Proof.Select(Hex)]);

    private static List<ResidualStepDto> Steps(IReadOnlyList<ResidualStep> steps) => [.. steps.Select(s => new ResidualStepDto(s.Price, s.CumulativeWh))];

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
