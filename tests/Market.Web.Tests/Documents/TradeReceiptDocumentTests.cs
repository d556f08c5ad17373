using System.Net;
using System.Text.RegularExpressions;
using Market.Web.Documents;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Documents;

/// <summary>One cleared trade in a market whose public address is configured (<c>Market:PublicBaseUrl</c>).</summary>
public sealed class PublicTrade : IAsyncLifetime
{
    public const string PublicBaseUrl = "https://market.example.org/";

    public MarketFactory App { get; } = new();

    public long TradeId { get; private set; }

    public async Task InitializeAsync()
    {
        App.Settings["Market:PublicBaseUrl"] = PublicBaseUrl;
        _ = App.Server;
        await App.TradeAndClearAsync();
        await using var db = App.CreateDb();
        TradeId = await db.Trades.Select(t => t.Id).SingleAsync();
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

public sealed partial class TradeReceiptDocumentTests(PublicTrade scenario) : IClassFixture<PublicTrade>
{
    private string Url => $"{PublicTrade.PublicBaseUrl}ledger/trades/{scenario.TradeId}";

    [Fact]
    public void VerificationUrl_ConfiguredPublicAddress_IsTheTradesPublicPage()
    {
        var url = DocumentEndpoints.VerificationUrl(scenario.App.Get<PublicLinks>(), scenario.TradeId);

        url.ShouldBe(Url);
    }

    [Fact]
    public void Qr_VerificationUrl_SquareCodeWithFinderPatterns()
    {
        var modules = TradeQr.Modules(Url);

        modules.ShouldAllBe(row => row.Length == modules.Length);
        // Versions 1 to 40 have 21 to 177 modules a side, here with a quiet zone of 4 around.
        ((modules.Length - 8 - 21) % 4).ShouldBe(0);
        // The top-left finder pattern: a dark 7 × 7 ring just inside the quiet zone, light around it.
        Enumerable.Range(4, 7).ShouldAllBe(i => modules[4][i] && modules[10][i] && modules[i][4] && modules[i][10]);
        modules[3][3].ShouldBeFalse();
    }

    [Fact]
    public async Task TradePage_AnyHostHeader_QrEncodesThePublicAddress()
    {
        using var client = scenario.App.CreateClient();

        var html = await client.GetStringAsync(new Uri($"/ledger/trades/{scenario.TradeId}", UriKind.Relative));

        var expected = PathData().Match(TradeQr.Svg(Url, "x")).Groups[1].Value;
        expected.ShouldNotBeEmpty();
        html.ShouldContain("data-testid=\"receipt-qr\"");
        PathData().Match(html[html.IndexOf("data-testid=\"receipt-qr\"", StringComparison.Ordinal)..]).Groups[1].Value.ShouldBe(expected);
        html.ShouldContain(Url);
        html.ShouldContain($"ledger/trades/{scenario.TradeId}/receipt.pdf");
    }

    [Fact]
    public async Task ReceiptPdf_Anyone_ParsesWithTheTradeTheVerdictAndTheUrl()
    {
        using var client = scenario.App.CreateClient();

        using var response = await client.GetAsync(new Uri($"/ledger/trades/{scenario.TradeId}/receipt.pdf", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        var pdf = await response.Content.ReadAsByteArrayAsync();
        PdfText.Open(pdf).Info.Subject.ShouldBe(Url);
        var text = PdfText.Read(pdf);
        text.ShouldContain($"Trade receipt {scenario.TradeId}");
        text.ShouldContain("Proven: this trade is in the signed ledger.");
        text.ShouldContain(Url);
        text.ShouldContain("1.000 kWh");
    }

    [Fact]
    public async Task ReceiptPdf_NoSuchTrade_NotFoundProblem()
    {
        using var client = scenario.App.CreateClient();

        using var response = await client.GetAsync(new Uri("/ledger/trades/424242/receipt.pdf", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [GeneratedRegex("<path d=\"([^\"]+)\"")]
    private static partial Regex PathData();
}
