using Microsoft.EntityFrameworkCore.Migrations;

namespace Market.Web.Persistence;

/// <summary>
/// The hand-written part of the schema, one definition for both engines: triggers that refuse to change or remove a
/// row of the tables that only grow. The ledger's tables (blocks, their leaves, trades and postings) and the metered
/// ones (readings, reconciliations, imbalance postings, the openings of households' commitments, corrections waiting
/// for an operator and the decisions on them: a correction is a new version, a new reconciliation version reverses
/// the old postings, a decision is made once). This stops accidents and careless scripts, not an operator with the database: the
/// protection is the signed, hash-linked chain and its mirrors (docs/adr/0010).
/// </summary>
public static class AppendOnlySql
{
    /// <summary>The append-only tables, as EF Core names them.</summary>
    public static readonly IReadOnlyList<string> Tables =
        ["Trades", "Blocks", "BlockLeaves", "Postings", "MeterReadings", "Reconciliations", "ImbalancePostings", "ReconciliationOpenings",
         "PendingCorrections", "CorrectionDecisions", "Cosignatures", "NetworkVersions", "EnvelopeUploads", "Envelopes", "GridNodeResults"];

    /// <summary>Creates the triggers: on SQLite per table and statement kind, on PostgreSQL one function for all.</summary>
    public static void Create(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        if (IsPostgreSql(migrationBuilder))
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION market_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
                END
                $$;
                """);
        }

        foreach (var table in Tables)
        {
            CreateFor(migrationBuilder, table);
        }
    }

    /// <summary>The triggers of one more append-only table (on PostgreSQL with the function <see cref="Create"/> made).</summary>
    public static void CreateFor(MigrationBuilder migrationBuilder, string table)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        if (IsPostgreSql(migrationBuilder))
        {
            migrationBuilder.Sql($"CREATE TRIGGER \"{table}_append_only\" BEFORE UPDATE OR DELETE ON \"{table}\" FOR EACH ROW EXECUTE FUNCTION market_append_only();");
            migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_truncate\" BEFORE TRUNCATE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION market_append_only();");
            return;
        }

        migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_update\" BEFORE UPDATE ON \"{table}\" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;");
        migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_delete\" BEFORE DELETE ON \"{table}\" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;");
    }

    /// <summary>Drops what <see cref="Create"/> made.</summary>
    public static void Drop(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var table in Tables)
        {
            DropFor(migrationBuilder, table);
        }

        if (IsPostgreSql(migrationBuilder))
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS market_append_only();");
        }
    }

    /// <summary>Drops what <see cref="CreateFor"/> made.</summary>
    public static void DropFor(MigrationBuilder migrationBuilder, string table)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql(IsPostgreSql(migrationBuilder)
            ? $"DROP TRIGGER IF EXISTS \"{table}_append_only\" ON \"{table}\"; DROP TRIGGER IF EXISTS \"{table}_no_truncate\" ON \"{table}\";"
            : $"DROP TRIGGER IF EXISTS \"{table}_no_update\"; DROP TRIGGER IF EXISTS \"{table}_no_delete\";");
    }

    private static bool IsPostgreSql(MigrationBuilder migrationBuilder) =>
        migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL";
}
