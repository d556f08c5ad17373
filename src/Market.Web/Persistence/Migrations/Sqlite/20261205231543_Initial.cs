using System;
using Market.Web.Persistence;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Market.Web.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ApiTokens",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    LastUsedAtMs = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedAtMs = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiTokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoles",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    NormalizedName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUsers",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: false),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    NormalizedUserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    NormalizedEmail = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    EmailConfirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    PasswordHash = table.Column<string>(type: "TEXT", nullable: true),
                    SecurityStamp = table.Column<string>(type: "TEXT", nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "TEXT", nullable: true),
                    PhoneNumber = table.Column<string>(type: "TEXT", nullable: true),
                    PhoneNumberConfirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    TwoFactorEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    LockoutEnd = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    LockoutEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    AccessFailedCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUsers", x => x.Id);
                });

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
                    MandateId = table.Column<byte[]>(type: "BLOB", nullable: true),
                    UpdatedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    LastPostedAtMs = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Autopilots", x => x.HouseholdId);
                });

            migrationBuilder.CreateTable(
                name: "BlockLeaves",
                columns: table => new
                {
                    BlockHeight = table.Column<long>(type: "INTEGER", nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    Data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlockLeaves", x => new { x.BlockHeight, x.Index });
                });

            migrationBuilder.CreateTable(
                name: "Blocks",
                columns: table => new
                {
                    Height = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<byte>(type: "INTEGER", nullable: false),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: true),
                    Header = table.Column<byte[]>(type: "BLOB", nullable: false),
                    HeaderHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Signature = table.Column<byte[]>(type: "BLOB", nullable: false),
                    LeafCount = table.Column<int>(type: "INTEGER", nullable: false),
                    SealedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Blocks", x => x.Height);
                });

            migrationBuilder.CreateTable(
                name: "Checkpoints",
                columns: table => new
                {
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Root = table.Column<byte[]>(type: "BLOB", nullable: false),
                    TimestampMs = table.Column<long>(type: "INTEGER", nullable: false),
                    KeyId = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Signature = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Checkpoints", x => x.Size);
                });

            migrationBuilder.CreateTable(
                name: "ClearedIntervals",
                columns: table => new
                {
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    IntervalEnd = table.Column<long>(type: "INTEGER", nullable: false),
                    Price = table.Column<long>(type: "INTEGER", nullable: true),
                    VolumeWh = table.Column<long>(type: "INTEGER", nullable: false),
                    TradeCount = table.Column<int>(type: "INTEGER", nullable: false),
                    BidCount = table.Column<int>(type: "INTEGER", nullable: false),
                    OfferCount = table.Column<int>(type: "INTEGER", nullable: false),
                    DemandWh = table.Column<long>(type: "INTEGER", nullable: false),
                    SupplyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    ActiveHouseholds = table.Column<int>(type: "INTEGER", nullable: false),
                    Mechanism = table.Column<byte>(type: "INTEGER", nullable: false),
                    OrderBookHeight = table.Column<long>(type: "INTEGER", nullable: false),
                    ClearingHeight = table.Column<long>(type: "INTEGER", nullable: false),
                    NetworkHeight = table.Column<long>(type: "INTEGER", nullable: true),
                    LimitsHeight = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClearedIntervals", x => x.IntervalStart);
                });

            migrationBuilder.CreateTable(
                name: "CorrectionDecisions",
                columns: table => new
                {
                    PendingCorrectionId = table.Column<long>(type: "INTEGER", nullable: false),
                    Decision = table.Column<byte>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ReadingId = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CorrectionDecisions", x => x.PendingCorrectionId);
                });

            migrationBuilder.CreateTable(
                name: "Cosignatures",
                columns: table => new
                {
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Witness = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    KeyName = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    KeyId = table.Column<long>(type: "INTEGER", nullable: false),
                    Signature = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Cosignatures", x => new { x.Size, x.Witness });
                });

            migrationBuilder.CreateTable(
                name: "DeviceRequests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    KeyId = table.Column<byte[]>(type: "BLOB", nullable: false),
                    PublicKey = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeviceRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Envelopes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UploadId = table.Column<long>(type: "INTEGER", nullable: false),
                    NodeId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Start = table.Column<long>(type: "INTEGER", nullable: false),
                    End = table.Column<long>(type: "INTEGER", nullable: false),
                    ImportLimitW = table.Column<long>(type: "INTEGER", nullable: true),
                    ExportLimitW = table.Column<long>(type: "INTEGER", nullable: true),
                    EventId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Cancels = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Envelopes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EnvelopeUploads",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReceivedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    NetworkVersion = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EnvelopeUploads", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "GridNodeResults",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Node = table.Column<int>(type: "INTEGER", nullable: false),
                    Parent = table.Column<int>(type: "INTEGER", nullable: false),
                    NodeId = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<byte>(type: "INTEGER", nullable: false),
                    ZonePrice = table.Column<long>(type: "INTEGER", nullable: false),
                    FlowWh = table.Column<long>(type: "INTEGER", nullable: false),
                    ExportLimitWh = table.Column<long>(type: "INTEGER", nullable: true),
                    ImportLimitWh = table.Column<long>(type: "INTEGER", nullable: true),
                    FromEnvelope = table.Column<bool>(type: "INTEGER", nullable: false),
                    EventId = table.Column<string>(type: "TEXT", nullable: true),
                    State = table.Column<byte>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GridNodeResults", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "HouseholdKeys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    KeyId = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Algorithm = table.Column<byte>(type: "INTEGER", nullable: false),
                    PublicKey = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Role = table.Column<byte>(type: "INTEGER", nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    EnrolmentRecordId = table.Column<long>(type: "INTEGER", nullable: false),
                    EnrolledBy = table.Column<byte[]>(type: "BLOB", nullable: false),
                    RevocationRecordId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HouseholdKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "HouseholdRecords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Type = table.Column<byte>(type: "INTEGER", nullable: false),
                    Body = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Authorization = table.Column<byte[]>(type: "BLOB", nullable: false),
                    StatementHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    AcceptedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    BlockHeight = table.Column<long>(type: "INTEGER", nullable: true),
                    ReceiptSignature = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ReceiptKeyId = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HouseholdRecords", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Households",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Pseudonym = table.Column<byte[]>(type: "BLOB", maxLength: 16, nullable: false),
                    PvPeakW = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxImportW = table.Column<long>(type: "INTEGER", nullable: false),
                    TimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    MeterId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Households", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IdempotencyKeys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    OrderId = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdempotencyKeys", x => x.Id);
                });

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
                name: "Mandates",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    MandateId = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Terms = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ValidUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordId = table.Column<long>(type: "INTEGER", nullable: false),
                    RevocationRecordId = table.Column<long>(type: "INTEGER", nullable: true),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Mandates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MeterGatewayMeters",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GatewayUserId = table.Column<string>(type: "TEXT", nullable: false),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    AssignedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    AssignedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MeterGatewayMeters", x => x.Id);
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
                name: "NetworkVersions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    ImportedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    ImportedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    NodesJson = table.Column<string>(type: "TEXT", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    NodeCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ConnectionCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NetworkVersions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "NotificationPreferences",
                columns: table => new
                {
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kinds = table.Column<int>(type: "INTEGER", nullable: false),
                    Email = table.Column<bool>(type: "INTEGER", nullable: false),
                    Push = table.Column<bool>(type: "INTEGER", nullable: false),
                    AlertAtOrAbove = table.Column<long>(type: "INTEGER", nullable: true),
                    AlertAtOrBelow = table.Column<long>(type: "INTEGER", nullable: true),
                    AlertQuiet = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NotificationPreferences", x => x.HouseholdId);
                });

            migrationBuilder.CreateTable(
                name: "Notifications",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<byte>(type: "INTEGER", nullable: false),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    OrderId = table.Column<long>(type: "INTEGER", nullable: false),
                    Side = table.Column<byte>(type: "INTEGER", nullable: false),
                    EnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    OrderEnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    Price = table.Column<long>(type: "INTEGER", nullable: false),
                    GridGain = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    ReadAtMs = table.Column<long>(type: "INTEGER", nullable: true),
                    DispatchedAtMs = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "NotifiedIntervals",
                columns: table => new
                {
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    AtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NotifiedIntervals", x => x.IntervalStart);
                });

            migrationBuilder.CreateTable(
                name: "Orders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Side = table.Column<byte>(type: "INTEGER", nullable: false),
                    EnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    LimitPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<byte>(type: "INTEGER", nullable: false),
                    FilledWh = table.Column<long>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    LimitingNode = table.Column<int>(type: "INTEGER", nullable: true),
                    ZonePrice = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    StandingOrderId = table.Column<long>(type: "INTEGER", nullable: true),
                    Nonce = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Authorization = table.Column<byte[]>(type: "BLOB", nullable: false),
                    StatementHash = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Orders", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PendingCorrections",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    MeterId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    ImportWh = table.Column<long>(type: "INTEGER", nullable: false),
                    ExportWh = table.Column<long>(type: "INTEGER", nullable: false),
                    ReplacesVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    LargestMove = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PendingCorrections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Postings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TradeId = table.Column<long>(type: "INTEGER", nullable: false),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Postings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PushSubscriptions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Endpoint = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    P256dh = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Auth = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PushSubscriptions", x => x.Id);
                });

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

            migrationBuilder.CreateTable(
                name: "RulesChanges",
                columns: table => new
                {
                    Height = table.Column<long>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RulesChanges", x => x.Height);
                });

            migrationBuilder.CreateTable(
                name: "StandingOrders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    Side = table.Column<byte>(type: "INTEGER", nullable: false),
                    EnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    LimitPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    DaysMask = table.Column<int>(type: "INTEGER", nullable: false),
                    FromHour = table.Column<int>(type: "INTEGER", nullable: false),
                    ToHour = table.Column<int>(type: "INTEGER", nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    MaterializedUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    MandateId = table.Column<byte[]>(type: "BLOB", nullable: true),
                    CreatedAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StandingOrders", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Trades",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    IntervalStart = table.Column<long>(type: "INTEGER", nullable: false),
                    BlockHeight = table.Column<long>(type: "INTEGER", nullable: false),
                    LeafIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    BuyOrderId = table.Column<long>(type: "INTEGER", nullable: false),
                    SellOrderId = table.Column<long>(type: "INTEGER", nullable: false),
                    BuyerHouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    SellerHouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    EnergyWh = table.Column<long>(type: "INTEGER", nullable: false),
                    Price = table.Column<long>(type: "INTEGER", nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    SellPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    SellAmount = table.Column<long>(type: "INTEGER", nullable: false),
                    FeePrice = table.Column<long>(type: "INTEGER", nullable: false),
                    MeetNode = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Trades", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WitnessProgress",
                columns: table => new
                {
                    Witness = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSuccessMs = table.Column<long>(type: "INTEGER", nullable: true),
                    LastAttemptMs = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WitnessProgress", x => x.Witness);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoleClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RoleId = table.Column<string>(type: "TEXT", nullable: false),
                    ClaimType = table.Column<string>(type: "TEXT", nullable: true),
                    ClaimValue = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoleClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetRoleClaims_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    ClaimType = table.Column<string>(type: "TEXT", nullable: true),
                    ClaimValue = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetUserClaims_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserLogins",
                columns: table => new
                {
                    LoginProvider = table.Column<string>(type: "TEXT", nullable: false),
                    ProviderKey = table.Column<string>(type: "TEXT", nullable: false),
                    ProviderDisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    UserId = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserLogins", x => new { x.LoginProvider, x.ProviderKey });
                    table.ForeignKey(
                        name: "FK_AspNetUserLogins_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserRoles",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    RoleId = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserRoles", x => new { x.UserId, x.RoleId });
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserTokens",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    LoginProvider = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
                    table.ForeignKey(
                        name: "FK_AspNetUserTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
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

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_SecretHash",
                table: "ApiTokens",
                column: "SecretHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_UserId",
                table: "ApiTokens",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetRoleClaims_RoleId",
                table: "AspNetRoleClaims",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "AspNetRoles",
                column: "NormalizedName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserClaims_UserId",
                table: "AspNetUserClaims",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserLogins_UserId",
                table: "AspNetUserLogins",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserRoles_RoleId",
                table: "AspNetUserRoles",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "AspNetUsers",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "AspNetUsers",
                column: "NormalizedUserName",
                unique: true);

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

            migrationBuilder.CreateIndex(
                name: "IX_Blocks_HeaderHash",
                table: "Blocks",
                column: "HeaderHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Blocks_IntervalStart_Kind",
                table: "Blocks",
                columns: new[] { "IntervalStart", "Kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DeviceRequests_HouseholdId",
                table: "DeviceRequests",
                column: "HouseholdId");

            migrationBuilder.CreateIndex(
                name: "IX_DeviceRequests_KeyId",
                table: "DeviceRequests",
                column: "KeyId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Envelopes_Start_End",
                table: "Envelopes",
                columns: new[] { "Start", "End" });

            migrationBuilder.CreateIndex(
                name: "IX_GridNodeResults_IntervalStart_Node",
                table: "GridNodeResults",
                columns: new[] { "IntervalStart", "Node" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GridNodeResults_NodeId_IntervalStart",
                table: "GridNodeResults",
                columns: new[] { "NodeId", "IntervalStart" });

            migrationBuilder.CreateIndex(
                name: "IX_HouseholdKeys_HouseholdId",
                table: "HouseholdKeys",
                column: "HouseholdId");

            migrationBuilder.CreateIndex(
                name: "IX_HouseholdKeys_KeyId",
                table: "HouseholdKeys",
                column: "KeyId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_HouseholdRecords_BlockHeight_Id",
                table: "HouseholdRecords",
                columns: new[] { "BlockHeight", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_HouseholdRecords_HouseholdId",
                table: "HouseholdRecords",
                column: "HouseholdId");

            migrationBuilder.CreateIndex(
                name: "IX_HouseholdRecords_StatementHash",
                table: "HouseholdRecords",
                column: "StatementHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Households_MeterId",
                table: "Households",
                column: "MeterId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Households_Pseudonym",
                table: "Households",
                column: "Pseudonym",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Households_UserId",
                table: "Households",
                column: "UserId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_IdempotencyKeys_UserId_Key",
                table: "IdempotencyKeys",
                columns: new[] { "UserId", "Key" },
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
                name: "IX_Mandates_HouseholdId_Purpose",
                table: "Mandates",
                columns: new[] { "HouseholdId", "Purpose" });

            migrationBuilder.CreateIndex(
                name: "IX_Mandates_MandateId",
                table: "Mandates",
                column: "MandateId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MeterGatewayMeters_GatewayUserId",
                table: "MeterGatewayMeters",
                column: "GatewayUserId");

            migrationBuilder.CreateIndex(
                name: "IX_MeterGatewayMeters_HouseholdId",
                table: "MeterGatewayMeters",
                column: "HouseholdId",
                unique: true);

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
                name: "IX_Notifications_DispatchedAtMs_CreatedAtMs",
                table: "Notifications",
                columns: new[] { "DispatchedAtMs", "CreatedAtMs" });

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_HouseholdId_Id",
                table: "Notifications",
                columns: new[] { "HouseholdId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_HouseholdId_Kind_IntervalStart_OrderId",
                table: "Notifications",
                columns: new[] { "HouseholdId", "Kind", "IntervalStart", "OrderId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_HouseholdId_IntervalStart",
                table: "Orders",
                columns: new[] { "HouseholdId", "IntervalStart" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_HouseholdId_Nonce",
                table: "Orders",
                columns: new[] { "HouseholdId", "Nonce" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_IntervalStart_Status",
                table: "Orders",
                columns: new[] { "IntervalStart", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_StandingOrderId_IntervalStart",
                table: "Orders",
                columns: new[] { "StandingOrderId", "IntervalStart" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PendingCorrections_HouseholdId_IntervalStart",
                table: "PendingCorrections",
                columns: new[] { "HouseholdId", "IntervalStart" });

            migrationBuilder.CreateIndex(
                name: "IX_Postings_HouseholdId",
                table: "Postings",
                column: "HouseholdId");

            migrationBuilder.CreateIndex(
                name: "IX_Postings_TradeId",
                table: "Postings",
                column: "TradeId");

            migrationBuilder.CreateIndex(
                name: "IX_PushSubscriptions_Endpoint",
                table: "PushSubscriptions",
                column: "Endpoint",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PushSubscriptions_HouseholdId",
                table: "PushSubscriptions",
                column: "HouseholdId");

            migrationBuilder.CreateIndex(
                name: "IX_ReconciliationOpenings_HouseholdId_IntervalStart",
                table: "ReconciliationOpenings",
                columns: new[] { "HouseholdId", "IntervalStart" });

            migrationBuilder.CreateIndex(
                name: "IX_ReconciliationOpenings_IntervalStart_Version_HouseholdId",
                table: "ReconciliationOpenings",
                columns: new[] { "IntervalStart", "Version", "HouseholdId" },
                unique: true);

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

            migrationBuilder.CreateIndex(
                name: "IX_StandingOrders_HouseholdId_Active",
                table: "StandingOrders",
                columns: new[] { "HouseholdId", "Active" });

            migrationBuilder.CreateIndex(
                name: "IX_Trades_BlockHeight_LeafIndex",
                table: "Trades",
                columns: new[] { "BlockHeight", "LeafIndex" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Trades_BuyerHouseholdId",
                table: "Trades",
                column: "BuyerHouseholdId");

            migrationBuilder.CreateIndex(
                name: "IX_Trades_IntervalStart",
                table: "Trades",
                column: "IntervalStart");

            migrationBuilder.CreateIndex(
                name: "IX_Trades_SellerHouseholdId",
                table: "Trades",
                column: "SellerHouseholdId");
            AppendOnlySql.Create(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            AppendOnlySql.Drop(migrationBuilder);

            migrationBuilder.DropTable(
                name: "ApiTokens");

            migrationBuilder.DropTable(
                name: "AspNetRoleClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserLogins");

            migrationBuilder.DropTable(
                name: "AspNetUserRoles");

            migrationBuilder.DropTable(
                name: "AspNetUserTokens");

            migrationBuilder.DropTable(
                name: "AutopilotChanges");

            migrationBuilder.DropTable(
                name: "AutopilotOrders");

            migrationBuilder.DropTable(
                name: "Autopilots");

            migrationBuilder.DropTable(
                name: "BlockLeaves");

            migrationBuilder.DropTable(
                name: "Blocks");

            migrationBuilder.DropTable(
                name: "Checkpoints");

            migrationBuilder.DropTable(
                name: "ClearedIntervals");

            migrationBuilder.DropTable(
                name: "CorrectionDecisions");

            migrationBuilder.DropTable(
                name: "Cosignatures");

            migrationBuilder.DropTable(
                name: "DeviceRequests");

            migrationBuilder.DropTable(
                name: "Envelopes");

            migrationBuilder.DropTable(
                name: "EnvelopeUploads");

            migrationBuilder.DropTable(
                name: "GridNodeResults");

            migrationBuilder.DropTable(
                name: "HouseholdKeys");

            migrationBuilder.DropTable(
                name: "HouseholdRecords");

            migrationBuilder.DropTable(
                name: "Households");

            migrationBuilder.DropTable(
                name: "IdempotencyKeys");

            migrationBuilder.DropTable(
                name: "ImbalancePostings");

            migrationBuilder.DropTable(
                name: "Mandates");

            migrationBuilder.DropTable(
                name: "MeterGatewayMeters");

            migrationBuilder.DropTable(
                name: "MeterReadings");

            migrationBuilder.DropTable(
                name: "NetworkVersions");

            migrationBuilder.DropTable(
                name: "NotificationPreferences");

            migrationBuilder.DropTable(
                name: "Notifications");

            migrationBuilder.DropTable(
                name: "NotifiedIntervals");

            migrationBuilder.DropTable(
                name: "PendingCorrections");

            migrationBuilder.DropTable(
                name: "Postings");

            migrationBuilder.DropTable(
                name: "PushSubscriptions");

            migrationBuilder.DropTable(
                name: "ReconciliationOpenings");

            migrationBuilder.DropTable(
                name: "Reconciliations");

            migrationBuilder.DropTable(
                name: "RulesChanges");

            migrationBuilder.DropTable(
                name: "StandingOrders");

            migrationBuilder.DropTable(
                name: "Trades");

            migrationBuilder.DropTable(
                name: "WitnessProgress");

            migrationBuilder.DropTable(
                name: "AspNetRoles");

            migrationBuilder.DropTable(
                name: "AspNetUsers");

            migrationBuilder.DropTable(
                name: "Orders");
        }
    }
}
