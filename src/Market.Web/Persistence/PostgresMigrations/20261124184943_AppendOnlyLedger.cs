using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Market.Web.Persistence.PostgresMigrations
{
    /// <inheritdoc />
    public partial class AppendOnlyLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The ledger's tables only grow. This stops accidents and careless scripts, not a database owner: the
            // protection is the signed, hash-linked chain and its mirrors (docs/adr/0010).
            migrationBuilder.Sql("""
                CREATE FUNCTION market_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
                END
                $$;
                """);
            foreach (var table in LedgerTables)
            {
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_append_only\" BEFORE UPDATE OR DELETE ON \"{table}\" FOR EACH ROW EXECUTE FUNCTION market_append_only();");
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_truncate\" BEFORE TRUNCATE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION market_append_only();");
            }
        }

        internal static readonly string[] LedgerTables = ["Trades", "Blocks", "BlockLeaves", "Postings"];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in LedgerTables)
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_append_only\" ON \"{table}\";");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_no_truncate\" ON \"{table}\";");
            }

            migrationBuilder.Sql("DROP FUNCTION IF EXISTS market_append_only();");
        }
    }
}
