namespace Market.Web.Tests.Community;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("1.5", 3, 1500)]
    [InlineData(" 7 ", 2, 700)]
    [InlineData("-2", 3, -2000)]
    [InlineData("+0.25", 2, 25)]
    [InlineData("1,000.25", 2, 100_025)]
    [InlineData(".5", 3, 500)]
    [InlineData("5.", 3, 5000)]
    [InlineData("1.5000000000000000000000000000000000", 3, 1500)]
    [InlineData("9223372036854775.807", 3, long.MaxValue)]
    [InlineData("-9223372036854775.807", 3, -long.MaxValue)]
    public void ReadScaled_ANumberTheUnitHolds_ExactValue(string text, int decimals, long expected)
    {
        var entry = Units.ReadScaled(text, decimals, out var value);

        (entry, value).ShouldBe((NumberEntry.Valid, expected));
    }

    [Theory]
    [InlineData("79228162514264337593543950335", NumberEntry.OutOfRange)]
    [InlineData("-79228162514264337593543950335", NumberEntry.OutOfRange)]
    [InlineData("792281625142643375935439503350000000000", NumberEntry.OutOfRange)]
    [InlineData("9223372036854775.808", NumberEntry.OutOfRange)]
    [InlineData("1.0005", NumberEntry.TooPrecise)]
    [InlineData("1.00000000000000000000000000001", NumberEntry.TooPrecise)]
    [InlineData("0.0000000000000000000000000000000001", NumberEntry.TooPrecise)]
    [InlineData("NaN", NumberEntry.NotANumber)]
    [InlineData("Infinity", NumberEntry.NotANumber)]
    [InlineData("∞", NumberEntry.NotANumber)]
    [InlineData("1e3", NumberEntry.NotANumber)]
    [InlineData("0x10", NumberEntry.NotANumber)]
    [InlineData("1.2.3", NumberEntry.NotANumber)]
    [InlineData("--1", NumberEntry.NotANumber)]
    [InlineData("-", NumberEntry.NotANumber)]
    [InlineData(".", NumberEntry.NotANumber)]
    [InlineData(",5", NumberEntry.NotANumber)]
    [InlineData("١٢", NumberEntry.NotANumber)]
    [InlineData("", NumberEntry.NotANumber)]
    [InlineData(null, NumberEntry.NotANumber)]
    public void ReadScaled_ANumberTheUnitCannotHold_SaysWhyAndGivesNothing(string? text, NumberEntry expected)
    {
        var entry = Units.ReadScaled(text, 3, out var value);

        (entry, value).ShouldBe((expected, 0L));
    }

    [Fact]
    public void ReadScaled_AHundredThousandDigits_OutOfRangeWithoutThrowing()
    {
        var entry = Units.ReadScaled(new string('9', 100_000) + "." + new string('9', 100_000), 3, out _);

        entry.ShouldBe(NumberEntry.OutOfRange);
    }
}
