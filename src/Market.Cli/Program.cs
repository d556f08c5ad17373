using System.CommandLine;
using Market.Cli.Commands;

// The `market` command. Each command group lives in its own file under Commands/ and is added here.
var root = new RootCommand("Community energy market: clear order books, verify the ledger, witness it, measure the hot paths.");
root.Subcommands.Add(ClearCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(LedgerCommand.Create());
root.Subcommands.Add(LoadCommand.Create());
root.Subcommands.Add(BackupCommand.Create());
root.Subcommands.Add(WitnessCommand.Create());
return root.Parse(args).Invoke();
