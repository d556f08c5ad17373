using System.Globalization;
using Market.Ledger;
using Market.Matching.Settlement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Trading;

/// <summary>A manager's proposed change of the community's rules.</summary>
/// <remarks>The network fees (1/10,000 currency per kWh) apply under <see cref="Market.Matching.Mechanism.GridZonal"/> only.</remarks>
public sealed record RulesChange(
    int IntervalMinutes,
    int GateClosureMinutes,
    long PriceFloor,
    long PriceCeiling,
    Market.Matching.Mechanism Mechanism,
    long EffectiveFrom,
    long SameFeederFee = 0,
    long SameTransformerFee = 0,
    long AcrossTransformersFee = 0);

/// <summary>One of the rules a change can change.</summary>
public enum RuleField
{
    IntervalLength,
    GateClosure,
    PriceFloor,
    PriceCeiling,
    Mechanism,
    SameFeederFee,
    SameTransformerFee,
    AcrossTransformersFee,
}

/// <summary>
/// One rule a change changes: its value in force and the proposed one (minutes for the interval and the gate,
/// 1/10,000 currency per kWh for the band, the <see cref="Market.Matching.Mechanism"/> number for the mechanism).
/// </summary>
public sealed record RuleDifference(RuleField Field, long InForce, long Proposed);

/// <summary>A sealed rules record with who changed it.</summary>
public sealed record RulesEntry(long Height, long SealedAtMs, RulesRecord Rules, string? ChangedBy);

/// <summary>
/// Changes the community's rules as signed ledger entries. A change applies from a whole hour beyond the order
/// horizon, so no order already accepted (or made by a standing order) is cleared under rules it was not placed under.
/// </summary>
public sealed class RulesService(
    IDbContextFactory<MarketDbContext> dbFactory,
    LedgerWriter ledger,
    LedgerGate gate,
    RulesBook rules,
    MarketClock clock,
    IOptions<CommunityOptions> options)
{
    public static readonly int[] IntervalChoices = [5, 15, 30, 60];

    /// <summary>The earliest moment a change may apply from: the first whole hour after the order horizon.</summary>
    public long EarliestEffectiveFrom()
    {
        var horizon = clock.NowSeconds + (options.Value.HorizonHours * 3600L);
        var latest = rules.Latest.EffectiveFrom;
        var from = Math.Max(horizon, latest + 1);
        return from + ((3600 - (from % 3600)) % 3600);
    }

    /// <summary>
    /// The rules a change would change against <paramref name="inForce"/>, in the order the page lists them; empty when
    /// it changes nothing. The effective time is not a rule: the same rules from a later hour change nothing.
    /// </summary>
    public static IReadOnlyList<RuleDifference> Differences(RulesRecord inForce, RulesChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var all = new RuleDifference[]
        {
            new(RuleField.IntervalLength, inForce.IntervalLengthSeconds / 60, change.IntervalMinutes),
            new(RuleField.GateClosure, inForce.GateClosureLeadSeconds / 60, change.GateClosureMinutes),
            new(RuleField.PriceFloor, inForce.PriceFloor, change.PriceFloor),
            new(RuleField.PriceCeiling, inForce.PriceCeiling, change.PriceCeiling),
            new(RuleField.Mechanism, inForce.Mechanism, (long)change.Mechanism),
            new(RuleField.SameFeederFee, inForce.SameFeederFee, change.SameFeederFee),
            new(RuleField.SameTransformerFee, inForce.SameTransformerFee, change.SameTransformerFee),
            new(RuleField.AcrossTransformersFee, inForce.AcrossTransformersFee, change.AcrossTransformersFee),
        };
        return [.. all.Where(d => d.InForce != d.Proposed)];
    }

    /// <summary>
    /// The rules a change is compared with: the newest sealed rules, which apply up to the change's hour (a change
    /// applies after every one sealed before it; <see cref="EarliestEffectiveFrom"/>).
    /// </summary>
    public RulesRecord InForceBefore() => rules.Latest;

    /// <summary>What the service answers to a change that changes nothing.</summary>
    public const string NothingChanged = "This change changes nothing: every rule is the same as the rules in force. Nothing was sealed.";

    /// <summary>
    /// Validates and seals a change; returns the problem, or null on success. A change that changes no rule is refused
    /// (<see cref="NothingChanged"/>) and seals nothing: a ledger entry is permanent and one that changes nothing only
    /// hides the ones that do.
    /// </summary>
    public async Task<string?> ChangeAsync(string userId, string userName, RulesChange change, CancellationToken cancellationToken = default)
    {
        if (Validate(change) is { } problem)
        {
            return problem;
        }

        return await gate.SealAsync(async () =>
        {
            // Again under the gate: another manager's change may have been sealed since the check above.
            if (Differences(rules.Latest, change).Count == 0)
            {
                return NothingChanged;
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LedgerLock.AcquireAsync(db, cancellationToken);
            var record = new RulesRecord(
                rules.Latest.RulesVersion + 1,
                (byte)change.Mechanism,
                change.IntervalMinutes * 60,
                change.GateClosureMinutes * 60,
                change.PriceFloor,
                change.PriceCeiling,
                change.EffectiveFrom)
            {
                SameFeederFee = change.SameFeederFee,
                SameTransformerFee = change.SameTransformerFee,
                AcrossTransformersFee = change.AcrossTransformersFee,
            };
            var tip = await LedgerWriter.TipAsync(db, cancellationToken);
            var block = BlockSealer.SealRules(tip, await ledger.SigningKeyAsync(db, cancellationToken), record, clock.Now);
            LedgerWriter.Add(db, block);
            db.RulesChanges.Add(new RulesChangeEntity { Height = block.Header.Height, UserId = userId, UserName = userName, CreatedAtMs = clock.Now.ToUnixTimeMilliseconds() });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            rules.Add(record);
            return (string?)null;
        }, cancellationToken);
    }

    /// <summary>
    /// The problem with a change, or null when it can be sealed: its rules must be valid, it must apply from a whole
    /// hour beyond the order horizon, and it must change at least one rule (<see cref="NothingChanged"/>).
    /// </summary>
    public string? Validate(RulesChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!IntervalChoices.Contains(change.IntervalMinutes))
        {
            return "The interval length must be 5, 15, 30 or 60 minutes.";
        }

        if (change.GateClosureMinutes is < 0 or > 1440)
        {
            return "Gate closure must be between 0 and 1,440 minutes before the interval.";
        }

        if (change.PriceFloor < 0 || change.PriceCeiling < change.PriceFloor)
        {
            return "The price floor must be at least 0 and not above the ceiling.";
        }

        if (change.PriceCeiling > Reconciliation.MaxPrice)
        {
            // Settlement (and every verifier's check of it) takes prices up to this bound; a band beyond it would
            // leave the intervals it clears unsettleable.
            return string.Create(CultureInfo.InvariantCulture,
                $"The price ceiling can be at most {Reconciliation.MaxPrice / 10_000:N0} per kWh.");
        }

        if (change.Mechanism is not (Market.Matching.Mechanism.UniformPrice or Market.Matching.Mechanism.PayAsBid or Market.Matching.Mechanism.GridZonal))
        {
            return "Choose uniform price, pay-as-bid or zonal prices under the grid's limits.";
        }

        if (change.Mechanism != Market.Matching.Mechanism.GridZonal && (change.SameFeederFee | change.SameTransformerFee | change.AcrossTransformersFee) != 0)
        {
            return "Network fees apply only with zonal prices under the grid's limits; set them to 0 or choose that mechanism.";
        }

        if (change.SameFeederFee < 0 || change.SameTransformerFee < change.SameFeederFee || change.AcrossTransformersFee < change.SameTransformerFee
            || change.AcrossTransformersFee > RulesRecord.MaxFee)
        {
            return "Network fees are at least 0 and never fall with distance: same feeder ≤ same transformer ≤ across transformers.";
        }

        if (change.EffectiveFrom % 3600 != 0 || change.EffectiveFrom < EarliestEffectiveFrom())
        {
            return "A change applies from a whole hour beyond the order horizon, so no accepted order is affected.";
        }

        if (Differences(rules.Latest, change).Count == 0)
        {
            return NothingChanged;
        }

        return null;
    }

    /// <summary>Every sealed rules record, newest first, with the manager who sealed it (none for the genesis rules).</summary>
    public async Task<IReadOnlyList<RulesEntry>> HistoryAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Blocks.AsNoTracking()
            .Where(b => b.Kind == (byte)BlockKind.Rules)
            .Join(db.BlockLeaves, b => b.Height, l => l.BlockHeight, (b, l) => new { b.Height, b.SealedAtMs, l.Data })
            .OrderByDescending(x => x.Height)
            .ToListAsync(cancellationToken);
        var who = await db.RulesChanges.AsNoTracking().ToDictionaryAsync(c => c.Height, c => c.UserName, cancellationToken);
        return rows.Select(r => new RulesEntry(r.Height, r.SealedAtMs, RulesRecord.Decode(r.Data), who.GetValueOrDefault(r.Height))).ToList();
    }
}
