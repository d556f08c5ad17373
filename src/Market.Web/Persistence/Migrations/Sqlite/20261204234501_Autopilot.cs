using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Market.Web.Persistence.Migrations.Sqlite
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    IsOn = table.Column<bool>(type: "INTEGER", nullable: false),
                    Sell = table.Column<bool>(type: "INTEGER", nullable: false),
                    Buy = table.Column<bool>(type: "INTEGER", nullable: false),
                    MinSellPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxBuyPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxEnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    FromHour = table.Column<int>(type: "INTEGER", nullable: false),
                    ToHour = table.Column<int>(type: "INTEGER", nullable: false),
                    Until = table.Column<long>(type: "INTEGER", nullable: true),
                    ChangedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CancelledOrders = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AutopilotChanges", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AutopilotOrders",
                columns: table => new
                {
                    OrderId = table.Column<long>(type: "INTEGER", nullable: false),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    SettingsVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    Side = table.Column<byte>(type: "INTEGER", nullable: false),
                    ForecastWh = table.Column<long>(type: "INTEGER", nullable: false),
                    BandLowWh = table.Column<long>(type: "INTEGER", nullable: false),
                    BandHighWh = table.Column<long>(type: "INTEGER", nullable: false),
                    ForecastDays = table.Column<int>(type: "INTEGER", nullable: false),
                    EnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    EnergyReason = table.Column<byte>(type: "INTEGER", nullable: false),
                    MedianPrice = table.Column<long>(type: "INTEGER", nullable: true),
                    MedianCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Price = table.Column<long>(type: "INTEGER", nullable: false),
                    PriceReason = table.Column<byte>(type: "INTEGER", nullable: false),
                    HouseholdLimitPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
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
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    IsOn = table.Column<bool>(type: "INTEGER", nullable: false),
                    Sell = table.Column<bool>(type: "INTEGER", nullable: false),
                    Buy = table.Column<bool>(type: "INTEGER", nullable: false),
                    MinSellPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxBuyPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxEnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    FromHour = table.Column<int>(type: "INTEGER", nullable: false),
                    ToHour = table.Column<int>(type: "INTEGER", nullable: false),
                    Until = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    LastPostedAtMs = table.Column<long>(type: "INTEGER", nullable: true)
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
