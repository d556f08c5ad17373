extern alias cli;

namespace Market.E2E;

/// <summary>Runs <c>market ledger …</c> in-process, as an auditor would run the command.</summary>
internal static class LedgerCli
{
    /// <param name="http">The client the command fetches with; a real one when null.</param>
    /// <param name="args">The command line after <c>market</c>.</param>
    public static (int Exit, string Output) Run(Func<HttpClient>? http, params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(cli::Market.Cli.Commands.LedgerCommand.Create(http));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = root.Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString() + error);
    }
}
