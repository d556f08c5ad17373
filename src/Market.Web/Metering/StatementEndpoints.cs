namespace Market.Web.Metering;

public static class StatementEndpoints
{
    /// <summary>The signed-in household's monthly statement as CSV, and the month's openings of its reconciliation commitments.</summary>
    public static IEndpointRouteBuilder MapStatements(this IEndpointRouteBuilder app)
    {
        // The statement as CSV, for the signed-in household (cookie): one line per trade.
        app.MapGet("/statement/{year:int}/{month:int}.csv", async (int year, int month, HttpContext http, HouseholdAccessor households, StatementService statements) =>
        {
            var household = await households.FindAsync(http.User);
            if (household is null)
            {
                return Results.Problem(statusCode: 403, title: "Not a household", detail: "Only households have statements.");
            }

            if (year is < 2000 or > 2200 || month is < 1 or > 12)
            {
                return Results.Problem(statusCode: 400, title: "No such month", detail: "Use a year and a month 1–12.");
            }

            var statement = await statements.MonthAsync(household, year, month);
            var csv = StatementService.ToCsv(statement, TimeZoneInfo.FindSystemTimeZoneById(household.TimeZone));
            return Results.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv", $"statement-{year}-{month:00}.csv");
        }).RequireAuthorization(p => p.RequireRole(Roles.Prosumer)).ExcludeFromDescription();

        // The month's openings of the signed-in household's commitments, to verify its reconciliations with.
        app.MapGet("/statement/{year:int}/{month:int}/openings.jsonl", async (int year, int month, HttpContext http, HouseholdAccessor households, OpeningQueries openings, CancellationToken ct) =>
        {
            var household = await households.FindAsync(http.User, ct);
            if (household is null)
            {
                return Results.Problem(statusCode: 403, title: "Not a household", detail: "Only households have statements.");
            }

            if (year is < 2000 or > 2200 || month is < 1 or > 12)
            {
                return Results.Problem(statusCode: 400, title: "No such month", detail: "Use a year and a month 1–12.");
            }

            var (from, to) = StatementService.MonthRange(household, year, month);
            return Results.Stream(s => openings.WriteAsync(s, household.Id, from, to, ct), "application/x-ndjson", $"openings-{year}-{month:00}.jsonl");
        }).RequireAuthorization(p => p.RequireRole(Roles.Prosumer)).ExcludeFromDescription();
        return app;
    }
}
