extern alias cli;

namespace Market.E2E;

public sealed class LoadCommandTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task MarketLoad_SmallRunAgainstServedApp_EveryAcknowledgedOrderStoredAndReported(int batch)
    {
        int before;
        await using (var db = fixture.App.CreateDb())
        {
            before = db.Orders.Count();
        }

        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(cli::Market.Cli.Commands.LoadCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await root.Parse(["load", "--url", fixture.BaseAddress.ToString(), "--households", "4", "--orders-per-second", "40", "--duration", "2", "--concurrency", "8", "--batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });

        exit.ShouldBe(0, output.ToString() + error);
        output.ToString().ShouldContain("80 orders from 4 households");
        output.ToString().ShouldContain("errors: none");
        output.ToString().ShouldContain("acknowledged 80; missing afterwards: 0");
        output.ToString().ShouldContain("p99");
        if (batch > 1)
        {
            output.ToString().ShouldContain($"{batch} orders per request");
        }

        await using var after = fixture.App.CreateDb();
        after.Orders.Count().ShouldBe(before + 80);
    }
}
