using Market.Web.Documents;

namespace Market.Web.Tests.Documents;

/// <summary>The documents' font travels inside the app (a published build has no font folder of its own to look in).</summary>
[Trait("Database", "Independent")]
public sealed class PdfFontsTests
{
    [Theory]
    [InlineData(false, "DejaVuSans")]
    [InlineData(true, "DejaVuSans-Bold")]
    public void ResolveTypeface_AnyFamily_DejaVuSansFaceBuiltIntoTheApp(bool bold, string face)
    {
        var fonts = new PdfFonts();

        var resolved = fonts.ResolveTypeface("Arial", bold, italic: false);

        resolved!.FaceName.ShouldBe(face);
        var bytes = fonts.GetFont(face);
        bytes.ShouldNotBeNull();
        // A TrueType file starts with its version 1.0 tag.
        bytes.Take(4).ShouldBe(new byte[] { 0, 1, 0, 0 });
    }

    [Fact]
    public void GetFont_UnknownFace_Null()
    {
        new PdfFonts().GetFont("Comic Sans").ShouldBeNull();
    }
}
