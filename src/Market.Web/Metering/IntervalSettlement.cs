using Market.Ledger;
using Market.Matching;
using Market.Matching.Settlement;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Metering;

/// <summary>A household's traded position in an interval: energy in Wh, money in 1/10,000 of the currency.</summary>
internal readonly record struct TradedPosition(long Sold, long Bought, long SoldAmount, long BoughtAmount);

/// <summary>
/// What an interval's reconciliation starts from, as the database holds it now: each household's traded position,
/// the reading version in force per household and the prices (docs/settlement.md). Reconciliation seals
/// <see cref="Settle"/>'s result; the correction check settles it twice, with and without a new reading, to see
/// whose money it would move.
/// </summary>
internal sealed class IntervalSettlement
{
    private IntervalSettlement(long start, BlockHeader clearingHeader, long? localPrice, IntervalPrices prices,
        Dictionary<long, TradedPosition> positions, Dictionary<long, MeterReadingEntity> readings, long lastReadingId)
    {
        Start = start;
        ClearingHeader = clearingHeader;
        LocalPrice = localPrice;
        Prices = prices;
        Positions = positions;
        Readings = readings;
        LastReadingId = lastReadingId;
    }

    public long Start { get; }

    public BlockHeader ClearingHeader { get; }

    public long? LocalPrice { get; }

    public IntervalPrices Prices { get; }

    public IReadOnlyDictionary<long, TradedPosition> Positions { get; }

    /// <summary>The latest reading version of each household that has one.</summary>
    public IReadOnlyDictionary<long, MeterReadingEntity> Readings { get; }

    /// <summary>The highest reading id of the interval (0 without readings).</summary>
    public long LastReadingId { get; }

    /// <summary>Households that traded and have no reading: the interval cannot be reconciled yet.</summary>
    public int MissingReadings => Positions.Keys.Count(h => !Readings.ContainsKey(h));

    /// <summary>Loads a cleared interval.</summary>
    public static async Task<IntervalSettlement> LoadAsync(MarketDbContext db, RulesBook rules, long start, CancellationToken cancellationToken)
    {
        var all = await db.MeterReadings.AsNoTracking().Where(r => r.IntervalStart == start).ToListAsync(cancellationToken);
        var readings = all.GroupBy(r => r.HouseholdId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Version)!);
        var trades = await db.Trades.AsNoTracking()
            .Where(t => t.IntervalStart == start)
            .Select(t => new { t.BuyerHouseholdId, t.SellerHouseholdId, t.EnergyWh, t.Amount, t.SellAmount, t.Price })
            .ToListAsync(cancellationToken);
        var positions = new Dictionary<long, TradedPosition>();
        foreach (var t in trades)
        {
            var seller = positions.GetValueOrDefault(t.SellerHouseholdId);
            positions[t.SellerHouseholdId] = seller with { Sold = checked(seller.Sold + t.EnergyWh), SoldAmount = checked(seller.SoldAmount + t.SellAmount) };
            var buyer = positions.GetValueOrDefault(t.BuyerHouseholdId);
            positions[t.BuyerHouseholdId] = buyer with { Bought = checked(buyer.Bought + t.EnergyWh), BoughtAmount = checked(buyer.BoughtAmount + t.Amount) };
        }

        var clearingHeader = BlockHeader.Decode(await db.Blocks.AsNoTracking()
            .Where(b => b.IntervalStart == start && b.Kind == (byte)BlockKind.Clearing)
            .Select(b => b.Header)
            .SingleAsync(cancellationToken));
        var inEffect = rules.At(start);
        long? localPrice = trades.Count == 0 ? null
            : clearingHeader.Mechanism == (byte)Mechanism.UniformPrice ? trades[0].Price
            : (trades.Min(t => t.Price) + trades.Max(t => t.Price)) / 2;
        var prices = new IntervalPrices(localPrice, inEffect.PriceCeiling, inEffect.PriceFloor);
        return new IntervalSettlement(start, clearingHeader, localPrice, prices, positions, readings, all.Count == 0 ? 0 : all.Max(r => r.Id));
    }

    /// <summary>The ledger pseudonyms of the households with a reading, and of <paramref name="more"/>.</summary>
    public async Task<Dictionary<long, PartyId>> PseudonymsAsync(MarketDbContext db, IEnumerable<long> more, CancellationToken cancellationToken)
    {
        var ids = Readings.Keys.Concat(more).Distinct().ToList();
        return await db.Households.AsNoTracking()
            .Where(h => ids.Contains(h.Id))
            .Select(h => new { h.Id, h.Pseudonym })
            .ToDictionaryAsync(h => h.Id, h => PartyId.FromBytes(h.Pseudonym), cancellationToken);
    }

    /// <summary>
    /// Settles the interval under the rules with the readings in force, or with <paramref name="replace"/> in force for
    /// its household. Households are in the ledger's order (by pseudonym).
    /// </summary>
    public Settled Settle(IReadOnlyDictionary<long, PartyId> pseudonyms, MeterReadingEntity? replace = null)
    {
        var readings = new Dictionary<long, MeterReadingEntity>(Readings);
        if (replace is not null)
        {
            readings[replace.HouseholdId] = replace;
        }

        var households = readings.Keys.OrderBy(id => pseudonyms[id].High).ThenBy(id => pseudonyms[id].Low).ToArray();
        var input = new HouseholdPosition[households.Length];
        for (var i = 0; i < households.Length; i++)
        {
            var p = Positions.GetValueOrDefault(households[i]);
            var r = readings[households[i]];
            input[i] = new HouseholdPosition(p.Sold, p.Bought, p.SoldAmount, p.BoughtAmount, r.ExportWh, r.ImportWh);
        }

        var result = Reconciliation.Reconcile(Prices, input);
        if (!result.IsSuccess)
        {
            // Readings and trades were validated on the way in: a rejection is a bug or corrupted data.
            throw new InvalidOperationException($"Reconciling interval {Start} was rejected: {result.Rejection}");
        }

        return new Settled(households, [.. households.Select(h => readings[h])], input, result);
    }
}

/// <summary>One settlement of an interval: households in ledger order, the reading and position each was settled
/// with, and the result.</summary>
internal sealed record Settled(long[] Households, MeterReadingEntity[] Readings, HouseholdPosition[] Input, ReconciliationResult Result)
{
    /// <summary>What each household receives (positive) or pays (negative) in imbalance postings, 1/10,000 currency.</summary>
    public Dictionary<long, long> MoneyPerHousehold()
    {
        var money = Households.ToDictionary(h => h, _ => 0L);
        foreach (var p in Result.Postings)
        {
            if (p.Payer != ImbalancePosting.Utility)
            {
                money[Households[p.Payer]] = checked(money[Households[p.Payer]] - p.Amount);
            }

            if (p.Payee != ImbalancePosting.Utility)
            {
                money[Households[p.Payee]] = checked(money[Households[p.Payee]] + p.Amount);
            }
        }

        return money;
    }
}
