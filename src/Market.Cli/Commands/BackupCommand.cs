using System.CommandLine;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market backup</c>: an online backup of the market's SQLite database while the app keeps running. SQLite's
/// backup API copies a consistent snapshot (committed transactions only, the write-ahead log included), then the
/// copy is checked with <c>PRAGMA integrity_check</c>. Exit 0 on a good copy, 1 when the copy fails its check,
/// 2 on bad arguments or an unreadable source. PostgreSQL deployments use <c>pg_dump</c> instead (docs/deployment.md).
/// </summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var database = new Argument<FileInfo>("database") { Description = "The market's SQLite file (market.db in the data folder)." };
        var to = new Argument<FileInfo>("destination") { Description = "The backup file to write; must not exist yet." };
        var command = new Command("backup", "Copy a running market's SQLite database to a consistent backup file.") { database, to };
        command.SetAction(parse => Run(parse.GetValue(database)!, parse.GetValue(to)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(FileInfo database, FileInfo destination, TextWriter output, TextWriter error)
    {
        if (!database.Exists)
        {
            error.WriteLine($"market backup: {database.FullName} does not exist.");
            return 2;
        }

        if (destination.Exists)
        {
            error.WriteLine($"market backup: {destination.FullName} exists already; choose a new file, nothing was written.");
            return 2;
        }

        try
        {
            long blocks;
            using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.FullName, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            {
                source.Open();
                using (var probe = source.CreateCommand())
                {
                    // Not a market database (or not SQLite): say so before anything is written.
                    probe.CommandText = "SELECT COUNT(*) FROM \"Blocks\"";
                    blocks = Convert.ToInt64(probe.ExecuteScalar(), CultureInfo.InvariantCulture);
                }

                using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination.FullName, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
                target.Open();
                source.BackupDatabase(target);
            }

            using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination.FullName, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            check.Open();
            using var command = check.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            var verdict = command.ExecuteScalar() as string;
            if (!string.Equals(verdict, "ok", StringComparison.Ordinal))
            {
                error.WriteLine($"market backup: the copy at {destination.FullName} failed its integrity check: {verdict}");
                return 1;
            }

            command.CommandText = "SELECT COUNT(*) FROM \"Blocks\"";
            var copied = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (copied < blocks)
            {
                error.WriteLine($"market backup: the copy has {copied} blocks, the source had {blocks}.");
                return 1;
            }

            destination.Refresh();
            blocks = copied;
            output.WriteLine($"Backed up {database.FullName} to {destination.FullName}: {destination.Length:N0} bytes, {blocks:N0} ledger blocks, integrity ok.");
            output.WriteLine("Keep the signing key (signing-key.hex) apart from this file; after a restore run `market ledger verify` against the app.");
            return 0;
        }
        catch (SqliteException e)
        {
            error.WriteLine($"market backup: {e.Message}");
            return 2;
        }
    }
}
