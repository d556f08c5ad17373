using CsCheck;
using Market.Matching.Settlement;

namespace Market.Matching.Tests;

/// <summary>Invariants of the reconciliation over random weeks: 96 intervals a day, 7 days, many households.</summary>
public sealed class SettlementPropertyTests
{
    private const int IntervalsPerWeek = 96 * 7;
    private const int Weeks = 12;

    /// <summary>A week of intervals for one community: prices, trades between random pairs, random meter readings;
    /// some households meter exactly what they traded.</summary>
    private static readonly Gen<Interval[]> Week = Gen.Int[1, 40].SelectMany(households => IntervalGen(households).Array[IntervalsPerWeek]);

    internal sealed record Interval(IntervalPrices Prices, HouseholdPosition[] Households);

    private static Gen<Interval> IntervalGen(int households) =>
        from feedIn in Gen.Long[0, 1_500]
        from retailSpread in Gen.Long[0, 3_000]
        from localShare in Gen.Int[-10, 100]
        from trades in Gen.Select(Gen.Int[0, households - 1], Gen.Int[0, households - 1], Gen.Long[1, 5_000]).Array[0, 2 * households]
        from readings in Gen.Select(Gen.Int[0, 3], Gen.Long[0, 6_000], Gen.Long[0, 6_000]).Array[households]
        select Build(feedIn, feedIn + retailSpread, localShare, trades, readings);

    private static Interval Build(long feedIn, long retail, int localShare, (int, int, long)[] trades, (int, long, long)[] readings)
    {
        long? local = trades.Length == 0 || localShare < 0 ? null : feedIn + ((retail - feedIn) * localShare / 100);
        var price = local ?? 0;
        var sold = new long[readings.Length];
        var bought = new long[readings.Length];
        var soldAmount = new long[readings.Length];
        var boughtAmount = new long[readings.Length];
        foreach (var (seller, buyer, energy) in trades)
        {
            var amount = ((energy * price) + 500) / 1000;
            sold[seller] += energy;
            soldAmount[seller] += amount;
            bought[buyer] += energy;
            boughtAmount[buyer] += amount;
        }

        var positions = new HouseholdPosition[readings.Length];
        for (var i = 0; i < readings.Length; i++)
        {
            var (shape, export, import) = readings[i];

            // Shape 0: the meter shows exactly the trades (no deviation); otherwise random readings.
            (export, import) = shape == 0 ? (sold[i], bought[i]) : (export, import);
            positions[i] = new HouseholdPosition(sold[i], bought[i], soldAmount[i], boughtAmount[i], export, import);
        }

        return new Interval(new IntervalPrices(local, retail, feedIn), positions);
    }

    private static void ForEachInterval(Action<Interval, ReconciliationResult> check) =>
        Week.Sample(
            week =>
            {
                foreach (var interval in week)
                {
                    var result = Reconciliation.Reconcile(interval.Prices, interval.Households);
                    result.IsSuccess.ShouldBeTrue();
                    check(interval, result);
                }
            },
            iter: Weeks);

    [Fact]
    public void Reconcile_RandomWeeks_PostingsSumToZeroOverAllAccounts()
    {
        ForEachInterval((interval, result) =>
        {
            var balances = new long[interval.Households.Length + 1];
            foreach (var p in result.Postings)
            {
                balances[p.Payer + 1] -= p.Amount;
                balances[p.Payee + 1] += p.Amount;
            }

            balances.Sum().ShouldBe(0);
            balances[0].ShouldBe(result.UtilityNetAmount);
            result.Households.Sum(h => h.ImbalanceNetAmount).ShouldBe(-result.UtilityNetAmount);
            for (var i = 0; i < interval.Households.Length; i++)
            {
                balances[i + 1].ShouldBe(result.Households[i].ImbalanceNetAmount);
            }
        });
    }

    [Fact]
    public void Reconcile_RandomWeeks_LocalPlusGridEqualsMetered()
    {
        ForEachInterval((interval, result) =>
        {
            foreach (var h in result.Households)
            {
                h.Import.TotalWh.ShouldBe(h.Position.ImportWh);
                h.Export.TotalWh.ShouldBe(h.Position.ExportWh);
                h.Import.LocalWh.ShouldBeGreaterThanOrEqualTo(0);
                h.Import.GridWh.ShouldBeGreaterThanOrEqualTo(0);
                h.Export.LocalWh.ShouldBeGreaterThanOrEqualTo(0);
                h.Export.GridWh.ShouldBeGreaterThanOrEqualTo(0);
            }
        });
    }

    [Fact]
    public void Reconcile_RandomWeeks_HouseholdWithoutDeviationHasNoPostings()
    {
        ForEachInterval((interval, result) =>
        {
            foreach (var h in result.Households.Where(h => h.DeviationWh == 0))
            {
                // Any() instead of Shouldly's ShouldNotContain(predicate), which compiles its expression on every call.
                result.Postings.Any(p => p.Payer == h.Household || p.Payee == h.Household).ShouldBeFalse();
                h.ImbalanceNetAmount.ShouldBe(0);
            }
        });
    }

    [Fact]
    public void Reconcile_RandomWeeks_EnergyIsConserved()
    {
        ForEachInterval((interval, result) =>
        {
            var covered = result.Households.Sum(h => h.CoveredByNeighbours.EnergyWh);
            var provided = result.Households.Sum(h => h.ProvidedToNeighbours.EnergyWh);
            covered.ShouldBe(result.NettedWh);
            provided.ShouldBe(result.NettedWh);
            (covered + result.Households.Sum(h => h.BoughtFromUtility.EnergyWh)).ShouldBe(result.ShortWh);
            (provided + result.Households.Sum(h => h.SoldToUtility.EnergyWh)).ShouldBe(result.LongWh);
            result.NettedWh.ShouldBe(interval.Prices.LocalPrice is null ? 0 : Math.Min(result.ShortWh, result.LongWh));
            foreach (var h in result.Households)
            {
                var balance = h.Position.SoldWh + h.Position.ImportWh + h.ProvidedToNeighbours.EnergyWh + h.SoldToUtility.EnergyWh;
                balance.ShouldBe(h.Position.ExportWh + h.Position.BoughtWh + h.CoveredByNeighbours.EnergyWh + h.BoughtFromUtility.EnergyWh);
                (h.DeviationWh < 0 ? h.ProvidedToNeighbours.EnergyWh + h.SoldToUtility.EnergyWh : h.CoveredByNeighbours.EnergyWh + h.BoughtFromUtility.EnergyWh).ShouldBe(0);
            }
        });
    }

    [Fact]
    public void Reconcile_RandomWeeks_SharesAreProRataWithinOneWh()
    {
        ForEachInterval((interval, result) =>
        {
            foreach (var h in result.Households)
            {
                var d = h.DeviationWh;
                var (share, total) = d < 0 ? (h.CoveredByNeighbours.EnergyWh, result.ShortWh) : (h.ProvidedToNeighbours.EnergyWh, result.LongWh);
                if (d != 0)
                {
                    var exact = (Int128)result.NettedWh * Math.Abs(d);
                    ((Int128)share * total).ShouldBeGreaterThan(exact - total);
                    ((Int128)share * total).ShouldBeLessThan(exact + total);
                }
            }
        });
    }

    [Fact]
    public void Reconcile_RandomWeeks_ImbalanceMoneyStaysWithinTheTariffs()
    {
        ForEachInterval((interval, result) =>
        {
            var (feedIn, retail) = (interval.Prices.FeedInTariff, interval.Prices.RetailPrice);
            foreach (var h in result.Households)
            {
                var postings = result.Postings.Count(p => p.Payer == h.Household || p.Payee == h.Household);
                var paid = h.CoveredByNeighbours.Amount + h.BoughtFromUtility.Amount;
                var shortWh = h.CoveredByNeighbours.EnergyWh + h.BoughtFromUtility.EnergyWh;
                var received = h.ProvidedToNeighbours.Amount + h.SoldToUtility.Amount;
                var longWh = h.ProvidedToNeighbours.EnergyWh + h.SoldToUtility.EnergyWh;

                // Each posting rounds on its own: half a minor unit each way at most.
                (1000 * (Int128)paid).ShouldBeLessThanOrEqualTo(((Int128)shortWh * retail) + (500 * postings));
                (1000 * (Int128)paid).ShouldBeGreaterThanOrEqualTo(((Int128)shortWh * feedIn) - (500 * postings));
                (1000 * (Int128)received).ShouldBeGreaterThanOrEqualTo(((Int128)longWh * feedIn) - (500 * postings));
                (1000 * (Int128)received).ShouldBeLessThanOrEqualTo(((Int128)longWh * retail) + (500 * postings));
            }

            foreach (var p in result.Postings)
            {
                var price = p.Kind switch
                {
                    PostingKind.NeighbourCover => interval.Prices.LocalPrice!.Value,
                    PostingKind.UtilityPurchase => retail,
                    _ => feedIn,
                };
                p.EnergyWh.ShouldBeGreaterThan(0);
                p.Amount.ShouldBe(((p.EnergyWh * price) + 500) / 1000);
            }
        });
    }

    [Fact]
    public void Reconcile_SameWeekTwice_GivesIdenticalPostings()
    {
        Week.Sample(
            week =>
            {
                foreach (var interval in week.Take(96))
                {
                    var first = Reconciliation.Reconcile(interval.Prices, interval.Households);
                    var second = Reconciliation.Reconcile(interval.Prices, interval.Households);
                    second.Postings.ShouldBe(first.Postings);
                    second.Households.ShouldBe(first.Households);
                }
            },
            iter: 3);
    }
}
