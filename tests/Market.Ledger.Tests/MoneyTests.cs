using CsCheck;

namespace Market.Ledger.Tests;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(1500, 2501, 3752)] // 3751.5 rounds up
    [InlineData(1000, 2500, 2500)]
    [InlineData(1, 499, 0)] // 0.499 rounds down
    [InlineData(1, 500, 1)] // 0.5 rounds up
    [InlineData(0, 2500, 0)]
    [InlineData(999, 1, 1)]
    public void Amount_EnergyAndPrice_IsProductOverThousandRoundedHalfUp(long energy, long price, long expected)
    {
        var amount = Money.Amount(energy, price);

        amount.ShouldBe(expected);
    }

    [Fact]
    public void Amount_ResultBeyond64Bits_ThrowsOverflow()
    {
        var energy = long.MaxValue;

        Action act = () => Money.Amount(energy, 2000);

        Should.Throw<OverflowException>(act);
        Money.TryAmount(energy, 2000, out _).ShouldBeFalse();
    }

    [Fact]
    public void Amount_LargeButRepresentable_DoesNotOverflowInTheProduct()
    {
        var energy = long.MaxValue / 10;

        var amount = Money.Amount(energy, 10_000);

        amount.ShouldBe((long)(((Int128)energy * 10_000 + 500) / 1000));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(1, -1)]
    public void Amount_NegativeInput_Throws(long energy, long price)
    {
        Action act = () => Money.Amount(energy, price);

        Should.Throw<ArgumentOutOfRangeException>(act);
    }

    [Fact]
    public void Amount_RandomInputs_IsWithinHalfAMinorUnitOfTheExactValue()
    {
        var gen = Gen.Select(Gen.Long[0, 10_000_000_000], Gen.Long[0, 100_000_000]);

        gen.Sample((energy, price) =>
        {
            var amount = Money.Amount(energy, price);
            var exactTimesThousand = (Int128)energy * price;
            var diff = ((Int128)amount * 1000) - exactTimesThousand;
            return diff > -500 && diff <= 500;
        });
    }
}
