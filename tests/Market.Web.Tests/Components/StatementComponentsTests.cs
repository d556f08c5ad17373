using Bunit;
using Market.Web.Components.Statements;
using Market.Web.Tests.Metering;
using Market.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Market.Web.Tests.Components;

/// <summary>The statement's parts as a household sees them, each from the month's one <see cref="StatementSummary"/>.</summary>
[Trait("Database", "Independent")]
public sealed class StatementComponentsTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static BunitContext NewContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }

    [Fact]
    public async Task Headline_NeighboursTookDeliveredEnergy_ShowsTheBenefitAndPartsThatAddUp()
    {
        using var culture = CultureScope.In("en");
        await using var context = NewContext();
        var summary = StatementSummaryTests.AnnaLike();

        var headline = context.Render<StatementHeadline>(p => p.Add(x => x.Summary, summary).Add(x => x.MonthLabel, "June 2026"));

        headline.Find("[data-testid=benefit]").TextContent.ShouldContain("Better off by");
        headline.Find("[data-testid=benefit-amount]").TextContent.ShouldBe("€0.06");
        headline.Find("[data-testid=part-market-amount]").TextContent.ShouldBe("€0.00");
        headline.Find("[data-testid=part-after-amount]").TextContent.ShouldBe("+€0.06");
        headline.Find("[data-testid=net]").TextContent.ShouldBe("€0.12");
        headline.Find("[data-testid=grid-only]").TextContent.ShouldBe("€0.06");
        headline.Find("[data-testid=statement-month]").TextContent.ShouldBe("June 2026");
    }

    [Fact]
    public async Task FlowTable_NeighboursTookDeliveredEnergy_TheirRowCarriesTheEnergyAndTheMoney()
    {
        using var culture = CultureScope.In("en");
        await using var context = NewContext();
        var summary = StatementSummaryTests.AnnaLike();

        var table = context.Render<EnergyFlowTable>(p => p.Add(x => x.Summary, summary));

        table.Find("[data-testid=sold]").TextContent.ShouldBe("0.000 kWh");
        table.Find("[data-testid=provided]").TextContent.ShouldBe("0.500 kWh");
        table.Find("[data-testid=flow-provided]").TextContent.ShouldContain("+€0.10");
        table.Find("[data-testid=flow-sold-grid]").TextContent.ShouldContain("+€0.02");
        table.Find("[data-testid=flow-net]").TextContent.ShouldContain("€0.12");
        table.Find("[data-testid=flow-benefit]").TextContent.ShouldContain("€0.06");
        table.Find("[data-testid=metered-note]").TextContent.ShouldContain("exported 0.800 kWh");
    }

    [Fact]
    public async Task FlowTable_NetworkShareOfPurchases_ShownAsAPartOfTheBoughtRowOnlyWhenThereIsOne()
    {
        using var culture = CultureScope.In("de-DE");
        await using var context = NewContext();

        var none = context.Render<EnergyFlowTable>(p => p.Add(x => x.Summary, StatementSummaryTests.AnnaLike()));
        var some = context.Render<EnergyFlowTable>(p => p.Add(x => x.Summary, StatementSummaryTests.AnnaLike() with { BoughtNetworkShare = 1234 }));

        none.FindAll("[data-testid=flow-network-share]").ShouldBeEmpty();
        var row = some.Find("[data-testid=flow-network-share]").TextContent;
        row.ShouldContain("to the network operator");
        row.ShouldContain("(0,12\u00a0€)");
    }

    [Fact]
    public async Task FlowTable_German_NumbersInGermanMarks()
    {
        using var culture = CultureScope.In("de-DE");
        await using var context = NewContext();

        var table = context.Render<EnergyFlowTable>(p => p.Add(x => x.Summary, StatementSummaryTests.AnnaLike()));

        table.Find("[data-testid=provided]").TextContent.ShouldBe("0,500 kWh");
        table.Find("[data-testid=flow-provided]").TextContent.ShouldContain("+0,10\u00a0€");
    }

    [Fact]
    public async Task DayChart_Month_OneBarPerDayWithFiguresAndAtMostThreeTicks()
    {
        using var culture = CultureScope.In("en");
        await using var context = NewContext();
        var (statement, settled) = StatementSummaryTests.Month(
            new StatementSummaryTests.Case(StatementSummaryTests.Start(2), 2000, [StatementSummaryTests.Position(1000, 0, 2000, 1000, 0), StatementSummaryTests.Position(0, 1000, 2000, 0, 1000)], true),
            new StatementSummaryTests.Case(StatementSummaryTests.Start(9), 2000, [StatementSummaryTests.Position(1000, 0, 2000, 400, 0), StatementSummaryTests.Position(0, 1000, 2000, 0, 1000)], true));
        var summary = StatementSummary.From(statement, settled, Berlin);

        var chart = context.Render<StatementDayChart>(p => p.Add(x => x.Days, summary.Days).Add(x => x.Year, 2026).Add(x => x.Month, 6).Add(x => x.Currency, "EUR").Add(x => x.MonthLabel, "June 2026"));

        chart.FindAll("[data-testid=chart-bar]").Count.ShouldBe(2);
        chart.FindAll("[data-testid=chart-tick]").Count.ShouldBeInRange(2, 3);
        chart.Find("svg").GetAttribute("aria-label")!.ShouldContain("June 2026");
        // The day that sold more than it delivered is below zero (red), the other above.
        chart.FindAll("[data-testid=chart-bar]").Select(b => b.GetAttribute("fill")).ShouldBe(["#17693a", "#b3261e"]);
    }

    [Fact]
    public async Task IntervalDetail_Month_CollapsedThenOneDayAtATimeWithCorrectionsMarked()
    {
        using var culture = CultureScope.In("en");
        await using var context = NewContext();
        var (statement, settled) = StatementSummaryTests.Month(
            new StatementSummaryTests.Case(StatementSummaryTests.Start(2), 2000, [StatementSummaryTests.Position(1000, 0, 2000, 1000, 0), StatementSummaryTests.Position(0, 1000, 2000, 0, 1000)], true),
            new StatementSummaryTests.Case(StatementSummaryTests.Start(9), 2000, [StatementSummaryTests.Position(1000, 0, 2000, 900, 0), StatementSummaryTests.Position(0, 1000, 2000, 0, 1000)], true),
            new StatementSummaryTests.Case(StatementSummaryTests.Start(9, 1), 2000, [StatementSummaryTests.Position(0, 500, 2000, 0, 500), StatementSummaryTests.Position(500, 0, 2000, 500, 0)], false));
        // The last reconciled interval was settled again after a correction: before it, the household got 0.10 more.
        var corrected = statement.Intervals[1] with { PreviousNetAmount = statement.Intervals[1].NetAmount + 1000 };
        statement = statement with { Intervals = [statement.Intervals[0], corrected] };

        var detail = context.Render<StatementIntervalDetail>(p => p.Add(x => x.Statement, statement).Add(x => x.Zone, Berlin));

        detail.FindAll("[data-testid=interval-row]").ShouldBeEmpty();
        await detail.Find("[data-testid=interval-toggle]").ClickAsync(new());
        detail.Find("[data-testid=detail-day]").TextContent.ShouldBe("Wednesday 10 June");
        detail.FindAll("[data-testid=interval-row]").Count.ShouldBe(2);
        detail.Find("[data-testid=corrected-mark]").TextContent.ShouldContain("corrected");
        detail.Markup.ShouldContain("−€0.10");
        detail.Markup.ShouldContain("waits for meter readings");
        await detail.Find("[data-testid=day-previous]").ClickAsync(new());
        detail.Find("[data-testid=detail-day]").TextContent.ShouldBe("Wednesday 3 June");
        detail.FindAll("[data-testid=interval-row]").Count.ShouldBe(1);
        detail.FindAll("[data-testid=corrected-mark]").ShouldBeEmpty();
    }
}
