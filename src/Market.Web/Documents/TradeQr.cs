using System.Globalization;
using System.Text;
using QRCoder;

namespace Market.Web.Documents;

/// <summary>
/// The QR code on a trade's receipt: it encodes the public page that verifies the trade
/// (<c>Market:PublicBaseUrl</c> + <c>ledger/trades/{id}</c>), never the request's host. Drawn from QRCoder's module
/// matrix as vector shapes (SVG for the page, rectangles in the PDF), so no image library is needed.
/// </summary>
internal static class TradeQr
{
    /// <summary>The path under the app that verifies trade <paramref name="tradeId"/>: its public ledger page.</summary>
    public static string VerificationPath(long tradeId) => string.Create(CultureInfo.InvariantCulture, $"ledger/trades/{tradeId}");

    /// <summary>The modules (true: dark), quiet zone included, of the QR code of <paramref name="payload"/> (error correction M).</summary>
    public static bool[][] Modules(string payload)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M);
        return [.. data.ModuleMatrix.Select(row => Enumerable.Range(0, row.Length).Select(i => row[i]).ToArray())];
    }

    /// <summary>An SVG of the QR code of <paramref name="payload"/>, one path of unit squares, scaled by the page.</summary>
    public static string Svg(string payload, string label)
    {
        var modules = Modules(payload);
        var path = new StringBuilder();
        for (var y = 0; y < modules.Length; y++)
        {
            for (var x = 0; x < modules[y].Length; x++)
            {
                if (modules[y][x])
                {
                    path.Append(CultureInfo.InvariantCulture, $"M{x} {y}h1v1h-1z");
                }
            }
        }

        var size = modules.Length;
        return $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode(label)}\" shape-rendering=\"crispEdges\" data-testid=\"receipt-qr\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>";
    }
}
