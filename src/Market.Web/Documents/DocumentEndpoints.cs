using System.Globalization;
using Microsoft.Extensions.Options;

namespace Market.Web.Documents;

/// <summary>The printable documents: a household's PDF statement and a trade's PDF receipt (docs/adr/0027).</summary>
public static class DocumentEndpoints
{
    public static IEndpointRouteBuilder MapDocuments(this IEndpointRouteBuilder app)
    {
        // The signed-in household's month as a PDF (cookie, like the CSV): only its own; there is no household in the path.
        app.MapGet("/statement/{year:int}/{month:int}.pdf", async (int year, int month, HttpContext http, HouseholdAccessor households,
            StatementService statements, PublicLinks links, MarketClock clock, IOptions<CommunityOptions> community, CancellationToken ct) =>
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

            var statementMonth = await statements.MonthWithSummaryAsync(household, year, month, ct);
            var zone = TimeZoneInfo.FindSystemTimeZoneById(household.TimeZone);
            var context = new StatementPdfContext(
                community.Value.Name,
                household.Name,
                MonthLabel(year, month),
                links.BaseUrl.AbsoluteUri,
                TimeZoneInfo.ConvertTime(clock.Now, zone).ToString("d MMMM yyyy, HH:mm", CultureInfo.CurrentCulture));
            return Results.File(StatementPdf.Render(statementMonth, context, CultureInfo.CurrentCulture), "application/pdf", $"statement-{year}-{month:00}.pdf");
        }).RequireAuthorization(p => p.RequireRole(Roles.Prosumer)).ExcludeFromDescription();

        // A trade's receipt as a PDF: public like the trade's page, since it holds only what the ledger publishes.
        app.MapGet("/ledger/trades/{id:long}/receipt.pdf", async (long id, LedgerPublication publication, PublicLinks links, MarketClock clock,
            IOptions<CommunityOptions> community, CancellationToken ct) =>
        {
            var receipt = await publication.ReceiptAsync(id, ct);
            if (receipt is null)
            {
                return Results.Problem(statusCode: 404, title: "No such trade", detail: $"The ledger has no trade {id}.");
            }

            var trade = Market.Ledger.ClearedTrade.Decode(receipt.TradeLeaf);
            var context = new TradeReceiptContext(
                community.Value.Name,
                community.Value.Currency,
                clock.FormatInterval(trade.IntervalStart),
                VerificationUrl(links, id),
                links.To(string.Create(CultureInfo.InvariantCulture, $"api/ledger/trades/{id}/proof")));
            return Results.File(TradeReceiptPdf.Render(receipt, context, CultureInfo.CurrentCulture), "application/pdf", string.Create(CultureInfo.InvariantCulture, $"receipt-trade-{id}.pdf"));
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>The public address of the page that verifies trade <paramref name="tradeId"/>: what its QR code encodes.</summary>
    public static string VerificationUrl(PublicLinks links, long tradeId)
    {
        ArgumentNullException.ThrowIfNull(links);
        return links.To(TradeQr.VerificationPath(tradeId));
    }

    /// <summary>"December 2026" in the current culture ("Dezember 2026").</summary>
    public static string MonthLabel(int year, int month) => new DateTime(year, month, 1).ToString("MMMM yyyy", CultureInfo.CurrentCulture);
}
