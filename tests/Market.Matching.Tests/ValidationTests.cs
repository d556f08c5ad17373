using static Market.Matching.Tests.Book;

namespace Market.Matching.Tests;

public sealed class ValidationTests
{
    [Fact]
    public void Clear_DuplicateId_RejectsTheLaterOrder()
    {
        Order[] book = [Bid(1, 100, 10), Offer(2, 100, 10), Offer(1, 100, 5)];

        var result = DoubleAuction.Clear(book);

        result.IsSuccess.ShouldBeFalse();
        result.Rejection.ShouldBe(new ClearingRejection(1, 2, RejectionCode.DuplicateId, "Order 1 at input position 2: its id is already used by an earlier order."));
    }

    [Fact]
    public void Clear_DuplicateWidelySpreadIds_RejectsTheLaterOrder()
    {
        Order[] book = [Bid(long.MinValue, 100, 10), Offer(long.MaxValue, 100, 10), Offer(long.MinValue, 100, 5)];

        var result = DoubleAuction.Clear(book);

        result.Rejection!.Code.ShouldBe(RejectionCode.DuplicateId);
        result.Rejection.Index.ShouldBe(2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Clear_EnergyNotPositive_RejectsNamingTheOrder(long energy)
    {
        Order[] book = [Bid(1, 100, 10), Offer(42, energy, 10)];

        var result = DoubleAuction.Clear(book);

        result.Rejection!.Code.ShouldBe(RejectionCode.EnergyNotPositive);
        result.Rejection.OrderId.ShouldBe(42);
        result.Rejection.Index.ShouldBe(1);
        result.Rejection.Message.ShouldContain("energy must be greater than 0 Wh");
    }

    [Fact]
    public void Clear_NegativePrice_RejectsNamingTheOrder()
    {
        Order[] book = [Bid(7, 100, -1)];

        var result = DoubleAuction.Clear(book);

        result.Rejection.ShouldBe(new ClearingRejection(7, 0, RejectionCode.NegativePrice, "Order 7 at input position 0: price must not be negative, got -1."));
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)3)]
    public void Clear_UnknownSide_RejectsNamingTheOrder(byte side)
    {
        Order[] book = [new Order(5, (Side)side, 100, 10, 0)];

        var result = DoubleAuction.Clear(book);

        result.Rejection!.Code.ShouldBe(RejectionCode.UnknownSide);
        result.Rejection.OrderId.ShouldBe(5);
    }

    [Fact]
    public void Clear_TotalEnergyOfSideOverflows_RejectsTheOrderThatOverflows()
    {
        Order[] book = [Bid(1, long.MaxValue - 10, 10), Offer(2, long.MaxValue, 10), Bid(3, 11, 10)];

        var result = DoubleAuction.Clear(book);

        result.Rejection!.Code.ShouldBe(RejectionCode.TotalEnergyOverflow);
        result.Rejection.Index.ShouldBe(2);
    }

    [Fact]
    public void Clear_TotalEnergyExactlyMaxValue_Clears()
    {
        Order[] book = [Bid(1, long.MaxValue - 10, 10), Bid(2, 10, 10), Offer(3, long.MaxValue, 5)];

        var result = DoubleAuction.Clear(book);

        result.IsSuccess.ShouldBeTrue();
        result.VolumeWh.ShouldBe(long.MaxValue);
    }

    [Fact]
    public void Clear_SeveralProblems_NamesTheFirstOrderInInputOrder()
    {
        Order[] book = [Bid(1, 100, 10), Bid(2, 100, -3), Offer(1, 0, 10)];

        var result = DoubleAuction.Clear(book);

        result.Rejection!.Index.ShouldBe(1);
        result.Rejection.Code.ShouldBe(RejectionCode.NegativePrice);
    }

    [Fact]
    public void Clear_DuplicateIdAndBadEnergyOnSameOrder_ReportsTheEnergy()
    {
        Order[] book = [Bid(1, 100, 10), Bid(1, 0, 10)];

        var result = DoubleAuction.Clear(book);

        result.Rejection!.Code.ShouldBe(RejectionCode.EnergyNotPositive);
    }

    [Fact]
    public void Clear_Rejected_HasNoTradesOutcomesOrCurves()
    {
        Order[] book = [Bid(1, 100, 10), Offer(1, 100, 5)];

        var result = DoubleAuction.Clear(book);

        result.Price.ShouldBeNull();
        result.Trades.ShouldBeEmpty();
        result.Outcomes.ShouldBeEmpty();
        result.DemandCurve.ShouldBeEmpty();
        result.SupplyCurve.ShouldBeEmpty();
    }

    [Fact]
    public void Clear_UndefinedMechanism_Throws()
    {
        Order[] book = [Bid(1, 100, 10)];

        Should.Throw<ArgumentOutOfRangeException>(() => DoubleAuction.Clear(book, (Mechanism)9));
    }

    [Fact]
    public void Clear_ColumnsOfDifferentLengths_Throws()
    {
        var clearer = new Clearer();

        Should.Throw<ArgumentException>(() => clearer.Clear([1, 2], [Side.Buy], [1], [1], [1]));
    }
}
