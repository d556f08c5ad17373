namespace Market.Web.Persistence;

/// <summary>
/// A household's autopilot as it stands: the limits inside which the app trades for it from its forecast
/// (docs/adr/0024-autopilot.md). One row per household, created when the household first saves it. Every change
/// bumps <see cref="Version"/> and is kept as an <see cref="AutopilotChangeEntity"/>.
/// </summary>
public sealed class AutopilotSettingsEntity
{
    public long HouseholdId { get; set; }

    /// <summary>1 for the first saved settings, one more with every change (pausing and resuming included).</summary>
    public int Version { get; set; }

    /// <summary>True when it trades; false when paused.</summary>
    public bool IsOn { get; set; }

    /// <summary>Whether it may offer expected surplus.</summary>
    public bool Sell { get; set; }

    /// <summary>Whether it may bid for expected need.</summary>
    public bool Buy { get; set; }

    /// <summary>Lowest price it offers at, 1/10,000 of the currency per kWh.</summary>
    public long MinSellPrice { get; set; }

    /// <summary>Highest price it bids, 1/10,000 of the currency per kWh.</summary>
    public long MaxBuyPrice { get; set; }

    /// <summary>Most energy one of its orders carries, Wh.</summary>
    public long MaxEnergyWh { get; set; }

    /// <summary>First local hour (0–23) of the intervals it trades, in the household's time zone.</summary>
    public int FromHour { get; set; }

    /// <summary>End local hour (1–24, exclusive).</summary>
    public int ToHour { get; set; }

    /// <summary>It posts only for intervals that start before this, Unix seconds UTC; null: no end.</summary>
    public long? Until { get; set; }

    /// <summary>The mandate the household signed for these limits; null while paused (it was revoked).</summary>
    public byte[]? MandateId { get; set; }

    /// <summary>Unix milliseconds UTC of the last change.</summary>
    public long UpdatedAtMs { get; set; }

    /// <summary>Unix milliseconds UTC of its last posted order; every posting updates it under the version it posted by.</summary>
    public long? LastPostedAtMs { get; set; }
}

/// <summary>One saved version of a household's autopilot: the history of when it was on, paused and with which limits.</summary>
public sealed class AutopilotChangeEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    public int Version { get; set; }

    public bool IsOn { get; set; }

    public bool Sell { get; set; }

    public bool Buy { get; set; }

    public long MinSellPrice { get; set; }

    public long MaxBuyPrice { get; set; }

    public long MaxEnergyWh { get; set; }

    public int FromHour { get; set; }

    public int ToHour { get; set; }

    public long? Until { get; set; }

    /// <summary>Unix milliseconds UTC.</summary>
    public long ChangedAtMs { get; set; }

    /// <summary>Who saved it (the signed-in user's name, or "demo" for the demo's seed).</summary>
    public string ChangedBy { get; set; } = "";

    /// <summary>How many of its open orders the change cancelled.</summary>
    public int CancelledOrders { get; set; }
}

/// <summary>Why the autopilot posted the energy it did.</summary>
public enum AutopilotEnergyReason : byte
{
    /// <summary>The cautious end of the forecast band (its 10th percentile).</summary>
    CautiousEnd = 1,

    /// <summary>Capped at the household's most energy per interval.</summary>
    HouseholdLimit = 2,

    /// <summary>Capped at what the site may carry (PV peak or maximum import).</summary>
    SiteLimit = 3,
}

/// <summary>Where the autopilot's price came from.</summary>
public enum AutopilotPriceReason : byte
{
    /// <summary>Last week's median clearing price at this hour, inside the household's limit.</summary>
    Median = 1,

    /// <summary>The median was beyond the household's limit: the limit itself.</summary>
    AtLimit = 2,

    /// <summary>No clearing at this hour last week: the household's limit.</summary>
    NoHistory = 3,

    /// <summary>Moved into the community's price band.</summary>
    Band = 4,
}

/// <summary>
/// An order the autopilot posted and why: the forecast it read and how it chose energy and price. The sentence a
/// household reads is made from these facts in its own culture when shown.
/// </summary>
public sealed class AutopilotOrderEntity
{
    /// <summary>The order (also the key: one explanation per order).</summary>
    public long OrderId { get; set; }

    /// <summary>The order itself; set when posting so the order and its explanation are stored together.</summary>
    public OrderEntity? Order { get; set; }

    public long HouseholdId { get; set; }

    /// <summary>Interval start, Unix seconds UTC.</summary>
    public long IntervalStart { get; set; }

    /// <summary>The settings version it was posted under: one order per interval and version.</summary>
    public int SettingsVersion { get; set; }

    public OrderSide Side { get; set; }

    /// <summary>Expected export (offers) or import (bids) of the interval, Wh.</summary>
    public long ForecastWh { get; set; }

    /// <summary>Low end of the forecast band, Wh.</summary>
    public long BandLowWh { get; set; }

    /// <summary>High end of the forecast band, Wh.</summary>
    public long BandHighWh { get; set; }

    /// <summary>Past days the forecast was made of.</summary>
    public int ForecastDays { get; set; }

    /// <summary>Energy posted, Wh.</summary>
    public long EnergyWh { get; set; }

    public AutopilotEnergyReason EnergyReason { get; set; }

    /// <summary>Last week's median clearing price at this hour; null when there was none.</summary>
    public long? MedianPrice { get; set; }

    /// <summary>Cleared intervals the median was taken over.</summary>
    public int MedianCount { get; set; }

    /// <summary>Limit price of the order, 1/10,000 of the currency per kWh.</summary>
    public long Price { get; set; }

    public AutopilotPriceReason PriceReason { get; set; }

    /// <summary>The household's limit at the time: its lowest sell price (offers) or highest buy price (bids).</summary>
    public long HouseholdLimitPrice { get; set; }

    /// <summary>Unix milliseconds UTC.</summary>
    public long CreatedAtMs { get; set; }
}
