using System.Globalization;
using System.Net;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Community;

/// <summary>The page's numbers follow the browser's language when the app offers it, else the community's culture.</summary>
[Trait("Database", "Independent")]
public sealed class RequestCultureTests(SharedMarket market) : IClassFixture<SharedMarket>
{
    [Theory]
    [InlineData("de-DE,de;q=0.9", "de-DE")]
    [InlineData("de", "de")]
    [InlineData("de-AT", "de-AT")]
    [InlineData("de-CH", "de-CH")]
    [InlineData("en-US,en;q=0.9", "en")]
    [InlineData("fr-FR", "en")]
    public async Task Overview_BrowserLanguage_PriceBandInThatCultureOrTheCommunitys(string acceptLanguage, string culture)
    {
        using var client = market.App.CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/"));

        var rules = new CommunityOptions();
        var format = CultureInfo.GetCultureInfo(culture);
        var band = $"{Units.Cents(rules.PriceFloor, format)}–{Units.Price(rules.PriceCeiling, format)}";

        html.ShouldContain(band);
    }
}
