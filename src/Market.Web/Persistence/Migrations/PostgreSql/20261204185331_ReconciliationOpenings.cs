using Microsoft.EntityFrameworkCore.Migrations;
using Market.Web.Persistence;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Market.Web.Persistence.Migrations.PostgreSql
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    IntervalStart = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    HouseholdId = table.Column<long>(type: "bigint", nullable: false),
                    Salt = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    Record = table.Column<byte[]>(type: "bytea", maxLength: 169, nullable: false)
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
