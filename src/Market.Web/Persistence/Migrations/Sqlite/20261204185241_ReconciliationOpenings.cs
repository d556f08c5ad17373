using Microsoft.EntityFrameworkCore.Migrations;
using Market.Web.Persistence;

#nullable disable

namespace Market.Web.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReconciliationOpenings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ReconciliationOpenings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Salt = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    Record = table.Column<byte[]>(type: "BLOB", maxLength: 169, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReconciliationOpenings", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ReconciliationOpenings_HouseholdId_IntervalStart",
                table: "ReconciliationOpenings",
                columns: new[] { "HouseholdId", "IntervalStart" });

            migrationBuilder.CreateIndex(
                name: "IX_ReconciliationOpenings_IntervalStart_Version_HouseholdId",
                table: "ReconciliationOpenings",
                columns: new[] { "IntervalStart", "Version", "HouseholdId" },
                unique: true);

            // Openings are never changed or removed: a new reconciliation version has new ones.
            AppendOnlySql.CreateFor(migrationBuilder, "ReconciliationOpenings");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            AppendOnlySql.DropFor(migrationBuilder, "ReconciliationOpenings");
            migrationBuilder.DropTable(
                name: "ReconciliationOpenings");
        }
    }
}
