using System.Security.Claims;
using System.Text.Json.Serialization;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Api;

/// <summary>The body of <c>POST /api/household/statements</c>: statements of one submission, signed by a household key.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StatementsRequest([property: JsonRequired] IReadOnlyList<StatementDto> Statements);

/// <summary>
/// One household statement: its type (<c>keyEnrolment</c>, <c>keyRevocation</c>, <c>mandate</c>,
/// <c>mandateRevocation</c>, <c>cancellation</c>), its body in hex as docs/ledger-format.md §3.1 lays it out, the
/// signature with the statement's place in its submission, and for a key a label.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StatementDto(
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Body,
    [property: JsonRequired] SignatureDto Signature,
    string? Label = null);

/// <summary>A key of the household as its pages and agents see it.</summary>
public sealed record HouseholdKeyDto(string KeyId, string Algorithm, string Role, string Label, string PublicKey, string EnrolledBy, DateTimeOffset Enrolled, bool Revoked, long? BlockHeight);

/// <summary>
/// Household keys for agents: register an agent's own public key (signed by one of the household's keys, or self-
/// signed as the household's first key), revoke one, sign mandates and cancellations, and list the keys.
/// </summary>
public static class HouseholdKeyApi
{
    public static IEndpointRouteBuilder MapHouseholdKeyApi(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/household").RequireRateLimiting(OrderApi.RateLimitPolicy)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .WithTags("Household keys");
        mine.MapPost("/statements", SubmitAsync)
            .WithSummary("Submit signed household statements: key enrolments and revocations, mandates, cancellations")
            .WithDescription("Each statement is checked against the household's keys as they stand after the ones before it, and all are stored or none. " +
                "Answers the operator's signed acceptance receipts, one per statement (docs/ledger-format.md §11.1).")
            .Accepts<StatementsRequest>("application/json").ProducesProblem(422).ProducesProblem(403);
        mine.MapGet("/keys", KeysAsync).WithSummary("The household's keys, revoked ones included").Produces<IReadOnlyList<HouseholdKeyDto>>();
        return app;
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, HouseholdCache households, HouseholdStatements statements, StatementsRequest request, CancellationToken ct)
    {
        var household = await FindAsync(households, http.User, ct);
        if (household is null)
        {
            return OrderApi.Problem(403, "Not a household", "Only a household's token can sign for a household.");
        }

        var signed = new List<SignedStatement>(request.Statements?.Count ?? 0);
        for (var i = 0; i < (request.Statements?.Count ?? 0); i++)
        {
            var s = request.Statements![i];
            StatementType? type = s.Type switch
            {
                "keyEnrolment" => StatementType.KeyEnrolment,
                "keyRevocation" => StatementType.KeyRevocation,
                "mandate" => StatementType.Mandate,
                "mandateRevocation" => StatementType.MandateRevocation,
                "cancellation" => StatementType.Cancellation,
                _ => null,
            };
            if (type is null)
            {
                return Refused(i, "type", "type is keyEnrolment, keyRevocation, mandate, mandateRevocation or cancellation.");
            }

            byte[] body;
            try
            {
                body = s.Body.Length <= 512 ? Convert.FromHexString(s.Body) : throw new FormatException();
            }
            catch (FormatException)
            {
                return Refused(i, "body", "body is the statement's body in hex (at most 256 bytes).");
            }

            if (s.Signature.ToSignature(out var error) is not { } signature)
            {
                return Refused(i, "signature", error!);
            }

            signed.Add(new SignedStatement(type.Value, body, signature, s.Label));
        }

        var result = await statements.SubmitAsync(household.Id, signed, ct);
        return result.Succeeded
            ? Results.Ok(new { receipts = result.Accepted.Select(a => a.Receipt.ToJsonElement()).ToList() })
            : Refused(result.FailedIndex, result.Field!, result.Error!);
    }

    private static async Task<IResult> KeysAsync(HttpContext http, HouseholdCache households, IDbContextFactory<MarketDbContext> dbFactory, CancellationToken ct)
    {
        var household = await FindAsync(households, http.User, ct);
        if (household is null)
        {
            return OrderApi.Problem(403, "Not a household", "Only a household's token has keys.");
        }

        return Results.Ok(await ListAsync(dbFactory, household.Id, ct));
    }

    /// <summary>The household's keys, oldest first, with the block that sealed each enrolment.</summary>
    public static async Task<IReadOnlyList<HouseholdKeyDto>> ListAsync(IDbContextFactory<MarketDbContext> dbFactory, long householdId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dbFactory);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.HouseholdKeys.AsNoTracking().Where(k => k.HouseholdId == householdId).OrderBy(k => k.Id)
            .Join(db.HouseholdRecords, k => k.EnrolmentRecordId, r => r.Id, (k, r) => new { Key = k, r.BlockHeight })
            .ToListAsync(ct);
        return rows.Select(r => new HouseholdKeyDto(
            Convert.ToHexStringLower(r.Key.KeyId),
            r.Key.Algorithm == (byte)HouseholdKeyAlgorithm.P256 ? "P-256" : "Ed25519",
            ((HouseholdKeyRole)r.Key.Role).ToString().ToLowerInvariant(),
            r.Key.Label,
            Convert.ToHexStringLower(r.Key.PublicKey),
            Convert.ToHexStringLower(r.Key.EnrolledBy),
            DateTimeOffset.FromUnixTimeMilliseconds(r.Key.CreatedAtMs),
            r.Key.RevocationRecordId is not null,
            r.BlockHeight)).ToList();
    }

    private static IResult Refused(int index, string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [$"statements[{index}].{field}"] = [message] }, detail: message, title: "The statements were not accepted", statusCode: 422);

    private static Task<Household?> FindAsync(HouseholdCache households, ClaimsPrincipal user, CancellationToken ct) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId ? households.FindAsync(userId, ct) : Task.FromResult<Household?>(null);
}
