using System.Globalization;
using System.Text;

namespace Market.Web.Api;

/// <summary>
/// The network operator's envelopes as applied: per interval and line, the limit in force, the flow the market
/// scheduled and the share of the limit it used. For the network operator, the operators and the manager: by token
/// through the API, and as a download for the signed-in page (<c>/grid/envelopes</c>).
/// </summary>
public static class GridAppliedApi
{
    /// <summary>The longest range one request covers, in days.</summary>
    public const int MaxDays = IntervalRange.MaxDays;

    /// <summary>The most lines one request returns (some 20 MB of CSV); a range with more is refused, never cut.</summary>
    public const int MaxRows = 250_000;

    private static readonly string[] Readers = [Roles.NetworkOperator, Roles.Operator, Roles.Manager];

    public static WebApplication MapGridAppliedApi(this WebApplication app)
    {
        app.MapGet("/api/grid/applied", AppliedAsync)
            .RequireRateLimiting(OrderApi.RateLimitPolicy)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Readers))
            .WithTags("Grid")
            .WithSummary($"The envelopes as applied: per interval starting in [from, to) and line, the limits, the flow the market scheduled and the share of the limit used (JSON, or text/csv with ?format=csv); from and to as ISO 8601 instants or the community's days (yyyy-MM-dd), at most {MaxDays} days apart")
            .Produces<IEnumerable<AppliedLimitDto>>().ProducesProblem(400);
        // The page's download: the same file for the signed-in browser (the API takes tokens only, ADR 17).
        app.MapGet("/grid/envelopes/applied.csv", (HttpContext http, AppliedLimitsQuery query, MarketClock clock, CancellationToken ct) =>
                RespondAsync(http, query, clock, csv: true, ct))
            .RequireAuthorization(p => p.RequireRole(Readers))
            .ExcludeFromDescription();
        return app;
    }

    private static Task<IResult> AppliedAsync(HttpContext http, AppliedLimitsQuery query, MarketClock clock, CancellationToken ct)
    {
        if (IntervalRange.IsCsv(http.Request.Query["format"]) is not bool csv)
        {
            return Task.FromResult(OrderApi.Problem(400, "Unknown format", "format is json (the default) or csv."));
        }

        return RespondAsync(http, query, clock, csv, ct);
    }

    private static async Task<IResult> RespondAsync(HttpContext http, AppliedLimitsQuery query, MarketClock clock, bool csv, CancellationToken ct)
    {
        var (range, problem) = IntervalRange.Parse(http.Request.Query["from"], http.Request.Query["to"], clock);
        if (range is not var (from, to))
        {
            return OrderApi.Problem(400, "Invalid range", problem!);
        }

        var applied = await query.ForAsync(from, to, MaxRows, ct);
        if (applied.Truncated)
        {
            return OrderApi.Problem(400, "Range too large", $"The range has more than {MaxRows:N0} lines; ask for a shorter range.");
        }

        if (csv)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"applied-envelopes-{clock.ToLocal(from):yyyy-MM-dd}.csv");
            return Results.File(Encoding.UTF8.GetBytes(AppliedLimitsQuery.ToCsv(applied.Rows)), "text/csv", name);
        }

        return Results.Ok(applied.Rows.Select(r => new AppliedLimitDto(
            DateTimeOffset.FromUnixTimeSeconds(r.IntervalStart), DateTimeOffset.FromUnixTimeSeconds(r.IntervalEnd), AppliedLimitsQuery.Status(r.Status),
            r.NodeId, r.ParentId, r.Kind.ToString().ToLowerInvariant(), r.FromEnvelope ? "envelope" : "capacity", r.EventId, r.Upload,
            r.EnvelopeExportW, r.EnvelopeImportW, r.ExportLimitWh, r.ImportLimitWh, r.FlowWh, r.UsedPercent, AppliedLimitsQuery.Binding(r.State) is { Length: > 0 } b ? b : null)));
    }
}

/// <summary>One line in one interval, as applied (see <see cref="AppliedLimit"/>).</summary>
/// <param name="Start">The interval's start.</param>
/// <param name="End">The interval's end (exclusive).</param>
/// <param name="Status"><c>cleared</c> (under the grid's limits), <c>pending</c> (not cleared yet) or <c>not_applied</c> (cleared without them).</param>
/// <param name="Node">The node's id.</param>
/// <param name="Parent">Its parent's id.</param>
/// <param name="Kind"><c>transformer</c>, <c>feeder</c> or <c>connection</c>.</param>
/// <param name="Source"><c>envelope</c> (the network operator's, for this interval) or <c>capacity</c> (the network's static one).</param>
/// <param name="Event">The network operator's event id, if any.</param>
/// <param name="Upload">The upload whose window is in force, if any.</param>
/// <param name="EnvelopeExportW">The export limit as sent, W.</param>
/// <param name="EnvelopeImportW">The import limit as sent, W.</param>
/// <param name="ExportLimitWh">The export limit over the interval, Wh; null = unlimited.</param>
/// <param name="ImportLimitWh">The import limit over the interval, Wh; null = unlimited.</param>
/// <param name="FlowWh">Net energy scheduled up the line, Wh (negative: down); null until cleared under the grid's limits.</param>
/// <param name="UsedPercent">100 × |flow| / the limit in the flow's direction, one decimal.</param>
/// <param name="Binding"><c>export</c> or <c>import</c> when that limit bound, else null.</param>
public sealed record AppliedLimitDto(
    DateTimeOffset Start, DateTimeOffset End, string Status, string Node, string? Parent, string Kind, string Source, string? Event, long? Upload,
    long? EnvelopeExportW, long? EnvelopeImportW, long? ExportLimitWh, long? ImportLimitWh, long? FlowWh, decimal? UsedPercent, string? Binding);
