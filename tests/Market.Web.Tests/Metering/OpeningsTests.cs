using System.Globalization;
using System.Net;
using Market.Ledger;
using Market.Replay;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Scenario = Market.Web.Tests.Metering.DeliveredTrade;

namespace Market.Web.Tests.Metering;

/// <summary>
/// The openings of households' reconciliation commitments (docs/adr/0020): a household gets its own (API token or
/// its statement page), an auditor every household's; each verifies what it was given against the public ledger.
/// </summary>
public sealed class OpeningsTests
{
    private static async Task<Scenario> ReconciledAsync()
    {
        var s = await Scenario.StartAsync();
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);
        return s;
    }

    /// <summary>?from=…&amp;to=… covering the community day of the scenario's interval.</summary>
    private static string Day(Scenario s)
    {
        var day = DateOnly.FromDateTime(s.App.Get<MarketClock>().ToLocal(s.Interval).DateTime);
        return string.Create(CultureInfo.InvariantCulture, $"from={day:yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}");
    }

    private static async Task<IReadOnlyList<ReconciliationOpening>> ReadAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        copy.Position = 0;
        return OpeningsFile.Read(copy);
    }

    private static async Task<VerificationResult> VerifyAsync(Scenario s, IReadOnlyList<ReconciliationOpening> openings)
    {
        using var export = new MemoryStream();
        await s.App.Get<LedgerPublication>().WriteExportAsync(export);
        export.Position = 0;
        return ChainVerifier.VerifyExport(export, new MatchingReplayer(), options: new ChainVerifierOptions { Openings = openings });
    }

    private static async Task<PartyId> PseudonymAsync(Scenario s, string email) => PartyId.FromBytes((await s.App.HouseholdAsync(email)).Pseudonym);

    [Fact]
    public async Task Api_HouseholdToken_GetsOnlyItsOwnOpeningsAndTheyVerify()
    {
        await using var s = await ReconciledAsync();
        using var anna = await ApiClient.ForAsync(s.App, "anna@demo.energy");

        var openings = await ReadAsync(await anna.GetAsync(new Uri($"/api/reconciliation-openings?{Day(s)}", UriKind.Relative)));
        var result = await VerifyAsync(s, openings);

        openings.Count.ShouldBe(1);
        openings[0].Settlement.Household.ShouldBe(await PseudonymAsync(s, "anna@demo.energy"));
        openings[0].Settlement.ExportWh.ShouldBe(800);
        result.Failure.ShouldBeNull();
        result.OpeningsChecked.ShouldBe(1);
        result.HouseholdRecords.ShouldBe(2);
        result.ReconciliationsFullyChecked.ShouldBe(0);
    }

    [Fact]
    public async Task Api_HouseholdToken_RefusedEveryHouseholdsOpenings()
    {
        await using var s = await ReconciledAsync();
        using var anna = await ApiClient.ForAsync(s.App, "anna@demo.energy");

        using var response = await anna.GetAsync(new Uri($"/api/audit/reconciliation-openings?{Day(s)}", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Api_AuditorToken_GetsEveryHouseholdsOpeningsAndChecksTheReconciliationInFull()
    {
        await using var s = await ReconciledAsync();
        using var auditor = await ApiClient.ForAsync(s.App, "auditor@demo.energy");

        var openings = await ReadAsync(await auditor.GetAsync(new Uri($"/api/audit/reconciliation-openings?{Day(s)}", UriKind.Relative)));
        var result = await VerifyAsync(s, openings);

        openings.Select(o => o.Settlement.Household).ShouldBe([await PseudonymAsync(s, "anna@demo.energy"), await PseudonymAsync(s, "ben@demo.energy")], ignoreOrder: true);
        result.Failure.ShouldBeNull();
        result.OpeningsChecked.ShouldBe(2);
        result.ReconciliationsFullyChecked.ShouldBe(1);
    }

    [Fact]
    public async Task Api_AuditorToken_OpeningsOfACorrectionCoverBothVersions()
    {
        await using var s = await ReconciledAsync();
        (await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, 0, 1000)))).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var auditor = await ApiClient.ForAsync(s.App, "auditor@demo.energy");

        var openings = await ReadAsync(await auditor.GetAsync(new Uri($"/api/audit/reconciliation-openings?{Day(s)}", UriKind.Relative)));
        var result = await VerifyAsync(s, openings);

        openings.Select(o => o.Settlement.ReconciliationVersion).Order().ShouldBe([1, 1, 2, 2]);
        result.Failure.ShouldBeNull();
        result.ReconciliationsFullyChecked.ShouldBe(2);
    }

    [Fact]
    public async Task StatementDownload_SignedInHousehold_ItsOwnOpeningsOfTheMonth()
    {
        await using var s = await ReconciledAsync();
        using var client = s.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignIn.SignInAsync(client, "ben@demo.energy");
        var ben = await s.App.HouseholdAsync("ben@demo.energy");
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(s.Interval), TimeZoneInfo.FindSystemTimeZoneById(ben.TimeZone));

        var openings = await ReadAsync(await client.GetAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"/statement/{local.Year}/{local.Month}/openings.jsonl"), UriKind.Relative)));

        openings.Count.ShouldBe(1);
        openings[0].Settlement.Household.ShouldBe(PartyId.FromBytes(ben.Pseudonym));
        openings[0].Settlement.ImportWh.ShouldBe(1000);
    }

    [Fact]
    public async Task Api_RangeBeyond31Days_400ProblemAndNothingStreamed()
    {
        await using var s = await ReconciledAsync();
        using var auditor = await ApiClient.ForAsync(s.App, "auditor@demo.energy");

        using var response = await auditor.GetAsync(new Uri("/api/audit/reconciliation-openings?from=2026-01-01&to=2026-03-01", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Store_Openings_AppendOnly()
    {
        await using var s = await ReconciledAsync();
        await using var db = s.App.CreateDb();

        var e = await Should.ThrowAsync<System.Data.Common.DbException>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"ReconciliationOpenings\" SET \"Salt\" = \"Salt\""));

        e.Message.ShouldContain("append-only");
        (await db.ReconciliationOpenings.CountAsync()).ShouldBe(2);
    }
}
