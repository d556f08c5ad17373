using Microsoft.Data.Sqlite;

namespace Market.Cli.Tests;

public sealed class BackupCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("market-backup-").FullName;

    [Fact]
    public void Backup_WhileAWriterHoldsUncheckpointedWalFrames_CopyHasEveryCommittedRow()
    {
        var source = Path.Combine(_dir, "market.db");
        using var writer = Open(source);
        Execute(writer, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE \"Blocks\" (\"Height\" INTEGER PRIMARY KEY, \"Data\" BLOB);");
        for (var i = 0; i < 50; i++)
        {
            Execute(writer, $"INSERT INTO \"Blocks\" VALUES ({i}, randomblob(1000));");
        }

        using var uncommitted = writer.BeginTransaction();
        Execute(writer, "INSERT INTO \"Blocks\" VALUES (999, x'00');");
        var target = Path.Combine(_dir, "copy.db");

        var run = CliRunner.Run(["backup", source, target]);

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldContain("50 ledger blocks, integrity ok");
        using var copy = Open(target);
        Scalar(copy, "SELECT COUNT(*) FROM \"Blocks\"").ShouldBe(50);
        Scalar(copy, "SELECT COUNT(*) FROM \"Blocks\" WHERE \"Height\" = 999").ShouldBe(0);
    }

    [Fact]
    public void Backup_DestinationExists_Exit2AndTheFileIsUntouched()
    {
        var source = Path.Combine(_dir, "market.db");
        using (var db = Open(source))
        {
            Execute(db, "CREATE TABLE \"Blocks\" (\"Height\" INTEGER PRIMARY KEY);");
        }

        var target = Path.Combine(_dir, "existing.db");
        File.WriteAllText(target, "keep me");

        var run = CliRunner.Run(["backup", source, target]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("exists already");
        File.ReadAllText(target).ShouldBe("keep me");
    }

    [Fact]
    public void Backup_NotAMarketDatabase_Exit2AndNothingWritten()
    {
        var source = Path.Combine(_dir, "other.db");
        using (var db = Open(source))
        {
            Execute(db, "CREATE TABLE t (x);");
        }

        var target = Path.Combine(_dir, "copy.db");

        var run = CliRunner.Run(["backup", source, target]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("no such table");
        File.Exists(target).ShouldBeFalse();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
