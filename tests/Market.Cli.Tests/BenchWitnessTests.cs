namespace Market.Cli.Tests;

public sealed class BenchWitnessTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("market-bench-witness-test-");

    [Fact]
    public void BenchWitness_SmallGeneratedLedger_CatchesUpAndRestarts()
    {
        var export = Path.Combine(_folder.FullName, "ledger.jsonl");
        CliRunner.Run(["bench", "ledger", "--intervals", "4", "--orders", "200", "--output", export]).ExitCode.ShouldBe(0);

        var run = CliRunner.Run(["bench", "witness", "--export", export, "--data", Path.Combine(_folder.FullName, "witness")]);

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldContain("catch-up (POST add-checkpoint, old 0, until 200)");
        run.Stdout.ShouldContain("verified blocks [0, 11) (every clearing replayed)");
        run.Stdout.ShouldContain("re-verified 11 blocks from the disk");
    }

    [Fact]
    public void BenchWitness_FolderNotEmpty_RefusesToStart()
    {
        var export = Path.Combine(_folder.FullName, "ledger.jsonl");
        CliRunner.Run(["bench", "ledger", "--intervals", "1", "--orders", "10", "--output", export]).ExitCode.ShouldBe(0);
        var data = Directory.CreateDirectory(Path.Combine(_folder.FullName, "used"));
        File.WriteAllText(Path.Combine(data.FullName, "something"), "x");

        var run = CliRunner.Run(["bench", "witness", "--export", export, "--data", data.FullName]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("is not empty");
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
