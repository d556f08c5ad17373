using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Market.Web.Persistence.Migrations
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
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ImbalancePostings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: true),
                    CounterpartyHouseholdId = table.Column<long>(type: "INTEGER", nullable: true),
                    Kind = table.Column<byte>(type: "INTEGER", nullable: false),
                    EnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    Reversal = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImbalancePostings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MeterReadings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    MeterId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    ImportWh = table.Column<long>(type: "INTEGER", nullable: false),
                    ExportWh = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MeterReadings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Reconciliations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    BlockHeight = table.Column<long>(type: "INTEGER", nullable: false),
                    LastReadingId = table.Column<long>(type: "INTEGER", nullable: false),
                    HouseholdCount = table.Column<int>(type: "INTEGER", nullable: false),
                    SealedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
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
            migrationBuilder.Sql("UPDATE \"Households\" SET \"MeterId\" = 'MTR-' || upper(hex(substr(\"Pseudonym\", 1, 6))) WHERE \"MeterId\" IS NULL;");

            // Readings, reconciliations and imbalance postings only grow, like the ledger's tables (docs/adr/0010):
            // a correction is a new reading version, a new reconciliation version reverses the old postings.
            foreach (var table in AppendOnlyTables)
            {
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_update\" BEFORE UPDATE ON \"{table}\" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;");
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_delete\" BEFORE DELETE ON \"{table}\" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;");
            }
        }

        internal static readonly string[] AppendOnlyTables = ["MeterReadings", "Reconciliations", "ImbalancePostings"];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in AppendOnlyTables)
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_no_update\";");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_no_delete\";");
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
