using System.Security.Claims;

namespace Market.Web.Api;

/// <summary>Meter readings through the API (operators and meter gateways) and the operators' missing-readings file.</summary>
public static class MeterReadingApi
{
    public static WebApplication MapMeterReadingApi(this WebApplication app)
    {
        // No Accepts metadata: routing would then turn away other media types before the handler, and the request
        // would fall through to the pages (400) instead of getting the handler's 415 problem.
        app.MapPost("/api/meter-readings", ImportAsync)
            .RequireRateLimiting(OrderApi.RateLimitPolicy)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Roles.Operator, Roles.MeterGateway))
            .WithTags("Meter readings")
            .WithSummary("Upload meter readings (text/csv: meter_id,interval_start,import_wh,export_wh; or JSON {\"readings\":[…]}); all or nothing, a reading for a meter and interval that has one is a correction; a gateway only for its meters; a correction that moves money beyond the threshold waits for an operator (\"pending\")")
            .Produces<ReadingImportResponse>(StatusCodes.Status200OK)
            .ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);

        var operators = app.MapGroup("/api").WithTags("Meter readings")
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Roles.Operator));
        operators.MapGet("/meter-gateways", async (GatewayMeters gateways, CancellationToken ct) =>
                Results.Ok((await gateways.ListAsync(ct)).Select(GatewayDto.From)))
            .WithSummary("Operators: every meter gateway account and the meters it may send readings for")
            .Produces<IEnumerable<GatewayDto>>();
        operators.MapPut("/meter-gateways/{gateway}/meters", ReplaceGatewayMetersAsync)
            .WithSummary("Operators: make this list exactly the gateway's meters (all or nothing); a meter another gateway had moves")
            .Produces<GatewayDto>().ProducesProblem(404).ProducesProblem(422);
        operators.MapGet("/meter-corrections", async (CorrectionReview review, CancellationToken ct) =>
                Results.Ok((await review.PendingAsync(ct)).Select(PendingCorrectionDto.From)))
            .WithSummary("Operators: corrections that wait for confirmation, with each household's settlement before and after if confirmed now")
            .Produces<IEnumerable<PendingCorrectionDto>>();
        operators.MapPost("/meter-corrections/{id:long}/confirm", async (long id, HttpContext http, CorrectionReview review, CancellationToken ct) =>
                Review(await review.ConfirmAsync(id, UserId(http), UserName(http), ct)))
            .WithSummary("Operators: confirm a waiting correction; it becomes the reading in force and is sealed (once, however often it is confirmed)")
            .Produces<ReviewDto>().ProducesProblem(404).ProducesProblem(409);
        operators.MapPost("/meter-corrections/{id:long}/reject", async (long id, RejectCorrection body, HttpContext http, CorrectionReview review, CancellationToken ct) =>
                Review(await review.RejectAsync(id, UserId(http), UserName(http), body.Reason, ct)))
            .WithSummary("Operators: reject a waiting correction with a reason (required); it is never sealed")
            .Produces<ReviewDto>().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        // The readings the operators' page lists as missing, as a file to fill in and upload (per meter without a gap).
        app.MapGet("/operator/readings/missing.csv", async (SettlementQueries settlement, MarketClock clock, CancellationToken ct) =>
            {
                var now = clock.NowSeconds;
                var rows = await settlement.MissingTemplateAsync(now - (SettlementQueries.WaitingWindowDays * 86_400L), now, ct);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(MissingTemplate(rows)), "text/csv", "missing-readings.csv");
            })
            .RequireAuthorization(p => p.RequireRole(Roles.Operator))
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The upload format with the meter and interval of each missing reading filled in and the energies empty.</summary>
    public static string MissingTemplate(IEnumerable<MissingReading> missing)
    {
        ArgumentNullException.ThrowIfNull(missing);
        var csv = new System.Text.StringBuilder();
        csv.Append(ReadingParser.Header).Append('\n');
        foreach (var m in missing)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{m.MeterId},{DateTimeOffset.FromUnixTimeSeconds(m.IntervalStart):yyyy-MM-ddTHH:mm:ssZ},,\n");
        }

        return csv.ToString();
    }

    private static async Task<IResult> ImportAsync(
        HttpContext http, ReadingImportService import, ReconciliationService reconciliation, Microsoft.Extensions.Options.IOptions<MeteringOptions> threshold, CancellationToken ct)
    {
        if (http.Request.ContentLength > MeteringExtensions.MaxBodyBytes)
        {
            return TooLarge();
        }

        var csv = ApiInput.Is(http.Request, "text/csv");
        if (!csv && !ApiInput.Is(http.Request, "application/json"))
        {
            return ApiInput.UnsupportedMediaType("text/csv or application/json");
        }

        var body = await ApiInput.ReadUploadAsync(http.Request, MeteringExtensions.MaxBodyBytes, ct);
        if (body is null)
        {
            return TooLarge();
        }

        var source = (csv ? "api-csv:" : "api-json:") + UserName(http);
        // Operators may send any meter; a gateway only those assigned to it (docs/adr/0021).
        var sender = new ReadingSender(source, http.User.IsInRole(Roles.Operator) ? null : UserId(http));
        ParsedReadings parsed;
        if (csv)
        {
            using var reader = new StreamReader(new MemoryStream(body), System.Text.Encoding.UTF8);
            parsed = await ReadingParser.ParseCsvAsync(reader, ct);
        }
        else if (ApiInput.TryReadJson<ReadingUpload>(body, "Malformed readings", out var upload, out var malformed))
        {
            parsed = ReadingParser.Check(upload);
        }
        else
        {
            return malformed;
        }

        var result = await import.ImportAsync(parsed, sender, ct);
        if (!result.Succeeded)
        {
            return Results.Problem(
                statusCode: 422,
                title: "The readings were not stored",
                detail: $"{result.ErrorCount} error(s) in {result.Rows} reading(s); nothing was stored. The first {result.Errors.Count} are listed under \"errors\" ({(csv ? "line numbers of the file, the header is line 1" : "1-based item numbers of \"readings\"")}).",
                extensions: new Dictionary<string, object?>
                {
                    ["errorCount"] = result.ErrorCount,
                    ["errors"] = result.Errors.Select(e => new { line = e.Line, message = e.Message }).ToArray(),
                });
        }

        var reconciled = await reconciliation.ReconcileDueAsync(ct);
        return Results.Ok(new ReadingImportResponse(result.Rows, result.Stored, result.Corrections, result.Unchanged,
            [.. result.Intervals.Select(s => DateTimeOffset.FromUnixTimeSeconds(s))],
            [.. reconciled.Select(r => new ReconciledDto(DateTimeOffset.FromUnixTimeSeconds(r.IntervalStart), r.Version, r.BlockHeight))],
            [.. result.Pending.Select(p => new PendingDto(p.Line, p.Id, p.MeterId, DateTimeOffset.FromUnixTimeSeconds(p.IntervalStart), p.LargestMove,
                $"waits for an operator's confirmation: it would move a household's settlement by {p.LargestMove} (1/10,000 of the currency), more than {threshold.Value.ConfirmCorrectionsAbove}"))]));
    }

    private static async Task<IResult> ReplaceGatewayMetersAsync(string gateway, GatewayMetersBody body, HttpContext http, GatewayMeters gateways, CancellationToken ct)
    {
        if (body.MeterIds is not { } meters || meters.Count > GatewayMeters.MaxMeters || meters.Any(m => m is null))
        {
            return OrderApi.Problem(422, "Invalid meter list", $"Send {{\"meterIds\":[…]}} with up to {GatewayMeters.MaxMeters} meter ids.");
        }

        var result = await gateways.ReplaceAsync(gateway, meters, UserName(http), ct);
        if (!result.Found)
        {
            return OrderApi.Problem(404, "No such gateway", $"No account with the {Roles.MeterGateway} role is named \"{gateway}\".");
        }

        if (!result.Succeeded)
        {
            return Results.Problem(statusCode: 422, title: "Unknown meters", detail: $"{result.UnknownMeters.Count} meter id(s) belong to no household; nothing was changed.",
                extensions: new Dictionary<string, object?> { ["unknownMeters"] = result.UnknownMeters.Take(100).ToArray() });
        }

        var view = (await gateways.ListAsync(ct)).Single(g => g.UserName == gateway);
        return Results.Ok(GatewayDto.From(view) with { Moved = result.Moved });
    }

    private static IResult Review(ReviewResult result) => result.Outcome switch
    {
        ReviewOutcome.Done => Results.Ok(new ReviewDto(result.Decision!.Value.ToString(),
            [.. result.Reconciled.Select(r => new ReconciledDto(DateTimeOffset.FromUnixTimeSeconds(r.IntervalStart), r.Version, r.BlockHeight))])),
        ReviewOutcome.NotFound => OrderApi.Problem(404, "No such correction", "No correction waits or waited under this id."),
        ReviewOutcome.AlreadyDecided => OrderApi.Problem(409, "Already decided", $"This correction was {result.Decision?.ToString().ToLowerInvariant()} before; nothing changed."),
        ReviewOutcome.ReasonRequired => OrderApi.Problem(422, "Reason required", $"Say why the correction is rejected (1 to {CorrectionReview.MaxReasonLength} characters): {{\"reason\":\"…\"}}."),
        _ => OrderApi.Problem(409, "Try again", "A reading of the same meter and interval arrived at the same moment; nothing changed."),
    };

    private static string UserId(HttpContext http) => http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    private static string UserName(HttpContext http) => http.User.FindFirstValue(ClaimTypes.Name) ?? "?";

    private static IResult TooLarge() => OrderApi.Problem(413, "Body too large", $"An upload is at most {MeteringExtensions.MaxBodyBytes / (1024 * 1024)} MB; split the file.");
}

/// <summary>What an upload stored, the reconciliations it triggered and the corrections that wait for an operator.</summary>
public sealed record ReadingImportResponse(
    int Rows, int Stored, int Corrections, int Unchanged, IReadOnlyList<DateTimeOffset> Intervals, IReadOnlyList<ReconciledDto> Reconciled, IReadOnlyList<PendingDto> Pending);

/// <summary>A reading of an upload held for an operator's confirmation (<c>line</c>: line or 1-based item).</summary>
public sealed record PendingDto(int Line, long Id, string MeterId, DateTimeOffset IntervalStart, long LargestMove, string Message);

/// <summary>A gateway and its meters; <c>moved</c>: meters that were another gateway's before this change.</summary>
public sealed record GatewayDto(string Gateway, IReadOnlyList<string> MeterIds, IReadOnlyList<string>? Moved = null)
{
    public static GatewayDto From(GatewayView view) => new(view.UserName, [.. view.Meters.Select(m => m.MeterId)]);
}

/// <summary><c>{"meterIds":[…]}</c>: the gateway's meters after the change.</summary>
public sealed record GatewayMetersBody(IReadOnlyList<string>? MeterIds);

/// <summary><c>{"reason":"…"}</c>.</summary>
public sealed record RejectCorrection(string? Reason);

/// <summary>A decision taken, and the reconciliations a confirmation sealed.</summary>
public sealed record ReviewDto(string Decision, IReadOnlyList<ReconciledDto> Reconciled);

/// <summary>One household's imbalance settlement of the interval before and after the correction (1/10,000 currency).</summary>
public sealed record MoveDto(string Household, long Before, long After, long Change);

/// <summary>A correction that waits, with the reading in force now and whose settlement it would move.</summary>
public sealed record PendingCorrectionDto(
    long Id, string Household, string MeterId, DateTimeOffset IntervalStart, long? InForceImportWh, long? InForceExportWh,
    long ImportWh, long ExportWh, DateTimeOffset ReceivedAt, string Source, IReadOnlyList<MoveDto> Moves)
{
    public static PendingCorrectionDto From(PendingCorrectionView v) => new(
        v.Id, v.Household, v.MeterId, DateTimeOffset.FromUnixTimeSeconds(v.IntervalStart), v.InForce?.ImportWh, v.InForce?.ExportWh,
        v.ImportWh, v.ExportWh, DateTimeOffset.FromUnixTimeMilliseconds(v.ReceivedAtMs), v.Source,
        [.. v.Moves.Select(m => new MoveDto(m.Household, m.Move.Before, m.Move.After, m.Move.Change))]);
}

/// <summary>One reconciliation sealed after an upload.</summary>
public sealed record ReconciledDto(DateTimeOffset IntervalStart, int Version, long BlockHeight);
