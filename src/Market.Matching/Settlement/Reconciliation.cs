using System.Collections.Immutable;

namespace Market.Matching.Settlement;

/// <summary>
/// Reconciles one delivery interval after the meter readings are in (rules in docs/settlement.md). Each household's
/// deviation is <c>d = (export − import) − (sold − bought)</c>. Shortfalls (d &lt; 0) are first covered by
/// surpluses (d &gt; 0) at the local price, pro rata on both sides; the residual shortfall is bought from the utility
/// at retail and the residual surplus goes to the utility at the feed-in tariff. Pure and deterministic: integer
/// arithmetic only, exact largest-remainder splits with ties to the lower input position.
/// </summary>
public static class Reconciliation
{
    /// <summary>The version of these rules; a change that can change a result gets a new version.</summary>
    public const ushort RulesVersion = 1;

    /// <summary>Largest energy or trade amount per household and interval accepted (Wh, resp. 1/10,000 currency).</summary>
    public const long MaxEnergyWh = 100_000_000_000;

    /// <summary>Largest price accepted, 1/10,000 of the currency per kWh.</summary>
    public const long MaxPrice = 100_000_000;

    /// <summary>Largest number of households in one interval.</summary>
    public const int MaxHouseholds = 1_000_000;

    /// <summary>Reconciles one interval.</summary>
    /// <param name="prices">Local price (null: no netting), retail price and feed-in tariff.</param>
    /// <param name="households">The households, each with its trades and meter reading; their positions are their account numbers.</param>
    /// <returns>The reconciliation, or a rejection naming the first invalid input.</returns>
    [System.Diagnostics.Contracts.Pure]
    public static ReconciliationResult Reconcile(IntervalPrices prices, ReadOnlySpan<HouseholdPosition> households)
    {
        var rejection = Validate(prices, households);
        if (rejection is not null)
        {
            return ReconciliationResult.Rejected(prices, rejection);
        }

        var n = households.Length;
        var shorts = new long[n];
        var longs = new long[n];
        long shortTotal = 0, longTotal = 0;
        for (var i = 0; i < n; i++)
        {
            var d = households[i].DeviationWh;
            if (d < 0)
            {
                shorts[i] = -d;
                shortTotal += -d;
            }
            else
            {
                longs[i] = d;
                longTotal += d;
            }
        }

        var netted = prices.LocalPrice is null ? 0 : Math.Min(shortTotal, longTotal);
        var covered = NettingShares.SplitProRata(netted, shorts, shortTotal);
        var provided = NettingShares.SplitProRata(netted, longs, longTotal);

        var postings = ImmutableArray.CreateBuilder<ImbalancePosting>();
        var coverAmount = new long[n];
        var provideAmount = new long[n];
        var local = prices.LocalPrice.GetValueOrDefault();

        // The pairing only decides who books against whom; every household's energy is fixed by the split above.
        NettingShares.PairNorthWest(covered, provided, (i, j, x) =>
        {
            var amount = Amount(x, local);
            postings.Add(new ImbalancePosting(i, j, PostingKind.NeighbourCover, x, amount));
            coverAmount[i] += amount;
            provideAmount[j] += amount;
        });

        var result = ImmutableArray.CreateBuilder<HouseholdReconciliation>(n);
        for (var i = 0; i < n; i++)
        {
            var position = households[i];
            var fromUtility = shorts[i] - covered[i];
            var toUtility = longs[i] - provided[i];
            var purchase = Amount(fromUtility, prices.RetailPrice);
            var feedIn = Amount(toUtility, prices.FeedInTariff);
            if (fromUtility > 0)
            {
                postings.Add(new ImbalancePosting(i, ImbalancePosting.Utility, PostingKind.UtilityPurchase, fromUtility, purchase));
            }

            if (toUtility > 0)
            {
                postings.Add(new ImbalancePosting(ImbalancePosting.Utility, i, PostingKind.UtilityFeedIn, toUtility, feedIn));
            }

            result.Add(HouseholdReconciliation.FromSettled(
                i,
                position,
                prices,
                new EnergyAmount(covered[i], coverAmount[i]),
                new EnergyAmount(fromUtility, purchase),
                new EnergyAmount(provided[i], provideAmount[i]),
                new EnergyAmount(toUtility, feedIn)));
        }

        return new ReconciliationResult(prices, null, result.MoveToImmutable(), postings.ToImmutable(), shortTotal, longTotal, netted);
    }

    internal static long Amount(long energyWh, long price) =>
        AmountRule.TryAmount(energyWh, price, out var amount) ? amount : throw new OverflowException("amount beyond 64 bits");

    private static ReconciliationRejection? Validate(IntervalPrices prices, ReadOnlySpan<HouseholdPosition> households)
    {
        if (prices.RetailPrice is < 0 or > MaxPrice || prices.FeedInTariff is < 0 or > MaxPrice || prices.FeedInTariff > prices.RetailPrice)
        {
            return new ReconciliationRejection(null, ReconciliationRejectionCode.InvalidPrices,
                $"retail price and feed-in tariff must lie in 0..{MaxPrice} with feed-in <= retail");
        }

        if (prices.LocalPrice is { } local && (local < prices.FeedInTariff || local > prices.RetailPrice))
        {
            return new ReconciliationRejection(null, ReconciliationRejectionCode.LocalPriceOutsideTariffs,
                $"local price {local} outside [{prices.FeedInTariff}, {prices.RetailPrice}]");
        }

        if (households.Length > MaxHouseholds)
        {
            return new ReconciliationRejection(null, ReconciliationRejectionCode.TooManyHouseholds, $"at most {MaxHouseholds} households per interval");
        }

        for (var i = 0; i < households.Length; i++)
        {
            var h = households[i];
            if (h.SoldWh is < 0 or > MaxEnergyWh || h.BoughtWh is < 0 or > MaxEnergyWh || h.ExportWh is < 0 or > MaxEnergyWh
                || h.ImportWh is < 0 or > MaxEnergyWh || h.SoldAmount is < 0 or > MaxEnergyWh || h.BoughtAmount is < 0 or > MaxEnergyWh)
            {
                return new ReconciliationRejection(i, ReconciliationRejectionCode.InvalidPosition,
                    $"household {i}: energies and amounts must lie in 0..{MaxEnergyWh}");
            }
        }

        return null;
    }
}
