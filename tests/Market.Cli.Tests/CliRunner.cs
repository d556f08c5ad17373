using System.CommandLine;
using System.Text;
using Market.Cli.Commands;

namespace Market.Cli.Tests;

/// <summary>Runs the <c>market</c> command in-process, with stdin, stdout and stderr captured.</summary>
internal static class CliRunner
{
    public static CliRun Run(string[] args, string? stdin = null)
    {
        // The same command tree as Program.cs, with stdin from memory.
        var root = new RootCommand();
        root.Subcommands.Add(ClearCommand.Create(stdin is null ? null : () => new MemoryStream(Encoding.UTF8.GetBytes(stdin))));
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(LedgerCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(WitnessCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });

        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}

internal sealed record CliRun(int ExitCode, string Stdout, string Stderr);
