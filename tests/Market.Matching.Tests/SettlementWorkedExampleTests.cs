using Market.Matching.Settlement;

namespace Market.Matching.Tests;

/// <summary>The worked examples of docs/settlement.md, number for number.</summary>
public sealed class SettlementWorkedExampleTests
{
    // Examples 1-4: local price 20.00 ct/kWh, retail 30.00, feed-in 8.00 (1/10,000 currency per kWh).
    private static readonly IntervalPrices Prices = new(2000, 3000, 800);

    private static HouseholdPosition Seller(long soldWh, long exportWh, long price = 2000) =>
        new(soldWh, 0, (soldWh * price) / 1000, 0, exportWh, 0);

    private static HouseholdPosition Buyer(long boughtWh, long importWh, long price = 2000) =>
        new(0, boughtWh, 0, (boughtWh * price) / 1000, 0, importWh);

    [Fact]
    public void Reconcile_ShortSellerAndNeighbourSurplus_NeighbourCoversAtLocalPrice()
    {
        HouseholdPosition[] households = [Seller(3000, 2000), new(0, 0, 0, 0, 1000, 0), Buyer(3000, 3000)];

        var result = Reconciliation.Reconcile(Prices, households);

        result.Postings.ShouldBe([new ImbalancePosting(0, 1, PostingKind.NeighbourCover, 1000, 2000)]);
        result.Households[0].CoveredByNeighbours.ShouldBe(new EnergyAmount(1000, 2000));
        result.Households[0].NetAmount.ShouldBe(4000);
        result.Households[0].Savings.ShouldBe(4000 - 1600);
        result.Households[1].ProvidedToNeighbours.ShouldBe(new EnergyAmount(1000, 2000));
        result.Households[1].Export.ShouldBe(new LocalGridSplit(1000, 0));
        result.Households[1].Savings.ShouldBe(2000 - 800);
        result.Households[2].Import.ShouldBe(new LocalGridSplit(3000, 0));
        result.UtilityNetAmount.ShouldBe(0);
    }

    [Fact]
    public void Reconcile_ShortSellerWithoutSurplusAround_BuysShortfallAtRetail()
    {
        HouseholdPosition[] households = [Seller(3000, 2000), Buyer(3000, 3000)];

        var result = Reconciliation.Reconcile(Prices, households);

        result.Postings.ShouldBe([new ImbalancePosting(0, ImbalancePosting.Utility, PostingKind.UtilityPurchase, 1000, 3000)]);
        var seller = result.Households[0];
        seller.BoughtFromUtility.ShouldBe(new EnergyAmount(1000, 3000));
        seller.Export.ShouldBe(new LocalGridSplit(2000, 0));
        seller.Import.ShouldBe(new LocalGridSplit(0, 0));
        seller.NetAmount.ShouldBe(3000);
        seller.GridOnlyNetAmount.ShouldBe(1600);
        seller.Savings.ShouldBe(1400);
        result.UtilityNetAmount.ShouldBe(3000);
    }

    [Fact]
    public void Reconcile_ExportBeyondSold_SurplusGoesToUtilityAtFeedIn()
    {
        HouseholdPosition[] households = [Seller(2000, 3500), Buyer(2000, 2000)];

        var result = Reconciliation.Reconcile(Prices, households);

        result.Postings.ShouldBe([new ImbalancePosting(ImbalancePosting.Utility, 0, PostingKind.UtilityFeedIn, 1500, 1200)]);
        var seller = result.Households[0];
        seller.SoldToUtility.ShouldBe(new EnergyAmount(1500, 1200));
        seller.Export.ShouldBe(new LocalGridSplit(2000, 1500));
        seller.NetAmount.ShouldBe(5200);
        seller.Savings.ShouldBe(5200 - 2800);
    }

    [Fact]
    public void Reconcile_BuyerConsumingMoreThanBought_BuysTheRestAtRetail()
    {
        HouseholdPosition[] households = [Seller(2000, 2000), Buyer(2000, 2600)];

        var result = Reconciliation.Reconcile(Prices, households);

        result.Postings.ShouldBe([new ImbalancePosting(1, ImbalancePosting.Utility, PostingKind.UtilityPurchase, 600, 1800)]);
        var buyer = result.Households[1];
        buyer.Import.ShouldBe(new LocalGridSplit(2000, 600));
        buyer.LocalCost.ShouldBe(4000);
        buyer.GridCost.ShouldBe(1800);
        buyer.GridOnlyNetAmount.ShouldBe(-7800);
        buyer.Savings.ShouldBe(2000);
    }

    [Fact]
    public void Reconcile_MixedInterval_ProRataSharesWithLargestRemainders()
    {
        var prices = new IntervalPrices(2150, 3200, 810);
        HouseholdPosition[] households =
        [
            new(1000, 0, 2150, 0, 0, 0),
            new(0, 1000, 0, 2150, 0, 1333),
            new(0, 0, 0, 0, 700, 0),
            new(0, 500, 0, 1075, 0, 200),
            new(500, 0, 1075, 0, 1000, 0),
        ];

        var result = Reconciliation.Reconcile(prices, households);

        result.ShortWh.ShouldBe(1333);
        result.LongWh.ShouldBe(1500);
        result.NettedWh.ShouldBe(1333);
        result.Postings.ShouldBe(
        [
            new ImbalancePosting(0, 2, PostingKind.NeighbourCover, 622, 1337),
            new ImbalancePosting(0, 3, PostingKind.NeighbourCover, 267, 574),
            new ImbalancePosting(0, 4, PostingKind.NeighbourCover, 111, 239),
            new ImbalancePosting(1, 4, PostingKind.NeighbourCover, 333, 716),
            new ImbalancePosting(ImbalancePosting.Utility, 2, PostingKind.UtilityFeedIn, 78, 63),
            new ImbalancePosting(ImbalancePosting.Utility, 3, PostingKind.UtilityFeedIn, 33, 27),
            new ImbalancePosting(ImbalancePosting.Utility, 4, PostingKind.UtilityFeedIn, 56, 45),
        ]);
        result.Households.Select(h => h.ImbalanceNetAmount).ShouldBe([-2150, -716, 1400, 601, 1000]);
        result.UtilityNetAmount.ShouldBe(-135);
        result.Households[1].Savings.ShouldBe(1400);
        result.Households[2].Export.ShouldBe(new LocalGridSplit(622, 78));
        result.Households[4].Export.ShouldBe(new LocalGridSplit(944, 56));
    }

    [Fact]
    public void Reconcile_NoLocalPrice_EveryDeviationGoesToTheUtility()
    {
        HouseholdPosition[] households = [Seller(0, 1000), Buyer(0, 400)];

        var result = Reconciliation.Reconcile(Prices with { LocalPrice = null }, households);

        result.NettedWh.ShouldBe(0);
        result.Postings.ShouldBe(
        [
            new ImbalancePosting(ImbalancePosting.Utility, 0, PostingKind.UtilityFeedIn, 1000, 800),
            new ImbalancePosting(1, ImbalancePosting.Utility, PostingKind.UtilityPurchase, 400, 1200),
        ]);
        result.Households.ShouldAllBe(h => h.Savings == 0);
    }

    [Fact]
    public void Reconcile_LocalPriceAboveRetail_IsRejected()
    {
        HouseholdPosition[] households = [Seller(1000, 1000)];

        var result = Reconciliation.Reconcile(new IntervalPrices(3500, 3000, 800), households);

        result.IsSuccess.ShouldBeFalse();
        result.Rejection!.Code.ShouldBe(ReconciliationRejectionCode.LocalPriceOutsideTariffs);
    }

    [Fact]
    public void Reconcile_NegativeReading_IsRejectedNamingTheHousehold()
    {
        HouseholdPosition[] households = [Seller(1000, 1000), new(0, 0, 0, 0, 0, -5)];

        var result = Reconciliation.Reconcile(Prices, households);

        result.Rejection.ShouldBe(new ReconciliationRejection(1, ReconciliationRejectionCode.InvalidPosition, "household 1: energies and amounts must lie in 0..100000000000"));
    }

    [Fact]
    public void SplitProRata_EqualRemainders_LowerPositionGetsTheExtraWh()
    {
        long[] weights = [1, 1, 1];

        var shares = NettingShares.SplitProRata(2, weights, 3);

        shares.ShouldBe([1L, 1L, 0L]);
    }
}
