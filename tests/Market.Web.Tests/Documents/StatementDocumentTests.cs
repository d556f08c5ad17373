using System.Globalization;
using System.Net;
using System.Text;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Market.Web.Tests.Documents;

/// <summary>
/// Anna sells 1,000 Wh to Ben and delivers nothing; Ben used only 400 Wh of them. After delivery the 600 Wh Ben did
/// not use cover part of Anna's shortfall at the local price and the grid the rest: Ben sold nothing in the market,
/// but his neighbour took 600 Wh that were his.
/// </summary>
public sealed class DeliveredToNeighbour : IAsyncLifetime
{
    public MarketFactory App { get; } = new();

    public long Interval { get; private set; }

    public Household Anna { get; private set; } = null!;

    public Household Ben { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _ = App.Server;
        Anna = await App.HouseholdAsync("anna@demo.energy");
        Ben = await App.HouseholdAsync("ben@demo.energy");
        Interval = await App.TradeAndClearAsync();
        await App.DeliverAsync(Interval, intervalsAfter: 3);
        using var client = await ApiClient.ForAsync(App, "operator@demo.energy");
        var start = DateTimeOffset.FromUnixTimeSeconds(Interval).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var csv = string.Create(CultureInfo.InvariantCulture, $"{ReadingParser.Header}\n{Anna.MeterId},{start},0,0\n{Ben.MeterId},{start},400,0");
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();

    public async Task<HttpClient> SignedInAsync(string email, string? language = null)
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }

        await CookieSignIn.SignInAsync(client, email);
        return client;
    }
}

public sealed class StatementDocumentTests(DeliveredToNeighbour scenario) : IClassFixture<DeliveredToNeighbour>
{
    private const string Month = "/statement/2026/6.pdf";

    [Fact]
    public async Task MonthWithSummary_SoldNothingButNeighbourTookDeliveredEnergy_EverySectionAgrees()
    {
        var month = await scenario.App.Get<StatementService>().MonthWithSummaryAsync(scenario.Ben, 2026, 6);

        var s = month.Summary;
        s.SoldInMarket.ShouldBe(new EnergyMoney(0, 0));
        s.BoughtInMarket.EnergyWh.ShouldBe(1000);
        s.ProvidedToNeighbours.EnergyWh.ShouldBe(600);
        s.SoldToGrid.EnergyWh.ShouldBe(0);
        s.Benefit.ShouldBeGreaterThan(0);
        s.Benefit.ShouldBe(s.MarketBenefit + s.AfterDeliveryBenefit);
        s.Benefit.ShouldBe(s.Net - s.GridOnlyNet);
        s.Benefit.ShouldBe(month.Statement.TotalBenefit);
        s.Benefit.ShouldBe(s.Days.ShouldHaveSingleItem().Benefit);
        s.Net.ShouldBe(month.Statement.Intervals.ShouldHaveSingleItem().NetAmount);
    }

    [Fact]
    public async Task MonthWithSummary_OldMethod_StatementUnchanged()
    {
        var service = scenario.App.Get<StatementService>();

        var month = await service.MonthWithSummaryAsync(scenario.Ben, 2026, 6);
        var statement = await service.MonthAsync(scenario.Ben, 2026, 6);

        statement.TotalBenefit.ShouldBe(month.Statement.TotalBenefit);
        statement.Lines.ShouldBe(month.Statement.Lines);
    }

    [Fact]
    public async Task Pdf_Household_ParsesWithTheHeadlineTheMonthAndItsOwnName()
    {
        using var client = await scenario.SignedInAsync("ben@demo.energy", "en");
        var summary = (await scenario.App.Get<StatementService>().MonthWithSummaryAsync(scenario.Ben, 2026, 6)).Summary;

        using var response = await client.GetAsync(new Uri(Month, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        var pdf = await response.Content.ReadAsByteArrayAsync();
        var document = PdfText.Open(pdf);
        document.PageCount.ShouldBeGreaterThanOrEqualTo(1);
        // A4: 595 × 842 points.
        (Math.Round(document.Pages[0].Width.Point), Math.Round(document.Pages[0].Height.Point)).ShouldBe((595d, 842d));
        var headline = $"Better off by {Units.Money(summary.Benefit, "EUR", CultureInfo.GetCultureInfo("en"))} than with the grid alone";
        summary.Benefit.ShouldBeGreaterThan(0);
        var text = PdfText.Read(pdf);
        text.ShouldContain(headline);
        text.ShouldContain("June 2026");
        text.ShouldContain($"Statement for {scenario.Ben.Name}");
        text.ShouldContain("You provided: taken by neighbours after delivery\n0.600 kWh");
        text.ShouldNotContain(scenario.Anna.Name);
        document.Info.Subject.ShouldBe(headline);
    }

    [Fact]
    public async Task Pdf_German_MonthAndNumbersInTheRequestsCulture()
    {
        using var client = await scenario.SignedInAsync("ben@demo.energy", "de-DE");

        var pdf = await client.GetByteArrayAsync(new Uri(Month, UriKind.Relative));

        var text = PdfText.Read(pdf);
        text.ShouldContain("Juni 2026");
        text.ShouldContain("1,000 kWh");
        text.ShouldContain("\u00a0€");
    }

    [Fact]
    public async Task Pdf_OtherHousehold_GetsItsOwnMonthNeverAnother()
    {
        using var client = await scenario.SignedInAsync("anna@demo.energy", "en");

        var text = PdfText.Read(await client.GetByteArrayAsync(new Uri(Month, UriKind.Relative)));

        text.ShouldContain($"Statement for {scenario.Anna.Name}");
        text.ShouldNotContain(scenario.Ben.Name);
        text.ShouldContain("You received: covered by neighbours after delivery\n0.600 kWh");
    }

    [Theory]
    [InlineData("/statement/1999/6.pdf")]
    [InlineData("/statement/2026/13.pdf")]
    public async Task Pdf_NoSuchMonth_ClearErrorAndNoDocument(string path)
    {
        using var client = await scenario.SignedInAsync("ben@demo.energy");

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
