using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Market.Web.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Autopilot : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AutopilotChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    HouseholdId = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    IsOn = table.Column<bool>(type: "boolean", nullable: false),
                    Sell = table.Column<bool>(type: "boolean", nullable: false),
                    Buy = table.Column<bool>(type: "boolean", nullable: false),
                    MinSellPrice = table.Column<long>(type: "bigint", nullable: false),
                    MaxBuyPrice = table.Column<long>(type: "bigint", nullable: false),
                    MaxEnergyWh = table.Column<long>(type: "bigint", nullable: false),
                    FromHour = table.Column<int>(type: "integer", nullable: false),
                    ToHour = table.Column<int>(type: "integer", nullable: false),
                    Until = table.Column<long>(type: "bigint", nullable: true),
                    ChangedAtMs = table.Column<long>(type: "bigint", nullable: false),
                    ChangedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CancelledOrders = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AutopilotChanges", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AutopilotOrders",
                columns: table => new
                {
                    OrderId = table.Column<long>(type: "bigint", nullable: false),
                    HouseholdId = table.Column<long>(type: "bigint", nullable: false),
                    IntervalStart = table.Column<long>(type: "bigint", nullable: false),
                    SettingsVersion = table.Column<int>(type: "integer", nullable: false),
                    Side = table.Column<byte>(type: "smallint", nullable: false),
                    ForecastWh = table.Column<long>(type: "bigint", nullable: false),
                    BandLowWh = table.Column<long>(type: "bigint", nullable: false),
                    BandHighWh = table.Column<long>(type: "bigint", nullable: false),
                    ForecastDays = table.Column<int>(type: "integer", nullable: false),
                    EnergyWh = table.Column<long>(type: "bigint", nullable: false),
                    EnergyReason = table.Column<byte>(type: "smallint", nullable: false),
                    MedianPrice = table.Column<long>(type: "bigint", nullable: true),
                    MedianCount = table.Column<int>(type: "integer", nullable: false),
                    Price = table.Column<long>(type: "bigint", nullable: false),
                    PriceReason = table.Column<byte>(type: "smallint", nullable: false),
                    HouseholdLimitPrice = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAtMs = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AutopilotOrders", x => x.OrderId);
                    table.ForeignKey(
                        name: "FK_AutopilotOrders_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Autopilots",
                columns: table => new
                {
                    HouseholdId = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    IsOn = table.Column<bool>(type: "boolean", nullable: false),
                    Sell = table.Column<bool>(type: "boolean", nullable: false),
                    Buy = table.Column<bool>(type: "boolean", nullable: false),
                    MinSellPrice = table.Column<long>(type: "bigint", nullable: false),
                    MaxBuyPrice = table.Column<long>(type: "bigint", nullable: false),
                    MaxEnergyWh = table.Column<long>(type: "bigint", nullable: false),
                    FromHour = table.Column<int>(type: "integer", nullable: false),
                    ToHour = table.Column<int>(type: "integer", nullable: false),
                    Until = table.Column<long>(type: "bigint", nullable: true),
                    UpdatedAtMs = table.Column<long>(type: "bigint", nullable: false),
                    LastPostedAtMs = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Autopilots", x => x.HouseholdId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AutopilotChanges_HouseholdId_Version",
                table: "AutopilotChanges",
                columns: new[] { "HouseholdId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AutopilotOrders_HouseholdId_IntervalStart_SettingsVersion",
                table: "AutopilotOrders",
                columns: new[] { "HouseholdId", "IntervalStart", "SettingsVersion" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AutopilotChanges");

            migrationBuilder.DropTable(
                name: "AutopilotOrders");

            migrationBuilder.DropTable(
                name: "Autopilots");
        }
    }
}
