using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Market.Web.Persistence.PostgresMigrations
{
    /// <inheritdoc />
    public partial class MeterReadings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "MeterId",
                table: "Households",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ImbalancePostings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    IntervalStart = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    HouseholdId = table.Column<long>(type: "bigint", nullable: true),
                    CounterpartyHouseholdId = table.Column<long>(type: "bigint", nullable: true),
                    Kind = table.Column<byte>(type: "smallint", nullable: false),
                    EnergyWh = table.Column<long>(type: "bigint", nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Reversal = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImbalancePostings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MeterReadings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    HouseholdId = table.Column<long>(type: "bigint", nullable: false),
                    MeterId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    IntervalStart = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    ImportWh = table.Column<long>(type: "bigint", nullable: false),
                    ExportWh = table.Column<long>(type: "bigint", nullable: false),
                    ReceivedAtMs = table.Column<long>(type: "bigint", nullable: false),
                    Source = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MeterReadings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Reconciliations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    IntervalStart = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    BlockHeight = table.Column<long>(type: "bigint", nullable: false),
                    LastReadingId = table.Column<long>(type: "bigint", nullable: false),
                    HouseholdCount = table.Column<int>(type: "integer", nullable: false),
                    SealedAtMs = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Reconciliations", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Households_MeterId",
                table: "Households",
                column: "MeterId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ImbalancePostings_HouseholdId",
                table: "ImbalancePostings",
                column: "HouseholdId");

            migrationBuilder.CreateIndex(
                name: "IX_ImbalancePostings_IntervalStart_Version",
                table: "ImbalancePostings",
                columns: new[] { "IntervalStart", "Version" });

            migrationBuilder.CreateIndex(
                name: "IX_MeterReadings_HouseholdId_IntervalStart_Version",
                table: "MeterReadings",
                columns: new[] { "HouseholdId", "IntervalStart", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MeterReadings_IntervalStart",
                table: "MeterReadings",
                column: "IntervalStart");

            migrationBuilder.CreateIndex(
                name: "IX_Reconciliations_BlockHeight",
                table: "Reconciliations",
                column: "BlockHeight",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Reconciliations_IntervalStart_Version",
                table: "Reconciliations",
                columns: new[] { "IntervalStart", "Version" },
                unique: true);

            // Households that exist already get the meter id a new household gets (Household.DefaultMeterId).
            migrationBuilder.Sql("UPDATE \"Households\" SET \"MeterId\" = 'MTR-' || upper(encode(substring(\"Pseudonym\" from 1 for 6), 'hex')) WHERE \"MeterId\" IS NULL;");

            // Readings, reconciliations and imbalance postings only grow, like the ledger's tables (docs/adr/0010);
            // market_append_only() comes from the AppendOnlyLedger migration.
            foreach (var table in AppendOnlyTables)
            {
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_append_only\" BEFORE UPDATE OR DELETE ON \"{table}\" FOR EACH ROW EXECUTE FUNCTION market_append_only();");
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_truncate\" BEFORE TRUNCATE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION market_append_only();");
            }
        }

        internal static readonly string[] AppendOnlyTables = ["MeterReadings", "Reconciliations", "ImbalancePostings"];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in AppendOnlyTables)
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_append_only\" ON \"{table}\";");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_no_truncate\" ON \"{table}\";");
            }

            migrationBuilder.DropTable(
                name: "ImbalancePostings");

            migrationBuilder.DropTable(
                name: "MeterReadings");

            migrationBuilder.DropTable(
                name: "Reconciliations");

            migrationBuilder.DropIndex(
                name: "IX_Households_MeterId",
                table: "Households");

            migrationBuilder.DropColumn(
                name: "MeterId",
                table: "Households");
        }
    }
}
