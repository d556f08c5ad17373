using System.Globalization;

namespace Market.Web.Tests.Community;

[Trait("Database", "Independent")]
public sealed class UnitsTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    [Theory]
    [InlineData("1.5", 3, 1500)]
    [InlineData(" 7 ", 2, 700)]
    [InlineData("-2", 3, -2000)]
    [InlineData("+0.25", 2, 25)]
    [InlineData("1,000.25", 2, 100_025)]
    [InlineData("1,000.5", 3, 1_000_500)]
    [InlineData("1,234,567", 0, 1_234_567)]
    [InlineData("-1,000", 3, -1_000_000)]
    [InlineData(".5", 3, 500)]
    [InlineData("5.", 3, 5000)]
    [InlineData("1.5000000000000000000000000000000000", 3, 1500)]
    [InlineData("9223372036854775.807", 3, long.MaxValue)]
    [InlineData("-9223372036854775.807", 3, -long.MaxValue)]
    public void ReadScaled_ANumberTheUnitHolds_ExactValue(string text, int decimals, long expected)
    {
        var entry = Units.ReadScaled(text, decimals, English, out var value);

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
        var entry = Units.ReadScaled(text, 3, English, out var value);

        (entry, value).ShouldBe((expected, 0L));
    }

    [Fact]
    public void ReadScaled_AHundredThousandDigits_OutOfRangeWithoutThrowing()
    {
        var entry = Units.ReadScaled(new string('9', 100_000) + "." + new string('9', 100_000), 3, English, out _);

        entry.ShouldBe(NumberEntry.OutOfRange);
    }

    [Theory]
    [InlineData("0,1", 3, 100)]
    [InlineData("1,5", 3, 1500)]
    [InlineData("8,5", 2, 850)]
    [InlineData("1.000,5", 3, 1_000_500)]
    [InlineData("1.000.000", 3, 1_000_000_000)]
    [InlineData("-0,25", 2, -25)]
    [InlineData(",5", 3, 500)]
    [InlineData("7", 2, 700)]
    public void ReadScaled_GermanMarks_ExactValue(string text, int decimals, long expected)
    {
        var entry = Units.ReadScaled(text, decimals, German, out var value);

        (entry, value).ShouldBe((NumberEntry.Valid, expected));
    }

    [Theory]
    [InlineData("0,1")]
    [InlineData("1,5")]
    [InlineData("-1,5")]
    [InlineData("12,34")]
    [InlineData("1,0000")]
    [InlineData("1234,567")]
    [InlineData("1,000,00")]
    [InlineData("1,000,0000.5")]
    public void ReadScaled_EnglishCommaNotBetweenThousands_WrongDecimalMarkAndNothing(string text)
    {
        var entry = Units.ReadScaled(text, 3, English, out var value);

        (entry, value).ShouldBe((NumberEntry.WrongDecimalMark, 0L));
    }

    [Theory]
    [InlineData("0.1")]
    [InlineData("1.5")]
    [InlineData("8.50")]
    public void ReadScaled_GermanPointNotBetweenThousands_WrongDecimalMarkAndNothing(string text)
    {
        var entry = Units.ReadScaled(text, 3, German, out var value);

        (entry, value).ShouldBe((NumberEntry.WrongDecimalMark, 0L));
    }

    [Theory]
    [InlineData("1,000.5", NumberEntry.NotANumber)]
    [InlineData("1,2,3", NumberEntry.NotANumber)]
    [InlineData(".5", NumberEntry.NotANumber)]
    [InlineData("5.", NumberEntry.NotANumber)]
    [InlineData("1,0005", NumberEntry.TooPrecise)]
    [InlineData("9.223.372.036.854.775,808", NumberEntry.OutOfRange)]
    public void ReadScaled_GermanNumberTheUnitCannotHold_SaysWhyAndGivesNothing(string text, NumberEntry expected)
    {
        var entry = Units.ReadScaled(text, 3, German, out var value);

        (entry, value).ShouldBe((expected, 0L));
    }

    [Theory]
    [InlineData(786)]
    [InlineData(3970)]
    [InlineData(2150)]
    [InlineData(0)]
    [InlineData(123_456_789)]
    public void Cents_ReadBackInTheSameCulture_SamePrice(long price)
    {
        foreach (var culture in new[] { English, German })
        {
            var entry = Units.ReadScaled(Units.Cents(price, culture), 2, culture, out var read);

            (entry, read).ShouldBe((NumberEntry.Valid, price), culture.Name);
        }
    }

    [Theory]
    [InlineData(55_851, "en", "55.851 kWh")]
    [InlineData(55_851, "de-DE", "55,851 kWh")]
    [InlineData(400, "en", "0.400 kWh")]
    [InlineData(1000, "de-DE", "1,000 kWh")]
    [InlineData(1_234_567, "en", "1,234.567 kWh")]
    [InlineData(1_234_567, "de-DE", "1.234,567 kWh")]
    [InlineData(-2150, "en", "-2.150 kWh")]
    [InlineData(0, "en", "0.000 kWh")]
    public void Energy_AnyAmount_KWhWithThreeDecimalsInTheCulturesMarks(long wh, string culture, string expected)
    {
        var text = Units.Energy(wh, CultureInfo.GetCultureInfo(culture));

        text.ShouldBe(expected);
    }

    [Theory]
    [InlineData(9860, "en", "€0.99")]
    [InlineData(-25431, "en", "−€2.54")]
    [InlineData(25450, "en", "€2.55")]
    [InlineData(-25450, "en", "−€2.55")]
    [InlineData(-49, "en", "€0.00")]
    [InlineData(12_345_678_900, "en", "€1,234,567.89")]
    [InlineData(9860, "de-DE", "0,99\u00a0€")]
    [InlineData(-25431, "de-DE", "−2,54\u00a0€")]
    [InlineData(12_345_678_900, "de-DE", "1.234.567,89\u00a0€")]
    public void Money_AnyAmount_ToTheCentInTheCulturesConvention(long amount, string culture, string expected)
    {
        var text = Units.Money(amount, "EUR", CultureInfo.GetCultureInfo(culture));

        text.ShouldBe(expected);
    }

    [Theory]
    [InlineData(3970, "en", "€0.3970")]
    [InlineData(-15086, "en", "−€1.5086")]
    [InlineData(20000, "en", "€2.0000")]
    [InlineData(-15086, "de-DE", "−1,5086\u00a0€")]
    public void MoneyExact_AnyAmount_AllFourDecimals(long amount, string culture, string expected)
    {
        var text = Units.MoneyExact(amount, "EUR", CultureInfo.GetCultureInfo(culture));

        text.ShouldBe(expected);
    }

    [Theory]
    [InlineData(2150, "en", "21.50 ct/kWh")]
    [InlineData(786, "de-DE", "7,86 ct/kWh")]
    public void Price_AnyPrice_CentsWithTwoDecimalsInTheCulturesMarks(long price, string culture, string expected)
    {
        var text = Units.Price(price, CultureInfo.GetCultureInfo(culture));

        text.ShouldBe(expected);
    }

    [Fact]
    public void DecimalMarkHint_English_SaysToUseAPoint()
    {
        var hint = Units.DecimalMarkHint(English);

        hint.ShouldBe("Use a point for decimals, e.g. 0.1; a comma only separates thousands (1,000).");
    }

    [Fact]
    public void DecimalMarkHint_German_SaysToUseAComma()
    {
        var hint = Units.DecimalMarkHint(German);

        hint.ShouldBe("Use a comma for decimals, e.g. 0,1; a point only separates thousands (1.000).");
    }
}
