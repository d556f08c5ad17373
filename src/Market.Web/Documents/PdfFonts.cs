using System.Reflection;
using PdfSharp.Fonts;

namespace Market.Web.Documents;

/// <summary>
/// The documents' one font family, DejaVu Sans (regular and bold), read from the app's embedded resources: PDFsharp on
/// Linux has no system fonts, and a document should look the same wherever it is made. Origin and licence:
/// Documents/Fonts/README.md.
/// </summary>
internal sealed class PdfFonts : IFontResolver
{
    /// <summary>The family name the documents ask for.</summary>
    public const string Family = "DejaVu Sans";

    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";

    private static readonly Lock Gate = new();

    /// <summary>
    /// Installs the resolver in PDFsharp's process-wide settings, once (the library has only a global setting for
    /// it); any later call does nothing.
    /// </summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not PdfFonts)
            {
                GlobalFontSettings.FontResolver = new PdfFonts();
            }
        }
    }

    /// <summary>Every family resolves to DejaVu Sans; italic is simulated by PDFsharp (the documents use none).</summary>
    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: italic);

    public byte[]? GetFont(string faceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Market.Web.Fonts.{faceName}.ttf");
        if (stream is null)
        {
            return null;
        }

        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
