using Market.Ledger;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Market.Web.Documents;

/// <summary>What a receipt says besides the ledger's own bytes.</summary>
/// <param name="Community">The community's name.</param>
/// <param name="Currency">The community's currency.</param>
/// <param name="Interval">The trade's delivery interval as people read it.</param>
/// <param name="VerificationUrl">The public page that verifies the trade; the QR code encodes exactly this.</param>
/// <param name="ProofUrl">The JSON receipt (the proof) for <c>market ledger receipt</c>.</param>
internal sealed record TradeReceiptContext(string Community, string Currency, string Interval, string VerificationUrl, string ProofUrl);

/// <summary>
/// A trade's receipt as a printable A4 page: what was traded, where it is in the ledger, whether the proof checks
/// out, and a QR code of the public page that verifies it. Only what the public ledger holds (pseudonyms, never
/// names), so anyone may have it.
/// </summary>
internal static class TradeReceiptPdf
{
    public static byte[] Render(TradeReceipt receipt, TradeReceiptContext context, IFormatProvider culture)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(context);
        var trade = ClearedTrade.Decode(receipt.TradeLeaf);
        var header = BlockHeader.Decode(receipt.Header);
        var verification = receipt.Verify();
        using var document = new PdfDocument();
        document.Info.Title = $"Trade receipt {trade.TradeId}";
        document.Info.Subject = context.VerificationUrl;
        document.Info.Author = context.Community;
        document.Info.Creator = "Community energy market";
        using (var flow = new PdfFlow(document))
        {
            const double qrSize = 130;
            var qrLeft = PdfFlow.Margin + flow.Width - qrSize;
            DrawQr(flow.Graphics, TradeQr.Modules(context.VerificationUrl), qrLeft, PdfFlow.Margin, qrSize);
            var textWidth = flow.Width - qrSize - 16;
            flow.Text(context.Community, PdfFlow.Font(9), XBrushes.DimGray, width: textWidth);
            flow.Text($"Trade receipt {trade.TradeId}", PdfFlow.Font(18, bold: true), width: textWidth);
            flow.Text(verification.IsValid ? "Proven: this trade is in the signed ledger." : $"Not valid: {verification.Failure}", PdfFlow.Font(11, bold: true), verification.IsValid ? XBrushes.DarkGreen : XBrushes.DarkRed, width: textWidth);
            flow.Space(4);
            flow.Text("Scan the code to open the trade's page in the public ledger, which checks this proof again:", flow.Small, width: textWidth);
            flow.Text(context.VerificationUrl, flow.Small, XBrushes.DarkBlue, width: textWidth);
            flow.Space(Math.Max(8, PdfFlow.Margin + qrSize + 8 - flow.Y));

            flow.Heading("Trade");
            flow.Table(
                ["Field", "Value"],
                [
                    ["Delivery interval", context.Interval],
                    ["Energy", Units.Energy(trade.EnergyWh, culture)],
                    .. (trade.Version == 1
                        ? (string[][])[["Price", Units.Price(trade.Price, culture)], ["Amount", Units.MoneyExact(trade.Amount, context.Currency, culture)]]
                        : [
                            ["Buyer's price (its zone)", Units.Price(trade.Price, culture)],
                            ["Buyer pays", Units.MoneyExact(trade.Amount, context.Currency, culture)],
                            ["Seller's price (its zone)", Units.Price(trade.SellPrice, culture)],
                            ["Seller receives", Units.MoneyExact(trade.SellAmount, context.Currency, culture)],
                            ["Network fee", Units.Price(trade.FeePrice, culture)],
                            ["To the network operator (fee and congestion)", Units.MoneyExact(trade.Amount - trade.SellAmount, context.Currency, culture)],
                        ]),
                    ["Buyer (pseudonym)", trade.Buyer.ToString()],
                    ["Seller (pseudonym)", trade.Seller.ToString()],
                    ["Orders (bid / offer)", $"{trade.BuySequence} / {trade.SellSequence}"],
                ],
                [0.3, 0.7],
                [false, false]);

            flow.Heading("Where it is in the ledger");
            flow.Text($"Leaf {receipt.LeafIndex} of block {header.Height}, whose signed header is in the signed checkpoint of {receipt.Checkpoint.Size} blocks.");
            flow.Text(verification.Witnesses is { } w
                ? $"Witnesses: that checkpoint is cosigned by {w.Cosigners.Count} ({string.Join(", ", w.Cosigners.Select(c => c.Name))}){(w.QuorumMet ? ", as the community's witness policy requires" : ", fewer than the community's witness policy requires")}; the receipt carries their cosignatures."
                : "Witnesses: no witness had cosigned a checkpoint covering this trade when the receipt was made; download it again later to hold their cosignatures.");
            flow.Text($"Leaf bytes: {Units.Hex(receipt.TradeLeaf)}", flow.Small);
            flow.Text($"Block Merkle root: {Units.Hex(header.PayloadRoot)}", flow.Small);
            flow.Text($"Checkpoint root: {Units.Hex(receipt.Checkpoint.Root)}", flow.Small);
            flow.Text($"Inclusion proof (RFC 9162), {receipt.LeafProof.Count} sibling {(receipt.LeafProof.Count == 1 ? "hash" : "hashes")} to the block's root, then {receipt.HeaderProof.Count} to the checkpoint's root:", flow.Small);
            foreach (var hash in receipt.LeafProof.Concat(receipt.HeaderProof))
            {
                flow.Text(Units.Hex(hash), flow.Small, indent: 10);
            }

            flow.Heading("Check it yourself");
            flow.Text($"Download the receipt as JSON ({context.ProofUrl}) and check it against the ledger you verified with: market ledger receipt receipt-trade-{trade.TradeId}.json --ledger <the community's address>. Compare the ledger's genesis key id with the one your community publishes.");
            flow.Finish($"{context.Community} · trade {trade.TradeId}");
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>Draws the QR modules as black squares on white at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    private static void DrawQr(XGraphics g, bool[][] modules, double left, double top, double size)
    {
        var module = size / modules.Length;
        g.DrawRectangle(XBrushes.White, left, top, size, size);
        for (var y = 0; y < modules.Length; y++)
        {
            for (var x = 0; x < modules[y].Length; x++)
            {
                if (modules[y][x])
                {
                    // A hair wider than the module, so that neighbouring squares leave no visible seam.
                    g.DrawRectangle(XBrushes.Black, left + (x * module), top + (y * module), module + 0.05, module + 0.05);
                }
            }
        }
    }
}
