using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Market.Web.Documents;

/// <summary>What a PDF statement says besides the month's figures.</summary>
/// <param name="Community">The community's name, in the header.</param>
/// <param name="Household">The household's name, in the header (the PDF goes to the household only).</param>
/// <param name="MonthLabel">The month as the household reads it ("December 2026", "Dezember 2026").</param>
/// <param name="BaseUrl">The app's public address (<c>Market:PublicBaseUrl</c>), ending in <c>/</c>: the ledger is under it.</param>
/// <param name="Created">When the document was made, as the household reads it.</param>
internal sealed record StatementPdfContext(string Community, string Household, string MonthLabel, string BaseUrl, string Created);

/// <summary>
/// The printable statement of one household's month (A4): header, the headline against the grid alone and its parts,
/// where every kWh went, one line per day, notes on corrections and on how to verify. Every figure comes from the
/// month's <see cref="StatementSummary"/>, the same one the statement page shows, through <see cref="Units"/> in the
/// culture given (the request's).
/// </summary>
internal static class StatementPdf
{
    public static byte[] Render(StatementMonth month, StatementPdfContext context, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(month);
        ArgumentNullException.ThrowIfNull(context);
        var s = month.Summary;
        var c = s.Currency;
        using var document = new PdfDocument();
        document.Info.Title = $"Statement {context.MonthLabel} · {context.Household}";
        document.Info.Subject = Headline(s, culture);
        document.Info.Author = context.Community;
        document.Info.Creator = "Community energy market";
        using (var flow = new PdfFlow(document))
        {
            flow.Text(context.Community, PdfFlow.Font(9), XBrushes.DimGray);
            flow.Text($"Statement for {context.Household}", PdfFlow.Font(18, bold: true));
            flow.Text(context.MonthLabel, PdfFlow.Font(13));
            flow.Text($"Made {context.Created}. Energy in kWh; money rounded to the cent (the CSV download has it to 1/10,000).", flow.Small, XBrushes.DimGray);
            flow.Space(10);

            flow.Heading("What local trading did for you against the grid alone");
            flow.Text(Headline(s, culture), PdfFlow.Font(14, bold: true));
            if (!s.IsEmpty)
            {
                flow.Text($"On balance you {(s.Net < 0 ? "paid" : "received")} {Units.Money(Math.Abs(s.Net), c, culture)}. With the grid alone (everything imported at retail, everything exported at the feed-in tariff) you would have {(s.GridOnlyNet < 0 ? "paid" : "received")} {Units.Money(Math.Abs(s.GridOnlyNet), c, culture)}.");
                flow.Space(4);
                flow.Table(
                    ["Part", "Amount"],
                    [
                        ["Trading in the market", Signed(s.MarketBenefit, c, culture)],
                        ["After delivery, with neighbours or the grid", Signed(s.AfterDeliveryBenefit, c, culture)],
                        ["Together: the headline", Signed(s.Benefit, c, culture)],
                    ],
                    [0.8, 0.2],
                    [false, true],
                    new HashSet<int> { 2 });
                flow.Text("Trading in the market: your trades against the grid's price for the same energy. After delivery: what your meter showed beyond your trades, settled with neighbours or the grid.", flow.Small);
                if (s.UnreconciledIntervals > 0)
                {
                    flow.Text($"{s.UnreconciledIntervals} {(s.UnreconciledIntervals == 1 ? "interval waits" : "intervals wait")} for meter readings: trades there count at the grid's prices until then, and the after-delivery part may still change.", flow.Small);
                }

                flow.Heading("Where your energy went");
                flow.Table(
                    ["Energy", "kWh", "Money"],
                    [
                        ["You provided: sold in the market", Units.Energy(s.SoldInMarket.EnergyWh, culture), Signed(s.SoldInMarket.Amount, c, culture)],
                        ["You provided: taken by neighbours after delivery", Units.Energy(s.ProvidedToNeighbours.EnergyWh, culture), Signed(s.ProvidedToNeighbours.Amount, c, culture)],
                        ["You provided: fed into the grid (feed-in tariff)", Units.Energy(s.SoldToGrid.EnergyWh, culture), Signed(s.SoldToGrid.Amount, c, culture)],
                        ["You received: bought in the market", Units.Energy(s.BoughtInMarket.EnergyWh, culture), Units.Money(-s.BoughtInMarket.Amount, c, culture)],
                        ["You received: covered by neighbours after delivery", Units.Energy(s.CoveredByNeighbours.EnergyWh, culture), Units.Money(-s.CoveredByNeighbours.Amount, c, culture)],
                        ["You received: bought from the grid (retail)", Units.Energy(s.BoughtFromGrid.EnergyWh, culture), Units.Money(-s.BoughtFromGrid.Amount, c, culture)],
                        ["On balance", "", Units.Money(s.Net, c, culture)],
                        ["With the grid alone", "", Units.Money(s.GridOnlyNet, c, culture)],
                        ["Difference: the headline", "", Units.Money(s.Benefit, c, culture)],
                    ],
                    [0.6, 0.2, 0.2],
                    [false, true, true],
                    new HashSet<int> { 6, 8 });
                if (s.BoughtNetworkShare > 0)
                {
                    flow.Text($"Of what you paid in the market, {Units.Money(s.BoughtNetworkShare, c, culture)} went to the network operator: the network fees of each trade's distance and, where a line was full, the congestion between your zone's price and the seller's.", flow.Small);
                }

                if (s.ReconciledIntervals > 0)
                {
                    flow.Text($"Your meter over the {s.ReconciledIntervals} reconciled {(s.ReconciledIntervals == 1 ? "interval" : "intervals")}: exported {Units.Energy(s.MeteredExportWh, culture)}, imported {Units.Energy(s.MeteredImportWh, culture)}. Within each interval import and export offset first, and energy sold but not delivered is covered by neighbours or bought from the grid on your account: the rows are what was settled.", flow.Small);
                }

                flow.Heading("Day by day");
                var rows = s.Days.Select(d => (IReadOnlyList<string>)
                [
                    d.Date.ToString("ddd d MMM", culture) + (d.Corrected > 0 ? " *" : "") + (d.Reconciled < d.Intervals ? " †" : ""),
                    Units.Energy(d.LocalWh, culture),
                    Units.Energy(d.GridWh, culture),
                    Units.Money(d.MarketBenefit, c, culture),
                    Units.Money(d.AfterDeliveryBenefit, c, culture),
                    Units.Money(d.Benefit, c, culture),
                ]).ToList();
                rows.Add(["Month", Units.Energy(s.Days.Sum(d => d.LocalWh), culture), Units.Energy(s.Days.Sum(d => d.GridWh), culture), Units.Money(s.MarketBenefit, c, culture), Units.Money(s.AfterDeliveryBenefit, c, culture), Units.Money(s.Benefit, c, culture)]);
                flow.Table(
                    ["Day", "Local", "Grid", "Market", "After delivery", "Better off"],
                    rows,
                    [0.18, 0.15, 0.15, 0.16, 0.19, 0.17],
                    [false, true, true, true, true, true],
                    new HashSet<int> { rows.Count - 1 });
                flow.Text("Local: traded in the market or exchanged with neighbours after delivery. Grid: bought from or fed into the grid after delivery. * an interval of the day was settled again after a corrected meter reading. † an interval of the day waits for meter readings.", flow.Small);
            }

            flow.Heading("Corrections");
            flow.Text(Corrections(s, culture));

            flow.Heading("Check it yourself");
            flow.Text($"Every trade and every reconciliation is sealed in the community's public ledger: {context.BaseUrl}ledger. Each trade there has a receipt with its proof. The openings file of this month (Statement page, \"Openings\") opens your sealed reconciliations; check them on the ledger's verify page or with: market ledger verify {context.BaseUrl} --openings openings.jsonl");
            flow.Finish($"{context.Community} · {context.Household} · {context.MonthLabel}");
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>The headline sentence, as on the page.</summary>
    public static string Headline(StatementSummary summary, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.IsEmpty
            ? "No trades and no reconciled intervals in this month."
            : $"{(summary.Benefit >= 0 ? "Better off by" : "Worse off by")} {Units.Money(Math.Abs(summary.Benefit), summary.Currency, culture)} than with the grid alone";
    }

    private static string Corrections(StatementSummary s, CultureInfo culture)
    {
        var text = s.Corrected == 0
            ? "No interval of this month was settled again after a corrected meter reading."
            : $"{(s.Corrected == 1 ? "1 interval was" : $"{s.Corrected} intervals were")} settled again after a meter reading was corrected (yours or a neighbour's). The figures are the latest version; against the version before, the corrections changed your balance by {Signed(s.Adjustments, s.Currency, culture)}. Every version stays in the ledger.";
        return s.Pending.Count == 0
            ? text
            : text + $" A correction of your reading waits for the operator's confirmation for {s.Pending.Count} {(s.Pending.Count == 1 ? "interval" : "intervals")}: until it is decided the figures use the reading in force.";
    }

    private static string Signed(long amount, string currency, CultureInfo culture) => (amount > 0 ? "+" : "") + Units.Money(amount, currency, culture);
}
