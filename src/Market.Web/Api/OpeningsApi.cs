using System.Security.Claims;

namespace Market.Web.Api;

/// <summary>
/// The openings of households' reconciliation commitments (docs/adr/0020): a household's token gets its own, an
/// auditor's or operator's token every household's. Days <c>[from, to)</c> in the community's time zone, at most
/// <see cref="UtilityEndpoints.MaxDays"/>; the answer is an openings file for <c>market ledger verify --openings</c>.
/// </summary>
public static class OpeningsApi
{
    public static WebApplication MapOpeningsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").RequireRateLimiting(OrderApi.RateLimitPolicy).WithTags("Reconciliation openings");
        api.MapGet("/reconciliation-openings", async (string? from, string? to, HttpContext http, HouseholdCache households, OpeningQueries openings, MarketClock clock, CancellationToken ct) =>
            {
                var household = http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId ? await households.FindAsync(userId, ct) : null;
                return household is null
                    ? OrderApi.Problem(403, "Not a household", "Only a household's token has openings of its own; auditors use /api/audit/reconciliation-openings.")
                    : File(from, to, clock, (s, start, end) => openings.WriteAsync(s, household.Id, start, end, ct));
            })
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .WithSummary("My openings of the reconciliations of days from..to (yyyy-MM-dd, to exclusive, at most 31 days): salt and settlement record of each commitment sealed for my household");
        api.MapGet("/audit/reconciliation-openings", (string? from, string? to, OpeningQueries openings, MarketClock clock, CancellationToken ct) =>
                File(from, to, clock, (s, start, end) => openings.WriteAsync(s, null, start, end, ct)))
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Roles.Auditor, Roles.Operator))
            .WithSummary("Auditors: every household's openings of the reconciliations of days from..to (yyyy-MM-dd, to exclusive, at most 31 days), to check them in full");
        return app;
    }

    private static IResult File(string? from, string? to, MarketClock clock, Func<Stream, long, long, Task> write) =>
        UtilityEndpoints.Range(from, to, clock) is var (start, end)
            ? Results.Stream(s => write(s, start, end), "application/x-ndjson", $"openings-{from ?? "today"}.jsonl")
            : OrderApi.Problem(400, "Bad range", $"Use from and to as dates (yyyy-MM-dd, the community's days, to exclusive), at most {UtilityEndpoints.MaxDays} days apart.");
}
