using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Market.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class IntervalDemandSupply : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ActiveHouseholds",
                table: "ClearedIntervals",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "DemandWh",
                table: "ClearedIntervals",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "SupplyWh",
                table: "ClearedIntervals",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ActiveHouseholds",
                table: "ClearedIntervals");

            migrationBuilder.DropColumn(
                name: "DemandWh",
                table: "ClearedIntervals");

            migrationBuilder.DropColumn(
                name: "SupplyWh",
                table: "ClearedIntervals");
        }
    }
}
