using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Market.Web.Api;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Scenario = Market.Web.Tests.Metering.DeliveredTrade;

namespace Market.Web.Tests.Metering;

/// <summary>Corrections that move more money than the threshold wait for an operator, who confirms (sealed once) or rejects (never sealed).</summary>
public sealed class CorrectionReviewTests
{
    /// <summary>€0.10: Anna's export corrected from 800 to 0 Wh moves her settlement by 800 Wh at retail (€0.3176).</summary>
    internal static readonly Dictionary<string, string?> Threshold = new() { ["Metering:ConfirmCorrectionsAbove"] = "1000" };

    /// <summary>Readings in, version 1 sealed, then the big correction uploaded: it waits.</summary>
    internal static async Task<(Scenario S, long Pending)> PendingAsync(string? dataDirectory = null)
    {
        var s = await Scenario.StartAsync(Threshold, dataDirectory);
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var response = await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, 0, 0)));
        var body = await response.Content.ReadFromJsonAsync<ReadingImportResponse>();
        return (s, body!.Pending.ShouldHaveSingleItem().Id);
    }

    private static async Task<HttpResponseMessage> PostAsync(Scenario s, string path, object? body = null)
    {
        using var client = await ApiClient.ForAsync(s.App, "operator@demo.energy");
        return await client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body ?? new { });
    }

    private static async Task<long> AnnasImbalanceAsync(Scenario s)
    {
        var anna = await s.App.HouseholdAsync("anna@demo.energy");
        await using var db = s.App.CreateDb();
        return await db.ImbalancePostings.Where(p => p.HouseholdId == anna.Id).SumAsync(p => p.Amount);
    }

    [Fact]
    public async Task Upload_CorrectionAboveTheThreshold_StoredAsPendingNotSealedAndTheApiSaysItWaits()
    {
        await using var s = await Scenario.StartAsync(Threshold);
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = await AnnasImbalanceAsync(s);

        using var response = await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, 0, 0)));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var body = JsonSerializer.Deserialize<ReadingImportResponse>(text, JsonSerializerOptions.Web)!;
        (body.Stored, body.Corrections, body.Reconciled.Count).ShouldBe((0, 0, 0));
        var pending = body.Pending.ShouldHaveSingleItem();
        (pending.Line, pending.MeterId, pending.LargestMove).ShouldBe((2, s.AnnaMeter, 3176));
        pending.Message.ShouldContain("waits for an operator's confirmation");
        await using var db = s.App.CreateDb();
        (await db.MeterReadings.CountAsync()).ShouldBe(2);
        (await db.Reconciliations.CountAsync()).ShouldBe(1);
        (await AnnasImbalanceAsync(s)).ShouldBe(before);
    }

    [Fact]
    public async Task Upload_CorrectionBelowTheThreshold_SealedAtOnce()
    {
        await using var s = await Scenario.StartAsync(Threshold);
        (await s.UploadAsync(s.ValidCsv())).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var response = await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, 0, 790)));

        var body = (await response.Content.ReadFromJsonAsync<ReadingImportResponse>())!;
        (body.Corrections, body.Pending.Count, body.Reconciled.Count).ShouldBe((1, 0, 1));
    }

    [Fact]
    public async Task Upload_SamePendingCorrectionTwice_StillOneWaiting()
    {
        var (s, id) = await PendingAsync();
        await using var _ = s;

        using var again = await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, 0, 0)));

        (await again.Content.ReadFromJsonAsync<ReadingImportResponse>())!.Pending.ShouldHaveSingleItem().Id.ShouldBe(id);
        (await s.App.Get<CorrectionReview>().PendingAsync()).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Pending_ListedWithEachHouseholdsSettlementBeforeAndAfter()
    {
        var (s, id) = await PendingAsync();
        await using var _ = s;
        using var client = await ApiClient.ForAsync(s.App, "operator@demo.energy");

        var list = await client.GetFromJsonAsync<List<PendingCorrectionDto>>(new Uri("/api/meter-corrections", UriKind.Relative));

        var correction = list.ShouldNotBeNull().ShouldHaveSingleItem();
        (correction.Id, correction.Household, correction.InForceExportWh, correction.ExportWh).ShouldBe((id, "Anna's house", 800, 0));
        var anna = correction.Moves.ShouldHaveSingleItem();
        (anna.Household, anna.Before, anna.After, anna.Change).ShouldBe(("Anna's house", -794, -3970, -3176));
    }

    [Fact]
    public async Task Confirm_Pending_SealedExactlyOnceStatementMovesAndWhoIsRecorded()
    {
        var (s, id) = await PendingAsync();
        await using var _ = s;
        var anna = await s.App.HouseholdAsync("anna@demo.energy");
        var month = DateTimeOffset.FromUnixTimeSeconds(s.Interval);
        var statementBefore = await s.App.Get<StatementService>().MonthAsync(anna, month.Year, month.Month);
        var before = statementBefore.Intervals.ShouldHaveSingleItem();

        using var first = await PostAsync(s, $"/api/meter-corrections/{id}/confirm");
        using var second = await PostAsync(s, $"/api/meter-corrections/{id}/confirm");

        var confirmed = (await first.Content.ReadFromJsonAsync<ReviewDto>())!;
        (confirmed.Decision, confirmed.Reconciled.ShouldHaveSingleItem().Version).ShouldBe(("Confirmed", 2));
        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        await using var db = s.App.CreateDb();
        (await db.Reconciliations.CountAsync()).ShouldBe(2);
        (await db.MeterReadings.Where(r => r.HouseholdId == anna.Id).OrderBy(r => r.Version).Select(r => r.ExportWh).ToListAsync()).ShouldBe([800, 0]);
        var decision = await db.CorrectionDecisions.SingleAsync();
        (decision.Decision, decision.UserName, decision.ReadingId is not null).ShouldBe((CorrectionDecision.Confirmed, "operator@demo.energy", true));
        var statementAfter = await s.App.Get<StatementService>().MonthAsync(anna, month.Year, month.Month);
        var after = statementAfter.Intervals.ShouldHaveSingleItem();
        (after.Version, after.NetAmount - before.NetAmount, after.Adjustment).ShouldBe((2, -3176L, -3176L));
        statementBefore.Pending.ShouldBe([s.Interval]);
        statementAfter.Pending.ShouldBeEmpty();
        (await s.App.Get<CorrectionReview>().PendingAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Confirm_TwoOperatorsAtOnce_OneConfirmsTheOtherIsToldAndItIsSealedOnce()
    {
        var (s, id) = await PendingAsync();
        await using var _ = s;
        var review = s.App.Get<CorrectionReview>();

        var results = await Task.WhenAll(
            Task.Run(() => review.ConfirmAsync(id, "", "operator@demo.energy")),
            Task.Run(() => review.ConfirmAsync(id, "", "second-operator@demo.energy")));

        results.Count(r => r.Outcome == ReviewOutcome.Done).ShouldBe(1);
        results.Count(r => r.Outcome == ReviewOutcome.AlreadyDecided && r.Decision == CorrectionDecision.Confirmed).ShouldBe(1);
        await using var db = s.App.CreateDb();
        (await db.Reconciliations.CountAsync()).ShouldBe(2);
        (await db.MeterReadings.CountAsync()).ShouldBe(3);
    }

    [Fact]
    public async Task Reject_WithAReason_NeverSealedAndCannotBeConfirmedAfter()
    {
        var (s, id) = await PendingAsync();
        await using var _ = s;

        using var rejected = await PostAsync(s, $"/api/meter-corrections/{id}/reject", new { reason = "meter swapped; the gateway sent the old meter's register" });
        using var confirm = await PostAsync(s, $"/api/meter-corrections/{id}/confirm");
        var reconciledLater = await s.App.Get<ReconciliationService>().ReconcileDueAsync();

        rejected.StatusCode.ShouldBe(HttpStatusCode.OK, await rejected.Content.ReadAsStringAsync());
        confirm.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        reconciledLater.ShouldBeEmpty();
        await using var db = s.App.CreateDb();
        (await db.Reconciliations.CountAsync()).ShouldBe(1);
        (await db.MeterReadings.CountAsync()).ShouldBe(2);
        var decision = await db.CorrectionDecisions.SingleAsync();
        (decision.Decision, decision.Reason, decision.UserName).ShouldBe((CorrectionDecision.Rejected, "meter swapped; the gateway sent the old meter's register", "operator@demo.energy"));
    }

    [Fact]
    public async Task Reject_WithoutAReason_422AndStillWaiting()
    {
        var (s, id) = await PendingAsync();
        await using var _ = s;

        using var response = await PostAsync(s, $"/api/meter-corrections/{id}/reject", new { reason = "  " });

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await s.App.Get<CorrectionReview>().PendingAsync()).ShouldHaveSingleItem().Id.ShouldBe(id);
    }

    [Fact]
    public async Task Upload_AnotherCorrectionOfTheSameReading_SupersedesTheWaitingOneWhichNeverSeals()
    {
        var (s, id) = await PendingAsync();
        await using var _ = s;

        using var response = await s.UploadAsync(Scenario.Csv((s.AnnaMeter, s.Interval, 0, 790)));

        (await response.Content.ReadFromJsonAsync<ReadingImportResponse>())!.Reconciled.ShouldHaveSingleItem().Version.ShouldBe(2);
        (await s.App.Get<CorrectionReview>().PendingAsync()).ShouldBeEmpty();
        (await s.App.Get<CorrectionReview>().ConfirmAsync(id, "", "operator@demo.energy")).Outcome.ShouldBe(ReviewOutcome.AlreadyDecided);
        await using var db = s.App.CreateDb();
        (await db.CorrectionDecisions.SingleAsync()).Decision.ShouldBe(CorrectionDecision.Superseded);
        (await db.Reconciliations.CountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task Pending_AfterARestart_StillWaitingAndConfirmable()
    {
        await using var folder = new TestFolder("market-pending-");
        var (s, id) = await PendingAsync(folder.Path);
        var now = s.App.Clock.GetUtcNow();
        await s.DisposeAsync();

        await using var restarted = new MarketFactory(folder.Path, now);
        restarted.Settings["Metering:ConfirmCorrectionsAbove"] = "1000";
        _ = restarted.Server;
        var waiting = await restarted.Get<CorrectionReview>().PendingAsync();
        var confirmed = await restarted.Get<CorrectionReview>().ConfirmAsync(id, "", "operator@demo.energy");

        waiting.ShouldHaveSingleItem().Id.ShouldBe(id);
        (confirmed.Outcome, confirmed.Reconciled.ShouldHaveSingleItem().Version).ShouldBe((ReviewOutcome.Done, 2));
    }
}
