
namespace Market.Matching.Tests;

internal static class ClearingAssert
{
    /// <summary>Asserts that a library result equals the reference implementation's, member by member.</summary>
    public static void SameAs(ClearingResult actual, ReferenceAuction.Outcome expected)
    {
        if (expected.Rejection is { } code)
        {
            actual.IsSuccess.ShouldBeFalse();
            actual.Rejection!.Code.ShouldBe(code);
            actual.Rejection.Index.ShouldBe(expected.RejectedIndex);
            return;
        }

        actual.IsSuccess.ShouldBeTrue(actual.Rejection?.Message);
        actual.Price.ShouldBe(expected.Price);
        actual.Low.ShouldBe(expected.Low);
        actual.High.ShouldBe(expected.High);
        actual.VolumeWh.ShouldBe(expected.VolumeWh);
        actual.Trades.ShouldBe(expected.Trades);
        actual.Outcomes.ShouldBe(expected.Outcomes);
        actual.DemandCurve.ShouldBe(expected.Demand);
        actual.SupplyCurve.ShouldBe(expected.Supply);
    }

    /// <summary>Asserts that two library results are equal member by member.</summary>
    public static void Identical(ClearingResult actual, ClearingResult expected)
    {
        actual.IsSuccess.ShouldBe(expected.IsSuccess);
        actual.Rejection.ShouldBe(expected.Rejection);
        actual.Mechanism.ShouldBe(expected.Mechanism);
        actual.RulesVersion.ShouldBe(expected.RulesVersion);
        actual.Price.ShouldBe(expected.Price);
        actual.Low.ShouldBe(expected.Low);
        actual.High.ShouldBe(expected.High);
        actual.VolumeWh.ShouldBe(expected.VolumeWh);
        actual.Trades.ShouldBe(expected.Trades);
        actual.Outcomes.ShouldBe(expected.Outcomes);
        actual.DemandCurve.ShouldBe(expected.DemandCurve);
        actual.SupplyCurve.ShouldBe(expected.SupplyCurve);
    }
}
