using Microsoft.AspNetCore.Identity;

namespace Market.Web.Persistence;

/// <summary>A person who signs in. Households are linked to a user; managers and operators need not be.</summary>
public sealed class MarketUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
}

/// <summary>A trading household (prosumer). Appears in the ledger only under <see cref="Pseudonym"/>.</summary>
public sealed class Household
{
    public long Id { get; set; }

    public string UserId { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>16 random bytes; the household's id in the public ledger.</summary>
    public byte[] Pseudonym { get; set; } = [];

    /// <summary>Peak PV output in W: bounds the energy one offer may carry per interval.</summary>
    public long PvPeakW { get; set; }

    /// <summary>Maximum grid import in W: bounds the energy one bid may carry per interval.</summary>
    public long MaxImportW { get; set; }

    /// <summary>IANA time zone the household sees times in.</summary>
    public string TimeZone { get; set; } = "Europe/Berlin";

    /// <summary>The id of the household's meter (1 to 64 characters, unique); null until the operator assigns one.</summary>
    public string? MeterId { get; set; }

    /// <summary>The meter id a new household gets: "MTR-" and the first six bytes of its pseudonym in hex.</summary>
    public static string DefaultMeterId(byte[] pseudonym) => "MTR-" + Convert.ToHexString(pseudonym.AsSpan(0, 6));
}

public enum OrderStatus : byte
{
    Open = 1,
    Cancelled = 2,
    Filled = 3,
    PartiallyFilled = 4,
    Unmatched = 5,
}

/// <summary>A bid or an offer for one delivery interval. <see cref="Id"/> is also the sequence number (time priority).</summary>
public sealed class OrderEntity
{
    /// <summary>A new open order as a household placed it (the id is assigned when it is stored).</summary>
    public static OrderEntity Open(long householdId, OrderSide side, long energyWh, long limitPrice, long intervalStart, long createdAtMs, long? standingOrderId = null) => new()
    {
        HouseholdId = householdId,
        Side = side,
        EnergyWh = energyWh,
        LimitPrice = limitPrice,
        IntervalStart = intervalStart,
        Status = OrderStatus.Open,
        CreatedAtMs = createdAtMs,
        StandingOrderId = standingOrderId,
    };

    public long Id { get; set; }

    public long HouseholdId { get; set; }

    public OrderSide Side { get; set; }

    public long EnergyWh { get; set; }

    /// <summary>Limit price in 1/10,000 of the currency per kWh.</summary>
    public long LimitPrice { get; set; }

    /// <summary>Interval start, Unix seconds UTC.</summary>
    public long IntervalStart { get; set; }

    public OrderStatus Status { get; set; }

    public long FilledWh { get; set; }

    /// <summary>Why the order got less than it asked, once cleared (a <c>Market.Matching.FillReason</c> name).</summary>
    public string? Outcome { get; set; }

    /// <summary>
    /// Under the grid's mechanism, the index (in the interval's network) of the line whose limit cut this order
    /// (<see cref="Outcome"/> <c>NetworkLimit</c>): its connection's envelope, its feeder or its transformer.
    /// </summary>
    public int? LimitingNode { get; set; }

    /// <summary>Under the grid's mechanism, the price of the order's zone (its connection's node) in the interval.</summary>
    public long? ZonePrice { get; set; }

    /// <summary>Unix milliseconds UTC.</summary>
    public long CreatedAtMs { get; set; }

    /// <summary>The standing order this order was made from, if any.</summary>
    public long? StandingOrderId { get; set; }

    /// <summary>
    /// The household's 16-byte nonce of the order statement (docs/ledger-format.md §3.1), used once per household
    /// (unique with the household); a fresh random one until the order's authorisation sets the household's.
    /// </summary>
    public byte[] Nonce { get; set; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);

    /// <summary>
    /// The encoded authorisation tail of the order leaf: the household key's signature with its submission path, or
    /// the mandate it was made under. Empty for an unsigned order (order leaf v1).
    /// </summary>
    public byte[] Authorization { get; set; } = [];

    /// <summary>SHA-256 of the order statement; empty for an unsigned order.</summary>
    public byte[] StatementHash { get; set; } = [];
}

/// <summary>A settled trade; its canonical bytes are a leaf of a clearing block.</summary>
public sealed class TradeEntity
{
    /// <summary>Global, 1-based, consecutive over the ledger (not a database identity).</summary>
    public long Id { get; set; }

    public long IntervalStart { get; set; }

    public long BlockHeight { get; set; }

    public int LeafIndex { get; set; }

    public long BuyOrderId { get; set; }

    public long SellOrderId { get; set; }

    public long BuyerHouseholdId { get; set; }

    public long SellerHouseholdId { get; set; }

    public long EnergyWh { get; set; }

    /// <summary>The buyer's price (under the grid's mechanism, the buyer's zone price).</summary>
    public long Price { get; set; }

    /// <summary>What the buyer pays, in 1/10,000 of the currency.</summary>
    public long Amount { get; set; }

    /// <summary>The seller's price: the buyer's, except under the grid's mechanism (the seller's zone price).</summary>
    public long SellPrice { get; set; }

    /// <summary>What the seller receives; <see cref="Amount"/> less it goes to the network operator (fees and congestion rent).</summary>
    public long SellAmount { get; set; }

    /// <summary>The network fee per kWh of the trade's path (0 outside the grid's mechanism).</summary>
    public long FeePrice { get; set; }

    /// <summary>Index of the nearest node both sides hang under (the grid's mechanism only).</summary>
    public int? MeetNode { get; set; }
}

/// <summary>One side of a double-entry posting; the postings of a trade sum to zero.</summary>
public sealed class PostingEntity
{
    /// <summary>The account of the network operator, who receives network fees and congestion rent (no household has it).</summary>
    public const long NetworkOperatorAccount = 0;

    public long Id { get; set; }

    public long TradeId { get; set; }

    /// <summary>The household, or <see cref="NetworkOperatorAccount"/>.</summary>
    public long HouseholdId { get; set; }

    /// <summary>Money in 1/10,000 of the currency: positive = received.</summary>
    public long Amount { get; set; }
}

/// <summary>A sealed, signed ledger block exactly as published.</summary>
public sealed class BlockEntity
{
    public long Height { get; set; }

    public byte Kind { get; set; }

    /// <summary>Interval start (Unix seconds) for interval blocks; null for others.</summary>
    public long? IntervalStart { get; set; }

    public byte[] Header { get; set; } = [];

    public byte[] HeaderHash { get; set; } = [];

    public byte[] Signature { get; set; } = [];

    public int LeafCount { get; set; }

    public long SealedAtMs { get; set; }
}

/// <summary>A leaf of a block (canonical order, trade or record bytes), in block order.</summary>
public sealed class BlockLeafEntity
{
    public long BlockHeight { get; set; }

    public int Index { get; set; }

    public byte[] Data { get; set; } = [];
}

/// <summary>The outcome of clearing one interval, for dashboards and the market page.</summary>
public sealed class ClearedIntervalEntity
{
    /// <summary>Interval start, Unix seconds UTC.</summary>
    public long IntervalStart { get; set; }

    public long IntervalEnd { get; set; }

    /// <summary>Uniform clearing price; null with no trade or under pay-as-bid.</summary>
    public long? Price { get; set; }

    public long VolumeWh { get; set; }

    public int TradeCount { get; set; }

    public int BidCount { get; set; }

    public int OfferCount { get; set; }

    /// <summary>Energy asked for by all bids in the book at gate closure, Wh.</summary>
    public long DemandWh { get; set; }

    /// <summary>Energy offered by all offers in the book at gate closure, Wh.</summary>
    public long SupplyWh { get; set; }

    /// <summary>Households with at least one order in the book.</summary>
    public int ActiveHouseholds { get; set; }

    public byte Mechanism { get; set; }

    public long OrderBookHeight { get; set; }

    public long ClearingHeight { get; set; }

    /// <summary>Under the grid's mechanism: the height of the network block in force.</summary>
    public long? NetworkHeight { get; set; }

    /// <summary>Under the grid's mechanism: the height of the interval's grid-limits block.</summary>
    public long? LimitsHeight { get; set; }
}

/// <summary>A personal access token for the API. Only a SHA-256 hash of the secret is stored.</summary>
public sealed class ApiTokenEntity
{
    public long Id { get; set; }

    public string UserId { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>SHA-256 of the full token string.</summary>
    public byte[] SecretHash { get; set; } = [];

    /// <summary>The first characters of the token, shown so a user can tell tokens apart.</summary>
    public string Prefix { get; set; } = "";

    public long CreatedAtMs { get; set; }

    public long? LastUsedAtMs { get; set; }

    public long? RevokedAtMs { get; set; }
}

/// <summary>Remembers an <c>Idempotency-Key</c> so a retried POST returns the first result instead of a second order.</summary>
public sealed class IdempotencyEntity
{
    public long Id { get; set; }

    public string UserId { get; set; } = "";

    public string Key { get; set; } = "";

    /// <summary>SHA-256 of the request body: the same key with another body is an error, not a replay.</summary>
    public byte[] RequestHash { get; set; } = [];

    public long OrderId { get; set; }

    public long CreatedAtMs { get; set; }
}

/// <summary>"Set and forget": becomes an ordinary order for every matching interval until changed or stopped.</summary>
public sealed class StandingOrderEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    public OrderSide Side { get; set; }

    public long EnergyWh { get; set; }

    public long LimitPrice { get; set; }

    /// <summary>Days of the week it applies to, bit 0 = Sunday … bit 6 = Saturday (household's time zone).</summary>
    public int DaysMask { get; set; }

    /// <summary>First local hour (0–23) whose intervals it applies to.</summary>
    public int FromHour { get; set; }

    /// <summary>Local hour (1–24) at which it stops applying (exclusive).</summary>
    public int ToHour { get; set; }

    public bool Active { get; set; } = true;

    /// <summary>Orders exist for every matching interval that starts before this (Unix s).</summary>
    public long MaterializedUntil { get; set; }

    /// <summary>The mandate the household signed for it; its orders are made under it.</summary>
    public byte[]? MandateId { get; set; }

    public long CreatedAtMs { get; set; }
}

/// <summary>A signed checkpoint of the ledger-wide tree (leaves = header hashes), as published.</summary>
public sealed class CheckpointEntity
{
    /// <summary>Number of blocks covered.</summary>
    public long Size { get; set; }

    public byte[] Root { get; set; } = [];

    public long TimestampMs { get; set; }

    public byte[] KeyId { get; set; } = [];

    public byte[] Signature { get; set; } = [];
}

/// <summary>Who sealed a rules change, and when (the change itself is the rules block at <see cref="Height"/>).</summary>
public sealed class RulesChangeEntity
{
    public long Height { get; set; }

    public string UserId { get; set; } = "";

    public string UserName { get; set; } = "";

    public long CreatedAtMs { get; set; }
}

/// <summary>
/// One version of a household's meter reading for one interval. Rows are never changed: a correction is the next
/// <see cref="Version"/> (1, 2, …) and the latest version is the one in force.
/// </summary>
public sealed class MeterReadingEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    /// <summary>The meter id as uploaded; part of the reading's hash in the ledger.</summary>
    public string MeterId { get; set; } = "";

    /// <summary>Interval start, Unix seconds UTC.</summary>
    public long IntervalStart { get; set; }

    public int Version { get; set; }

    /// <summary>Metered import from the grid in the interval, Wh.</summary>
    public long ImportWh { get; set; }

    /// <summary>Metered export to the grid in the interval, Wh.</summary>
    public long ExportWh { get; set; }

    /// <summary>Unix milliseconds UTC.</summary>
    public long ReceivedAtMs { get; set; }

    /// <summary>Where the reading came from: "csv" or "api", and who sent it.</summary>
    public string Source { get; set; } = "";
}

/// <summary>One sealed reconciliation of an interval (version 1, then one more per correction).</summary>
public sealed class ReconciliationEntity
{
    public long Id { get; set; }

    public long IntervalStart { get; set; }

    public int Version { get; set; }

    public long BlockHeight { get; set; }

    /// <summary>The highest reading id of the interval this version used: a newer reading means a new version is due.</summary>
    public long LastReadingId { get; set; }

    public int HouseholdCount { get; set; }

    public long SealedAtMs { get; set; }
}

/// <summary>
/// The opening of one household's commitment in a reconciliation block: the salt (32 bytes from a CSPRNG, one per
/// household, interval and version) and the settlement record it commits to (<c>Market.Ledger.HouseholdSettlement</c>),
/// exactly the bytes the commitment covers. Private: the household gets its own, an auditor those of a range.
/// </summary>
public sealed class ReconciliationOpeningEntity
{
    public long Id { get; set; }

    public long IntervalStart { get; set; }

    /// <summary>The reconciliation version whose block holds the commitment.</summary>
    public int Version { get; set; }

    public long HouseholdId { get; set; }

    public byte[] Salt { get; set; } = [];

    public byte[] Record { get; set; } = [];
}

/// <summary>
/// One side of a double-entry imbalance posting from a reconciliation. Both sides of every posting are stored, so the
/// rows of each version sum to zero; a new version first reverses the previous version's rows (<see cref="Reversal"/>),
/// so the sum of all rows of an interval is what its latest version settles.
/// </summary>
public sealed class ImbalancePostingEntity
{
    public long Id { get; set; }

    public long IntervalStart { get; set; }

    /// <summary>The reconciliation version that wrote the row.</summary>
    public int Version { get; set; }

    /// <summary>The household the row books on; null for the utility.</summary>
    public long? HouseholdId { get; set; }

    /// <summary>The other side of the posting; null for the utility.</summary>
    public long? CounterpartyHouseholdId { get; set; }

    /// <summary>A <c>Market.Matching.Settlement.PostingKind</c>.</summary>
    public byte Kind { get; set; }

    /// <summary>Energy in Wh: positive = received by <see cref="HouseholdId"/>.</summary>
    public long EnergyWh { get; set; }

    /// <summary>Money in 1/10,000 of the currency: positive = received.</summary>
    public long Amount { get; set; }

    /// <summary>Whether the row cancels a row of the previous version.</summary>
    public bool Reversal { get; set; }
}

/// <summary>
/// A household's meter assigned to a meter gateway's account: a gateway's readings are accepted only for the meters
/// assigned to it (operators may send any). A meter is read through at most one gateway.
/// </summary>
public sealed class MeterGatewayMeterEntity
{
    public long Id { get; set; }

    /// <summary>The gateway's user (role MeterGateway).</summary>
    public string GatewayUserId { get; set; } = "";

    /// <summary>The household whose meter (<see cref="Household.MeterId"/>) the gateway reads.</summary>
    public long HouseholdId { get; set; }

    /// <summary>The operator who assigned it (user name).</summary>
    public string AssignedBy { get; set; } = "";

    /// <summary>Unix milliseconds UTC.</summary>
    public long AssignedAtMs { get; set; }
}

/// <summary>
/// A correction that would move a household's settlement by more than <c>Metering:ConfirmCorrectionsAbove</c>: held
/// here, not in <see cref="MeterReadingEntity"/>, until an operator confirms it (then it becomes the next reading
/// version and is sealed) or rejects it. Rows are never changed; the outcome is a <see cref="CorrectionDecisionEntity"/>.
/// </summary>
public sealed class PendingCorrectionEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    /// <summary>The meter id as uploaded.</summary>
    public string MeterId { get; set; } = "";

    /// <summary>Interval start, Unix seconds UTC.</summary>
    public long IntervalStart { get; set; }

    /// <summary>Metered import, Wh.</summary>
    public long ImportWh { get; set; }

    /// <summary>Metered export, Wh.</summary>
    public long ExportWh { get; set; }

    /// <summary>The reading version in force when it arrived (0: the household had none).</summary>
    public int ReplacesVersion { get; set; }

    /// <summary>The largest change of one household's settlement it would have made when it arrived, 1/10,000 currency.</summary>
    public long LargestMove { get; set; }

    /// <summary>Unix milliseconds UTC.</summary>
    public long ReceivedAtMs { get; set; }

    /// <summary>Where it came from, as <see cref="MeterReadingEntity.Source"/>.</summary>
    public string Source { get; set; } = "";
}

public enum CorrectionDecision : byte
{
    /// <summary>An operator confirmed it: it was stored as the next reading version and sealed.</summary>
    Confirmed = 1,

    /// <summary>An operator rejected it, with a reason: it is never sealed.</summary>
    Rejected = 2,

    /// <summary>A later reading of the same meter and interval replaced it before anyone decided: it is never sealed.</summary>
    Superseded = 3,
}

/// <summary>
/// What became of a pending correction, and who decided: one row per correction (the key), so a correction is
/// decided once, whoever clicks twice. Append-only, the database's audit trail of confirmations and rejections.
/// </summary>
public sealed class CorrectionDecisionEntity
{
    public long PendingCorrectionId { get; set; }

    public CorrectionDecision Decision { get; set; }

    /// <summary>The operator's user id; empty when an upload superseded it.</summary>
    public string UserId { get; set; } = "";

    /// <summary>The operator's user name, or the source of the superseding upload.</summary>
    public string UserName { get; set; } = "";

    /// <summary>Why it was rejected (required then), or what superseded it.</summary>
    public string? Reason { get; set; }

    /// <summary>The reading row a confirmation stored.</summary>
    public long? ReadingId { get; set; }

    /// <summary>Unix milliseconds UTC.</summary>
    public long DecidedAtMs { get; set; }
}

/// <summary>
/// A witness's cosignature of one checkpoint (C2SP tlog-cosignature v1, Ed25519), as the witness returned it and
/// after it was verified against the witness's key in the sealed policy. Served with the checkpoint's signed note.
/// </summary>
public sealed class CosignatureEntity
{
    /// <summary>The checkpoint's size (blocks covered).</summary>
    public long Size { get; set; }

    /// <summary>The witness's name in the sealed policy.</summary>
    public string Witness { get; set; } = "";

    /// <summary>The note key name the signature line carries (the witness's key name).</summary>
    public string KeyName { get; set; } = "";

    /// <summary>The signature line's 4-byte key id.</summary>
    public long KeyId { get; set; }

    /// <summary>The 72 bytes after the key id: the u64 timestamp and the Ed25519 signature.</summary>
    public byte[] Signature { get; set; } = [];

    /// <summary>The witness's timestamp, Unix seconds.</summary>
    public long Timestamp { get; set; }

    /// <summary>When the market received it, Unix milliseconds.</summary>
    public long ReceivedAtMs { get; set; }
}

/// <summary>What the market knows of one witness: the size it last cosigned and how the last attempt went.</summary>
public sealed class WitnessProgressEntity
{
    /// <summary>The witness's name in the sealed policy.</summary>
    public string Witness { get; set; } = "";

    /// <summary>The largest size it cosigned for this ledger (or told us it holds, in a 409).</summary>
    public long Size { get; set; }

    public long? LastSuccessMs { get; set; }

    public long? LastAttemptMs { get; set; }

    /// <summary>Why the last attempt failed, for the operator; null after a success.</summary>
    public string? LastError { get; set; }
}
