namespace Market.Web.Tests.Api;

[Trait("Database", "Independent")]
public sealed class PageCursorTests
{
    [Theory]
    [InlineData(0L, 1L)]
    [InlineData(1_781_517_600L, 42L)]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(-900L, 7L)]
    public void Encode_AnyPosition_DecodesToTheSame(long start, long id)
    {
        var cursor = new PageCursor(start, id);

        PageCursor.TryDecode(cursor.Encode(), out var back).ShouldBeTrue();

        back.ShouldBe(cursor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("AQAAAABpWfTAAAAAAAAAAAE=")]
    [InlineData("AgAAAABpWfTAAAAAAAAAAAE")]
    [InlineData("AQAAAABpWfTAAAAAAAAAAAA")]
    [InlineData("AQAAAABpWfTAAAAAAAAAAAF")]
    [InlineData("AQAAAABpWfTAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryDecode_NotACursorThisAppWrote_False(string text)
    {
        PageCursor.TryDecode(text, out _).ShouldBeFalse();
    }

    [Fact]
    public void TryDecode_ACursorItWrote_True()
    {
        PageCursor.TryDecode("AQAAAABpWfTAAAAAAAAAAAE", out var cursor).ShouldBeTrue();

        cursor.Id.ShouldBe(1);
    }
}
