using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests;

/// <summary>The auditor's explorer: search and pages over a market with one cleared trade, which the tests only read.</summary>
public sealed class ExplorerTests(ClearedMarket market) : IClassFixture<ClearedMarket>
{
    private readonly MarketFactory _app = market.App;

    [Theory]
    [InlineData("3", "ledger/blocks/3")]
    [InlineData("t1", "ledger/trades/1")]
    [InlineData("#1", "ledger/trades/1")]
    [InlineData("t999", null)]
    [InlineData("999", null)]
    [InlineData("'; DROP TABLE Blocks; --", null)]
    public async Task Search_Query_FindsBlockOrTrade(string query, string? expected)
    {
        var target = await _app.Get<LedgerReader>().SearchAsync(query);

        target.ShouldBe(expected);
    }

    [Fact]
    public async Task Search_HeaderHashPrefix_FindsTheBlock()
    {
        await using var db = _app.CreateDb();
        var block = await db.Blocks.SingleAsync(b => b.Height == 2);

        var target = await _app.Get<LedgerReader>().SearchAsync(Convert.ToHexStringLower(block.HeaderHash)[..10].ToUpperInvariant());

        target.ShouldBe("ledger/blocks/2");
    }

    [Fact]
    public async Task TradePage_Anonymous_ShowsProofAndVerdict()
    {
        using var client = _app.CreateClient();

        var html = await client.GetStringAsync(new Uri("/ledger/trades/1", UriKind.Relative));

        html.ShouldContain("Proven.");
        html.ShouldContain("data-testid=\"inclusion-proof\"");
    }

    [Fact]
    public async Task LedgerPage_Anonymous_ShowsCheckpointKeysAndRules()
    {
        using var client = _app.CreateClient();

        var html = await client.GetStringAsync(new Uri("/ledger", UriKind.Relative));

        html.ShouldContain("data-testid=\"checkpoint\"");
        html.ShouldContain("introduced");
        html.ShouldContain("7.86–39.70");
    }
}
