using System.Globalization;
using System.Security.Claims;
using System.Text;

namespace Market.Web.Api;

/// <summary>
/// The community's network (imported by an operator) and the network operator's envelopes (dynamic operating
/// envelopes per connection and interval, capacities of feeders and transformers while they vary), as JSON or as the
/// CSIP-AUS <c>DERControl</c> subset.
/// </summary>
public static class GridApi
{
    /// <summary>Largest network or envelope upload: 10,000 connections × 96 intervals of JSON fit with room.</summary>
    public const int MaxBodyBytes = 256 * 1024 * 1024;

    /// <summary>The most windows a listing returns.</summary>
    public const int MaxListed = 100_000;

    public static WebApplication MapGridApi(this WebApplication app)
    {
        var tokens = TokenAuthenticationHandler.SchemeName;
        app.MapPut("/api/grid/network", ImportNetworkAsync)
            .RequireRateLimiting(OrderApi.RateLimitPolicy)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(tokens).RequireRole(Roles.Operator))
            .WithTags("Grid")
            .WithSummary("Operators: import the community's network (text/csv: node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id; or JSON {\"nodes\":[…]}); all or nothing; it becomes the next version")
            .Produces<NetworkImportResult>(StatusCodes.Status200OK)
            .ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        app.MapGet("/api/grid/network", NetworkAsync)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(tokens).RequireRole(Roles.Operator, Roles.Manager, Roles.NetworkOperator))
            .WithTags("Grid")
            .WithSummary("The network in force (JSON, or text/csv with ?format=csv); 404 before the first import")
            .Produces<NetworkDto>().ProducesProblem(404);
        app.MapPost("/api/grid/envelopes", ImportJsonEnvelopesAsync)
            .RequireRateLimiting(OrderApi.RateLimitPolicy)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(tokens).RequireRole(Roles.NetworkOperator, Roles.Operator))
            .WithTags("Grid")
            .WithSummary("Network operator: envelopes and capacities as JSON {\"envelopes\":[{\"node\",\"start\",\"end\",\"importLimitW\",\"exportLimitW\",\"event\"}]}; all or nothing; only for intervals whose gate has not closed; a newer window for a node and interval replaces an older one")
            .Produces<EnvelopeImportResult>(StatusCodes.Status200OK)
            .ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        app.MapPost("/api/grid/envelopes/{node}", ImportXmlEnvelopesAsync)
            .RequireRateLimiting(OrderApi.RateLimitPolicy)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(tokens).RequireRole(Roles.NetworkOperator, Roles.Operator))
            .WithTags("Grid")
            .WithSummary("Network operator: one node's CSIP-AUS / IEEE 2030.5 DERControlList or DERControl (application/sep+xml): opModImpLimW and opModExpLimW; all or nothing")
            .Produces<EnvelopeImportResult>(StatusCodes.Status200OK)
            .ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        app.MapGet("/api/grid/envelopes", WindowsAsync)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(tokens).RequireRole(Roles.NetworkOperator, Roles.Operator, Roles.Manager))
            .WithTags("Grid")
            .WithSummary("The envelope windows that touch [from, to) (ISO 8601), newest upload first (JSON, or text/csv with ?format=csv)")
            .Produces<IEnumerable<EnvelopeDto>>().ProducesProblem(422);
        return app;
    }

    private static async Task<IResult> ImportNetworkAsync(HttpContext http, GridStore store, CancellationToken ct)
    {
        var csv = ApiInput.Is(http.Request, "text/csv");
        if (!csv && !ApiInput.Is(http.Request, "application/json"))
        {
            return ApiInput.UnsupportedMediaType("text/csv or application/json");
        }

        var body = await ApiInput.ReadUploadAsync(http.Request, MaxBodyBytes, ct);
        if (body is null)
        {
            return TooLarge();
        }

        NetworkParseResult parsed;
        if (csv)
        {
            using var reader = new StreamReader(new MemoryStream(body), Encoding.UTF8);
            parsed = await NetworkDefinitionParser.ParseCsvAsync(reader, ct);
        }
        else if (ApiInput.TryReadJson<NetworkUpload>(body, "Malformed network", out var upload, out var malformed))
        {
            parsed = NetworkDefinitionParser.Check(upload);
        }
        else
        {
            return malformed;
        }

        if (parsed.Network is null)
        {
            return Refused("The network was not stored", parsed.Errors.Count, parsed.Errors.Select(e => (e.Line, e.Message)),
                csv ? "line numbers of the file, the header is line 1" : "1-based item numbers of \"nodes\"");
        }

        return Results.Ok(await store.ImportNetworkAsync(parsed.Network, csv ? "csv" : "json", UserName(http), ct));
    }

    private static async Task<IResult> NetworkAsync(HttpContext http, GridStore store, CancellationToken ct)
    {
        var network = await store.CurrentAsync(ct);
        if (network is null)
        {
            return OrderApi.Problem(404, "No network", "No network has been imported yet.");
        }

        if (string.Equals(http.Request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase))
        {
            var text = new StringBuilder(NetworkDefinitionParser.Header).Append('\n');
            foreach (var n in network.Definition.Nodes)
            {
                text.Append(CultureInfo.InvariantCulture, $"{n.Id},{n.ParentId},{Kind(n.Kind)},{n.ExportCapacityW},{n.ImportCapacityW},{n.MeterId}\n");
            }

            return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv", $"network-v{network.Version}.csv");
        }

        return Results.Ok(new NetworkDto(
            network.Version, network.Sha256, DateTimeOffset.FromUnixTimeMilliseconds(network.ImportedAtMs),
            [.. network.Definition.Nodes.Select(n => new NetworkNodeDto(n.Id, n.ParentId, Kind(n.Kind), n.ExportCapacityW, n.ImportCapacityW, n.MeterId))]));
    }

    private static async Task<IResult> ImportJsonEnvelopesAsync(HttpContext http, GridStore store, CancellationToken ct)
    {
        if (!ApiInput.Is(http.Request, "application/json"))
        {
            return ApiInput.UnsupportedMediaType("application/json");
        }

        var body = await ApiInput.ReadUploadAsync(http.Request, MaxBodyBytes, ct);
        if (body is null)
        {
            return TooLarge();
        }

        var parsed = EnvelopeParser.ParseJson(body);
        return await StoreAsync(http, store, parsed, "json", body, ct);
    }

    private static async Task<IResult> ImportXmlEnvelopesAsync(string node, HttpContext http, GridStore store, CancellationToken ct)
    {
        if (!ApiInput.Is(http.Request, "application/sep+xml") && !ApiInput.Is(http.Request, "application/xml"))
        {
            return ApiInput.UnsupportedMediaType("application/sep+xml or application/xml");
        }

        var body = await ApiInput.ReadUploadAsync(http.Request, MaxBodyBytes, ct);
        if (body is null || body.Length > EnvelopeParser.MaxXmlBytes)
        {
            return TooLarge();
        }

        var parsed = await EnvelopeParser.ParseXmlAsync(node, new MemoryStream(body), ct);
        return await StoreAsync(http, store, parsed, "csip-aus", body, ct);
    }

    private static async Task<IResult> StoreAsync(HttpContext http, GridStore store, ParsedEnvelopes parsed, string source, byte[] body, CancellationToken ct)
    {
        if (!parsed.Succeeded)
        {
            return Refused("The envelopes were not stored", parsed.Errors.Count, parsed.Errors.Select(e => (e.Item, e.Message)), "1-based items of the upload");
        }

        var (stored, errors) = await store.ImportEnvelopesAsync(parsed.Envelopes, source, body, UserName(http), ct, parsed.Cancellations);
        if (stored is null)
        {
            return errors is [{ Item: 0 } only] && only.Message.StartsWith("There is no network yet", StringComparison.Ordinal)
                ? OrderApi.Problem(409, "No network", only.Message)
                : Refused("The envelopes were not stored", errors.Count, errors.Select(e => (e.Item, e.Message)), "1-based items of the upload");
        }

        return Results.Ok(stored);
    }

    private static async Task<IResult> WindowsAsync(HttpContext http, GridStore store, CancellationToken ct)
    {
        if (!TryInstant(http.Request.Query["from"], out var from) || !TryInstant(http.Request.Query["to"], out var to) || to <= from)
        {
            return OrderApi.Problem(422, "Invalid range", "Give from and to as ISO 8601 instants (2026-06-15T10:00:00Z), from before to.");
        }

        var windows = await store.WindowsAsync(from, to, MaxListed, ct);
        if (string.Equals(http.Request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase))
        {
            var text = new StringBuilder("node,start,end,import_limit_w,export_limit_w,event,upload,cancels\n");
            foreach (var w in windows)
            {
                text.Append(CultureInfo.InvariantCulture, $"{w.NodeId},{Iso(w.Start)},{Iso(w.End)},{w.ImportLimitW},{w.ExportLimitW},{Csv(w.EventId)},{w.UploadId},{(w.Cancels ? "true" : "false")}\n");
            }

            return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv", "envelopes.csv");
        }

        return Results.Ok(windows.Select(w => new EnvelopeDto(
            w.NodeId, DateTimeOffset.FromUnixTimeSeconds(w.Start), DateTimeOffset.FromUnixTimeSeconds(w.End), w.ImportLimitW, w.ExportLimitW, w.EventId, w.UploadId, w.Cancels)));
    }

    private static bool TryInstant(string? text, out long seconds)
    {
        seconds = 0;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return false;
        }

        seconds = at.ToUnixTimeSeconds();
        return true;
    }

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Csv(string? text) => text is null ? "" : text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;

    private static string Kind(NetworkNodeKind kind) => kind.ToString().ToLowerInvariant();

    private static IResult Refused(string title, int count, IEnumerable<(int Line, string Message)> errors, string where)
    {
        var listed = errors.Take(100).Select(e => new { line = e.Line, message = e.Message }).ToArray();
        return Results.Problem(
            statusCode: 422,
            title: title,
            detail: $"{count} error(s); nothing was stored. The first {listed.Length} are listed under \"errors\" ({where}).",
            extensions: new Dictionary<string, object?> { ["errorCount"] = count, ["errors"] = listed });
    }

    private static IResult TooLarge() =>
        OrderApi.Problem(413, "Upload too large", $"An upload may have at most {MaxBodyBytes / (1024 * 1024)} MB ({EnvelopeParser.MaxXmlBytes / (1024 * 1024)} MB of XML).");

    private static string UserName(HttpContext http) => http.User.FindFirstValue(ClaimTypes.Name) ?? "unknown";
}

/// <summary>The network in force.</summary>
public sealed record NetworkDto(long Version, string Sha256, DateTimeOffset ImportedAt, IReadOnlyList<NetworkNodeDto> Nodes);

/// <summary>One node of the network in force.</summary>
public sealed record NetworkNodeDto(string Id, string? Parent, string Kind, long? ExportCapacityW, long? ImportCapacityW, string? MeterId);

/// <summary>One stored envelope window; with <c>Cancels</c>, a cancellation of the event over the window (no limits).</summary>
public sealed record EnvelopeDto(string Node, DateTimeOffset Start, DateTimeOffset End, long? ImportLimitW, long? ExportLimitW, string? Event, long Upload, bool Cancels);
