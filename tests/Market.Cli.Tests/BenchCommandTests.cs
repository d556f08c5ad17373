using System.Text.Json;

namespace Market.Cli.Tests;

public sealed class BenchCommandTests
{
    [Fact]
    public void BenchClear_SmallBook_PrintsMedianAndOrdersPerSecond()
    {
        var args = new[] { "bench", "clear", "--orders", "2000", "--seed", "3", "--runs", "1" };

        var run = CliRunner.Run(args);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldContain("2,000 orders");
        run.Stdout.ShouldContain("median");
        run.Stdout.ShouldContain("orders/s");
    }

    [Fact]
    public void BenchClear_MissingOrders_FailsWithUsageError()
    {
        var run = CliRunner.Run(["bench", "clear"]);

        run.ExitCode.ShouldNotBe(0);
        run.Stderr.ShouldContain("--orders");
    }

    [Fact]
    public void BenchClear_ZeroRuns_FailsWithUsageError()
    {
        var run = CliRunner.Run(["bench", "clear", "--orders", "10", "--runs", "0"]);

        run.ExitCode.ShouldNotBe(0);
        run.Stderr.ShouldContain("--runs must be at least 1");
    }

    [Fact]
    public void BenchBook_SameSeed_SameDocument()
    {
        var args = new[] { "bench", "book", "--orders", "50", "--seed", "11" };

        var first = CliRunner.Run(args);
        var second = CliRunner.Run(args);

        first.ExitCode.ShouldBe(0);
        second.Stdout.ShouldBe(first.Stdout);
    }

    [Fact]
    public void BenchBook_Document_IsValidClearInput()
    {
        var book = CliRunner.Run(["bench", "book", "--orders", "20", "--seed", "5"]).Stdout;

        using var json = JsonDocument.Parse(book);

        json.RootElement.GetProperty("mechanism").GetString().ShouldBe("uniform-price");
        json.RootElement.GetProperty("orders").GetArrayLength().ShouldBe(20);
        json.RootElement.GetProperty("orders")[0].GetProperty("id").GetString().ShouldBe("o1");
    }
}
