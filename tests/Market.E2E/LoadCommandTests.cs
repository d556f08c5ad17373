extern alias cli;

namespace Market.E2E;

public sealed class LoadCommandTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task MarketLoad_SmallRunAgainstServedApp_EveryAcknowledgedOrderStoredAndReported()
    {
        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(cli::Market.Cli.Commands.LoadCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await root.Parse(["load", "--url", fixture.BaseAddress.ToString(), "--households", "4", "--orders-per-second", "40", "--duration", "2", "--concurrency", "8"])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });

        exit.ShouldBe(0, output.ToString() + error);
        output.ToString().ShouldContain("80 orders from 4 households");
        output.ToString().ShouldContain("errors: none");
        output.ToString().ShouldContain("acknowledged 80; missing afterwards: 0");
        output.ToString().ShouldContain("p99");
        await using var db = fixture.App.CreateDb();
        db.Orders.Count().ShouldBe(80);
    }
}
