using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market backup</c>: a consistent copy of the market's SQLite database. From a running market's URL (an
/// operator's token), the app makes the copy with SQLite's backup API while it keeps writing: it holds its database
/// file for itself, so no other process can read it while it runs. From the file itself when the app is stopped.
/// Either way the copy is checked with <c>PRAGMA integrity_check</c>. Exit 0 on a good copy, 1 when the copy fails
/// its check, 2 on bad arguments, an unreachable or refusing source, or a file held by a running market.
/// PostgreSQL deployments use <c>pg_dump</c> instead (docs/deployment.md).
/// </summary>
internal static class BackupCommand
{
    public const string TokenVariable = "MARKET_TOKEN";

    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "The running market's URL, or its SQLite file (market.db in the data folder) while the app is stopped." };
        var to = new Argument<FileInfo>("destination") { Description = "The backup file to write; must not exist yet." };
        var token = new Option<string?>("--token") { Description = $"With a URL: an operator's API token (default: ${TokenVariable})." };
        var command = new Command("backup", "Copy a market's SQLite database to a consistent backup file.") { source, to, token };
        command.SetAction((parse, ct) =>
        {
            var from = parse.GetValue(source)!;
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return Uri.TryCreate(from, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? FromMarketAsync(url, parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable), parse.GetValue(to)!, output, error, ct)
                : Task.FromResult(Run(new FileInfo(from), parse.GetValue(to)!, output, error));
        });
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

        long blocks;
        try
        {
            // A running market holds its file: waiting would not help, so a short busy timeout.
            using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.FullName, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 2 }.ToString());
            source.Open();
            // Not a market database (or not SQLite): say so before anything is written.
            blocks = CountBlocks(source);
            using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination.FullName, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            target.Open();
            source.BackupDatabase(target);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 5)
        {
            error.WriteLine($"market backup: {database.FullName} is held by the running market, which keeps its database to itself. Back it up through the market: market backup https://<market> {destination.Name} --token <operator token>");
            return 2;
        }
        catch (SqliteException e)
        {
            error.WriteLine($"market backup: {e.Message}");
            return 2;
        }

        return Check(destination, blocks, error) is { } copied ? Done(database.FullName, destination, copied, output) : 1;
    }

    private static async Task<int> FromMarketAsync(Uri market, string? token, FileInfo destination, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            error.WriteLine($"market backup: a market's URL needs an operator's API token (--token or ${TokenVariable}).");
            return 2;
        }

        if (destination.Exists)
        {
            error.WriteLine($"market backup: {destination.FullName} exists already; choose a new file, nothing was written.");
            return 2;
        }

        var partial = new FileInfo(destination.FullName + ".partial");
        try
        {
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(market.ToString().TrimEnd('/') + "/"), "api/operator/backup"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                error.WriteLine($"market backup: {market} answered {(int)response.StatusCode} {response.ReasonPhrase}; nothing was written. {body}".TrimEnd());
                return 2;
            }

            await using (var file = new FileStream(partial.FullName, FileMode.CreateNew, FileAccess.Write))
            {
                await response.Content.CopyToAsync(file, ct);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            partial.Delete();
            error.WriteLine($"market backup: {e.Message}; nothing was written.");
            return 2;
        }

        // A market has at least its genesis block.
        if (Check(partial, expectedBlocks: 1, error) is not { } copied)
        {
            partial.Delete();
            return 1;
        }

        partial.MoveTo(destination.FullName);
        return Done(market.ToString(), destination, copied, output);
    }

    private static int Done(string source, FileInfo copy, long blocks, TextWriter output)
    {
        copy.Refresh();
        output.WriteLine($"Backed up {source} to {copy.FullName}: {copy.Length:N0} bytes, {blocks:N0} ledger blocks, integrity ok.");
        output.WriteLine("Keep the signing key (signing-key.hex) apart from this file; after a restore run `market ledger verify` against the app.");
        return 0;
    }

    /// <summary>The copy's block count when it passes its integrity check and has at least <paramref name="expectedBlocks"/>; otherwise null, said why.</summary>
    private static long? Check(FileInfo copy, long expectedBlocks, TextWriter error)
    {
        try
        {
            using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy.FullName, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            check.Open();
            using var command = check.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            var verdict = command.ExecuteScalar() as string;
            if (!string.Equals(verdict, "ok", StringComparison.Ordinal))
            {
                error.WriteLine($"market backup: the copy at {copy.FullName} failed its integrity check: {verdict}");
                return null;
            }

            var copied = CountBlocks(check);
            if (copied < expectedBlocks)
            {
                error.WriteLine($"market backup: the copy has {copied} blocks, the source had {expectedBlocks}.");
                return null;
            }

            return copied;
        }
        catch (SqliteException e)
        {
            error.WriteLine($"market backup: the copy at {copy.FullName} cannot be read as a market database: {e.Message}");
            return null;
        }
    }

    private static long CountBlocks(SqliteConnection connection)
    {
        using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT COUNT(*) FROM \"Blocks\"";
        return Convert.ToInt64(probe.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
