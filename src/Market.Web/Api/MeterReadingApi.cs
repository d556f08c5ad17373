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
            .WithSummary("Upload meter readings (text/csv: meter_id,interval_start,import_wh,export_wh; or JSON {\"readings\":[…]}); all or nothing, a reading for a meter and interval that has one is a correction")
            .Produces<ReadingImportResponse>(StatusCodes.Status200OK)
            .ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);

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

    private static async Task<IResult> ImportAsync(HttpContext http, ReadingImportService import, ReconciliationService reconciliation, CancellationToken ct)
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

        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return TooLarge();
        }

        var source = (csv ? "api-csv:" : "api-json:") + (http.User.FindFirstValue(ClaimTypes.Name) ?? "?");
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

        var result = await import.ImportAsync(parsed, source, ct);
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
            [.. reconciled.Select(r => new ReconciledDto(DateTimeOffset.FromUnixTimeSeconds(r.IntervalStart), r.Version, r.BlockHeight))]));
    }

    private static IResult TooLarge() => OrderApi.Problem(413, "Body too large", $"An upload is at most {MeteringExtensions.MaxBodyBytes / (1024 * 1024)} MB; split the file.");

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MeteringExtensions.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

/// <summary>What an upload stored, and the reconciliations it triggered.</summary>
public sealed record ReadingImportResponse(int Rows, int Stored, int Corrections, int Unchanged, IReadOnlyList<DateTimeOffset> Intervals, IReadOnlyList<ReconciledDto> Reconciled);

/// <summary>One reconciliation sealed after an upload.</summary>
public sealed record ReconciledDto(DateTimeOffset IntervalStart, int Version, long BlockHeight);
