using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Metering;

/// <summary>How a reading would change one household's imbalance settlement of an interval (1/10,000 currency,
/// positive = the household receives).</summary>
public sealed record SettlementMove(long HouseholdId, long Before, long After)
{
    public long Change => checked(After - Before);
}

/// <summary>
/// Whose money a reading for an already reconciled interval would move, and by how much: the interval settled with
/// the readings in force, and again with the new reading in force for its household (the same code reconciliation
/// seals with, <see cref="IntervalSettlement"/>).
/// </summary>
internal static class CorrectionEffects
{
    /// <summary>For each candidate (its household and interval), the households whose settlement would change.</summary>
    public static async Task<List<IReadOnlyList<SettlementMove>>> ComputeAsync(
        MarketDbContext db, RulesBook rules, IReadOnlyList<MeterReadingEntity> candidates, CancellationToken cancellationToken)
    {
        var moves = new List<IReadOnlyList<SettlementMove>>(candidates.Count);
        var loaded = new Dictionary<long, (IntervalSettlement Interval, Dictionary<long, PartyId> Pseudonyms, Dictionary<long, long> Before)>();
        foreach (var candidate in candidates)
        {
            if (!loaded.TryGetValue(candidate.IntervalStart, out var state))
            {
                var interval = await IntervalSettlement.LoadAsync(db, rules, candidate.IntervalStart, cancellationToken);
                var households = candidates.Where(c => c.IntervalStart == candidate.IntervalStart).Select(c => c.HouseholdId);
                var pseudonyms = await interval.PseudonymsAsync(db, households, cancellationToken);
                state = (interval, pseudonyms, interval.Settle(pseudonyms).MoneyPerHousehold());
                loaded[candidate.IntervalStart] = state;
            }

            var after = state.Interval.Settle(state.Pseudonyms, candidate).MoneyPerHousehold();
            moves.Add([.. after.Keys.Union(state.Before.Keys)
                .Select(h => new SettlementMove(h, state.Before.GetValueOrDefault(h), after.GetValueOrDefault(h)))
                .Where(m => m.Change != 0)
                .OrderByDescending(m => Math.Abs(m.Change))
                .ThenBy(m => m.HouseholdId)]);
        }

        return moves;
    }

    /// <summary>The largest change of one household's settlement among <paramref name="moves"/> (0 when none).</summary>
    public static long Largest(IReadOnlyList<SettlementMove> moves) => moves.Count == 0 ? 0 : moves.Max(m => Math.Abs(m.Change));
}
