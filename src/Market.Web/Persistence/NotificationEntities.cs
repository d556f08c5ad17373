using Microsoft.EntityFrameworkCore;

namespace Market.Web.Persistence;

/// <summary>What a personal notification is about. Stored as a byte; the numbers never change.</summary>
public enum NotificationKind : byte
{
    /// <summary>An order of a cleared interval got all its energy.</summary>
    Filled = 1,

    /// <summary>An order of a cleared interval got part of its energy.</summary>
    PartlyFilled = 2,

    /// <summary>An order of a cleared interval got nothing and expired.</summary>
    Expired = 3,

    /// <summary>An order was cancelled (by the household, its API token or a standing order being stopped).</summary>
    Cancelled = 4,

    /// <summary>An interval cleared at or beyond a price the household asked to be told about.</summary>
    PriceAlert = 5,

    /// <summary>The household's trades of one local day, against the grid.</summary>
    DailySummary = 6,
}

/// <summary>
/// One personal notification of a household. Generated from the database's own facts (an order's final status, a
/// cleared interval, a day's trades), at most once: (household, kind, interval, order) is unique, and
/// <see cref="OrderId"/> is 0 for the kinds that are about no single order. Amounts are integers as everywhere:
/// energy in Wh, money and prices in 1/10,000 of the currency (prices per kWh).
/// </summary>
public sealed class NotificationEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    public NotificationKind Kind { get; set; }

    /// <summary>The order's interval, the cleared interval (price alert) or the local day's first second (daily summary); unix seconds.</summary>
    public long IntervalStart { get; set; }

    /// <summary>The order, or 0 for a price alert or a daily summary.</summary>
    public long OrderId { get; set; }

    /// <summary>The order's side (1 buy, 2 sell); 0 when there is no order.</summary>
    public byte Side { get; set; }

    /// <summary>Energy filled (orders) or sold (daily summary), Wh.</summary>
    public long EnergyWh { get; set; }

    /// <summary>Energy ordered (orders) or bought (daily summary), Wh.</summary>
    public long OrderEnergyWh { get; set; }

    /// <summary>Money received or paid for the fill (orders), or received (daily summary); 1/10,000 currency, never negative.</summary>
    public long Amount { get; set; }

    /// <summary>The clearing price (orders, price alert; 0 when there was none) or the money paid (daily summary).</summary>
    public long Price { get; set; }

    /// <summary>Daily summary: what local trading gained against the grid alone (1/10,000 currency); 0 otherwise.</summary>
    public long GridGain { get; set; }

    public long CreatedAtMs { get; set; }

    /// <summary>When the household read it; null while unread.</summary>
    public long? ReadAtMs { get; set; }

    /// <summary>When a node took it to send by e-mail and Web Push (the household's channels); null until then.</summary>
    public long? DispatchedAtMs { get; set; }
}

/// <summary>A household's notification settings; a household without a row has the defaults.</summary>
public sealed class NotificationPreferenceEntity
{
    /// <summary>Every kind on (bit <c>1 &lt;&lt; kind</c>).</summary>
    public const int AllKinds = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6);

    public long HouseholdId { get; set; }

    /// <summary>The kinds the household wants, bit <c>1 &lt;&lt; (int)kind</c>; the in-app list holds only these.</summary>
    public int Kinds { get; set; } = AllKinds;

    /// <summary>Also by e-mail (to the account's address).</summary>
    public bool Email { get; set; }

    /// <summary>Also by Web Push, to every device the household turned notifications on for.</summary>
    public bool Push { get; set; } = true;

    /// <summary>Tell when an interval clears at or above this price (1/10,000 currency per kWh); null for never.</summary>
    public long? AlertAtOrAbove { get; set; }

    /// <summary>Tell when an interval clears at or below this price; null for never.</summary>
    public long? AlertAtOrBelow { get; set; }

    /// <summary>Price alerts only in the app's list: no e-mail, no push, no toast.</summary>
    public bool AlertQuiet { get; set; }

    public bool Wants(NotificationKind kind) => (Kinds & (1 << (int)kind)) != 0;
}

/// <summary>A device's Web Push subscription (the browser's push service endpoint and its keys) for a household.</summary>
public sealed class PushSubscriptionEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    /// <summary>The push service's https URL for this device; only on the allowed push service hosts.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The device's P-256 public key, base64url.</summary>
    public string P256dh { get; set; } = "";

    /// <summary>The device's authentication secret, base64url.</summary>
    public string Auth { get; set; } = "";

    public long CreatedAtMs { get; set; }
}

/// <summary>A cleared interval whose order notifications and price alerts are written (in the same transaction).</summary>
public sealed class NotifiedIntervalEntity
{
    public long IntervalStart { get; set; }

    public long AtMs { get; set; }
}

/// <summary>The notification tables' model, kept beside the entities so <see cref="MarketDbContext"/> only calls it.</summary>
public static class NotificationModel
{
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<NotificationEntity>(e =>
        {
            e.ToTable("Notifications");
            // Exactly once, whichever node or run generates it.
            e.HasIndex(n => new { n.HouseholdId, n.Kind, n.IntervalStart, n.OrderId }).IsUnique();
            e.HasIndex(n => new { n.HouseholdId, n.Id });
            e.HasIndex(n => new { n.DispatchedAtMs, n.CreatedAtMs });
        });

        builder.Entity<NotificationPreferenceEntity>(e =>
        {
            e.ToTable("NotificationPreferences");
            e.HasKey(p => p.HouseholdId);
            e.Property(p => p.HouseholdId).ValueGeneratedNever();
        });

        builder.Entity<PushSubscriptionEntity>(e =>
        {
            e.ToTable("PushSubscriptions");
            e.HasIndex(s => s.Endpoint).IsUnique();
            e.HasIndex(s => s.HouseholdId);
            e.Property(s => s.Endpoint).HasMaxLength(1024);
            e.Property(s => s.P256dh).HasMaxLength(128);
            e.Property(s => s.Auth).HasMaxLength(64);
        });

        builder.Entity<NotifiedIntervalEntity>(e =>
        {
            e.ToTable("NotifiedIntervals");
            e.HasKey(n => n.IntervalStart);
            e.Property(n => n.IntervalStart).ValueGeneratedNever();
        });
    }
}
