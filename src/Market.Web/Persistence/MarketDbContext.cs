using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Persistence;

/// <summary>
/// The market's database. SQLite uses this type and its migrations; PostgreSQL uses <see cref="PostgresMarketDbContext"/>
/// (same model, its own migrations). Code asks for <c>IDbContextFactory&lt;MarketDbContext&gt;</c> and never cares which.
/// </summary>
public class MarketDbContext : IdentityDbContext<MarketUser>
{
    public MarketDbContext(DbContextOptions<MarketDbContext> options)
        : base(options)
    {
    }

    /// <summary>For a provider-specific subclass, which needs options typed to itself.</summary>
    protected MarketDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Household> Households => Set<Household>();

    public DbSet<OrderEntity> Orders => Set<OrderEntity>();

    public DbSet<TradeEntity> Trades => Set<TradeEntity>();

    public DbSet<PostingEntity> Postings => Set<PostingEntity>();

    public DbSet<BlockEntity> Blocks => Set<BlockEntity>();

    public DbSet<BlockLeafEntity> BlockLeaves => Set<BlockLeafEntity>();

    public DbSet<ClearedIntervalEntity> ClearedIntervals => Set<ClearedIntervalEntity>();

    public DbSet<ApiTokenEntity> ApiTokens => Set<ApiTokenEntity>();

    public DbSet<CheckpointEntity> Checkpoints => Set<CheckpointEntity>();

    public DbSet<CosignatureEntity> Cosignatures => Set<CosignatureEntity>();

    public DbSet<WitnessProgressEntity> WitnessProgress => Set<WitnessProgressEntity>();

    public DbSet<RulesChangeEntity> RulesChanges => Set<RulesChangeEntity>();

    public DbSet<IdempotencyEntity> IdempotencyKeys => Set<IdempotencyEntity>();

    public DbSet<StandingOrderEntity> StandingOrders => Set<StandingOrderEntity>();

    public DbSet<MeterReadingEntity> MeterReadings => Set<MeterReadingEntity>();

    public DbSet<ReconciliationEntity> Reconciliations => Set<ReconciliationEntity>();

    public DbSet<ImbalancePostingEntity> ImbalancePostings => Set<ImbalancePostingEntity>();

    public DbSet<ReconciliationOpeningEntity> ReconciliationOpenings => Set<ReconciliationOpeningEntity>();

    public DbSet<MeterGatewayMeterEntity> MeterGatewayMeters => Set<MeterGatewayMeterEntity>();

    public DbSet<NetworkVersionEntity> NetworkVersions => Set<NetworkVersionEntity>();

    public DbSet<EnvelopeUploadEntity> EnvelopeUploads => Set<EnvelopeUploadEntity>();

    public DbSet<EnvelopeEntity> Envelopes => Set<EnvelopeEntity>();

    public DbSet<GridNodeResultEntity> GridNodeResults => Set<GridNodeResultEntity>();

    public DbSet<PendingCorrectionEntity> PendingCorrections => Set<PendingCorrectionEntity>();

    public DbSet<CorrectionDecisionEntity> CorrectionDecisions => Set<CorrectionDecisionEntity>();

    public DbSet<NotificationEntity> Notifications => Set<NotificationEntity>();

    public DbSet<NotificationPreferenceEntity> NotificationPreferences => Set<NotificationPreferenceEntity>();

    public DbSet<PushSubscriptionEntity> PushSubscriptions => Set<PushSubscriptionEntity>();

    public DbSet<NotifiedIntervalEntity> NotifiedIntervals => Set<NotifiedIntervalEntity>();
    public DbSet<AutopilotSettingsEntity> Autopilots => Set<AutopilotSettingsEntity>();

    public DbSet<AutopilotChangeEntity> AutopilotChanges => Set<AutopilotChangeEntity>();

    public DbSet<AutopilotOrderEntity> AutopilotOrders => Set<AutopilotOrderEntity>();

    public DbSet<HouseholdRecordEntity> HouseholdRecords => Set<HouseholdRecordEntity>();

    public DbSet<HouseholdKeyEntity> HouseholdKeys => Set<HouseholdKeyEntity>();

    public DbSet<MandateEntity> Mandates => Set<MandateEntity>();

    public DbSet<DeviceRequestEntity> DeviceRequests => Set<DeviceRequestEntity>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Household>(e =>
        {
            e.ToTable("Households");
            e.HasIndex(h => h.UserId).IsUnique();
            e.HasIndex(h => h.Pseudonym).IsUnique();
            e.Property(h => h.Name).HasMaxLength(100);
            e.Property(h => h.Pseudonym).HasMaxLength(16);
            e.Property(h => h.TimeZone).HasMaxLength(64);
            e.Property(h => h.MeterId).HasMaxLength(64);
            e.HasIndex(h => h.MeterId).IsUnique();
        });

        builder.Entity<MeterReadingEntity>(e =>
        {
            e.ToTable("MeterReadings");
            // A correction is the next version, never an overwrite.
            e.HasIndex(r => new { r.HouseholdId, r.IntervalStart, r.Version }).IsUnique();
            e.HasIndex(r => r.IntervalStart);
            e.Property(r => r.MeterId).HasMaxLength(64);
            e.Property(r => r.Source).HasMaxLength(100);
        });

        builder.Entity<ReconciliationEntity>(e =>
        {
            e.ToTable("Reconciliations");
            e.HasIndex(r => new { r.IntervalStart, r.Version }).IsUnique();
            e.HasIndex(r => r.BlockHeight).IsUnique();
        });

        builder.Entity<ImbalancePostingEntity>(e =>
        {
            e.ToTable("ImbalancePostings");
            e.HasIndex(p => new { p.IntervalStart, p.Version });
            e.HasIndex(p => p.HouseholdId);
        });

        builder.Entity<ReconciliationOpeningEntity>(e =>
        {
            e.ToTable("ReconciliationOpenings");
            e.HasIndex(o => new { o.IntervalStart, o.Version, o.HouseholdId }).IsUnique();
            e.HasIndex(o => new { o.HouseholdId, o.IntervalStart });
            e.Property(o => o.Salt).HasMaxLength(32);
            e.Property(o => o.Record).HasMaxLength(169);
        });

        builder.Entity<NetworkVersionEntity>(e =>
        {
            e.ToTable("NetworkVersions");
            e.Property(v => v.Id).ValueGeneratedNever();
            e.Property(v => v.ImportedBy).HasMaxLength(256);
            e.Property(v => v.Format).HasMaxLength(8);
            e.Property(v => v.Sha256).HasMaxLength(64);
        });

        builder.Entity<EnvelopeUploadEntity>(e =>
        {
            e.ToTable("EnvelopeUploads");
            e.Property(u => u.ReceivedBy).HasMaxLength(256);
            e.Property(u => u.Source).HasMaxLength(16);
            e.Property(u => u.Sha256).HasMaxLength(64);
        });

        builder.Entity<GridNodeResultEntity>(e =>
        {
            e.ToTable("GridNodeResults");
            e.HasIndex(r => new { r.IntervalStart, r.Node }).IsUnique();
            e.HasIndex(r => new { r.NodeId, r.IntervalStart });
        });

        builder.Entity<EnvelopeEntity>(e =>
        {
            e.ToTable("Envelopes");
            // The limits in force for an interval: the newest upload's window covering it, per node. One index: an
            // upload of 10,000 connections × 96 intervals writes a million rows, and every index costs on each.
            e.HasIndex(w => new { w.Start, w.End });
            e.Property(w => w.NodeId).HasMaxLength(64);
            e.Property(w => w.EventId).HasMaxLength(64);
        });

        builder.Entity<MeterGatewayMeterEntity>(e =>
        {
            e.ToTable("MeterGatewayMeters");
            // A meter is read through one gateway: assigning it to another moves it.
            e.HasIndex(a => a.HouseholdId).IsUnique();
            e.HasIndex(a => a.GatewayUserId);
            e.Property(a => a.AssignedBy).HasMaxLength(256);
        });

        builder.Entity<PendingCorrectionEntity>(e =>
        {
            e.ToTable("PendingCorrections");
            e.HasIndex(c => new { c.HouseholdId, c.IntervalStart });
            e.Property(c => c.MeterId).HasMaxLength(64);
            e.Property(c => c.Source).HasMaxLength(100);
        });

        builder.Entity<CorrectionDecisionEntity>(e =>
        {
            e.ToTable("CorrectionDecisions");
            // One decision per correction: a second confirmation loses to the key.
            e.HasKey(d => d.PendingCorrectionId);
            e.Property(d => d.PendingCorrectionId).ValueGeneratedNever();
            e.Property(d => d.UserName).HasMaxLength(256);
            e.Property(d => d.Reason).HasMaxLength(500);
        });

        builder.Entity<OrderEntity>(e =>
        {
            e.ToTable("Orders");
            e.HasIndex(o => new { o.IntervalStart, o.Status });
            e.HasIndex(o => new { o.HouseholdId, o.IntervalStart });
            e.Property(o => o.Outcome).HasMaxLength(40);
            // One order per standing order and interval, even if materialisation runs twice.
            e.HasIndex(o => new { o.StandingOrderId, o.IntervalStart }).IsUnique();
            // A household's nonce is used once: a replayed signed order would make its book invalid.
            e.HasIndex(o => new { o.HouseholdId, o.Nonce }).IsUnique();
        });

        builder.Entity<TradeEntity>(e =>
        {
            e.ToTable("Trades");
            e.Property(t => t.Id).ValueGeneratedNever();
            e.HasIndex(t => t.BuyerHouseholdId);
            e.HasIndex(t => t.SellerHouseholdId);
            e.HasIndex(t => t.IntervalStart);
            e.HasIndex(t => new { t.BlockHeight, t.LeafIndex }).IsUnique();
        });

        builder.Entity<PostingEntity>(e =>
        {
            e.ToTable("Postings");
            e.HasIndex(p => p.HouseholdId);
            e.HasIndex(p => p.TradeId);
        });

        builder.Entity<BlockEntity>(e =>
        {
            e.ToTable("Blocks");
            e.HasKey(b => b.Height);
            e.Property(b => b.Height).ValueGeneratedNever();
            // Clearing an interval twice is impossible: one order-book block and one clearing block per interval.
            e.HasIndex(b => new { b.IntervalStart, b.Kind }).IsUnique();
            e.HasIndex(b => b.HeaderHash).IsUnique();
        });

        builder.Entity<ClearedIntervalEntity>(e =>
        {
            e.ToTable("ClearedIntervals");
            e.HasKey(c => c.IntervalStart);
            e.Property(c => c.IntervalStart).ValueGeneratedNever();
        });

        builder.Entity<RulesChangeEntity>(e =>
        {
            e.ToTable("RulesChanges");
            e.HasKey(c => c.Height);
            e.Property(c => c.Height).ValueGeneratedNever();
            e.Property(c => c.UserName).HasMaxLength(256);
        });

        builder.Entity<CheckpointEntity>(e =>
        {
            e.ToTable("Checkpoints");
            e.HasKey(c => c.Size);
            e.Property(c => c.Size).ValueGeneratedNever();
        });

        builder.Entity<CosignatureEntity>(e =>
        {
            e.ToTable("Cosignatures");
            e.HasKey(c => new { c.Size, c.Witness });
            e.Property(c => c.Witness).HasMaxLength(200);
            e.Property(c => c.KeyName).HasMaxLength(300);
        });

        builder.Entity<WitnessProgressEntity>(e =>
        {
            e.ToTable("WitnessProgress");
            e.HasKey(w => w.Witness);
            e.Property(w => w.Witness).HasMaxLength(200);
            e.Property(w => w.LastError).HasMaxLength(1000);
        });

        builder.Entity<ApiTokenEntity>(e =>
        {
            e.ToTable("ApiTokens");
            e.HasIndex(t => t.SecretHash).IsUnique();
            e.HasIndex(t => t.UserId);
            e.Property(t => t.Name).HasMaxLength(80);
            e.Property(t => t.Prefix).HasMaxLength(16);
        });

        builder.Entity<IdempotencyEntity>(e =>
        {
            e.ToTable("IdempotencyKeys");
            e.HasIndex(k => new { k.UserId, k.Key }).IsUnique();
            e.Property(k => k.Key).HasMaxLength(100);
        });

        builder.Entity<StandingOrderEntity>(e =>
        {
            e.ToTable("StandingOrders");
            e.HasIndex(s => new { s.HouseholdId, s.Active });
        });

        builder.Entity<BlockLeafEntity>(e =>
        {
            e.ToTable("BlockLeaves");
            e.HasKey(l => new { l.BlockHeight, l.Index });
        });

        NotificationModel.Configure(builder);
        ConfigureAutopilot(builder);
        ConfigureHouseholdKeys(builder);
    }

    /// <summary>The household autopilot's tables (docs/adr/0024-autopilot.md).</summary>
    private static void ConfigureHouseholdKeys(ModelBuilder builder)
    {
        builder.Entity<HouseholdRecordEntity>(e =>
        {
            e.ToTable("HouseholdRecords");
            // The next household block takes the records not yet sealed, in sequence order.
            e.HasIndex(r => new { r.BlockHeight, r.Id });
            e.HasIndex(r => r.HouseholdId);
            e.HasIndex(r => r.StatementHash).IsUnique();
        });

        builder.Entity<HouseholdKeyEntity>(e =>
        {
            e.ToTable("HouseholdKeys");
            e.HasIndex(k => k.KeyId).IsUnique();
            e.HasIndex(k => k.HouseholdId);
            e.Property(k => k.Label).HasMaxLength(60);
        });

        builder.Entity<MandateEntity>(e =>
        {
            e.ToTable("Mandates");
            e.HasIndex(m => m.MandateId).IsUnique();
            e.HasIndex(m => new { m.HouseholdId, m.Purpose });
            e.Property(m => m.Purpose).HasMaxLength(40);
        });

        builder.Entity<DeviceRequestEntity>(e =>
        {
            e.ToTable("DeviceRequests");
            e.HasIndex(d => d.KeyId).IsUnique();
            e.HasIndex(d => d.HouseholdId);
            e.Property(d => d.Label).HasMaxLength(60);
        });
    }

    private static void ConfigureAutopilot(ModelBuilder builder)
    {
        builder.Entity<AutopilotSettingsEntity>(e =>
        {
            e.ToTable("Autopilots");
            e.HasKey(a => a.HouseholdId);
            e.Property(a => a.HouseholdId).ValueGeneratedNever();
        });

        builder.Entity<AutopilotChangeEntity>(e =>
        {
            e.ToTable("AutopilotChanges");
            e.HasIndex(c => new { c.HouseholdId, c.Version }).IsUnique();
            e.Property(c => c.ChangedBy).HasMaxLength(256);
        });

        builder.Entity<AutopilotOrderEntity>(e =>
        {
            e.ToTable("AutopilotOrders");
            e.HasKey(a => a.OrderId);
            e.Property(a => a.OrderId).ValueGeneratedNever();
            e.HasOne(a => a.Order).WithOne().HasForeignKey<AutopilotOrderEntity>(a => a.OrderId);
            // Two nodes never post the same interval twice under the same settings.
            e.HasIndex(a => new { a.HouseholdId, a.IntervalStart, a.SettingsVersion }).IsUnique();
        });
    }
}
