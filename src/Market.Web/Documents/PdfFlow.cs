using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Market.Web.Documents;

/// <summary>
/// Writes a document top to bottom on A4 pages: headings, wrapped paragraphs and simple tables, with a new page when
/// the next block does not fit, and "page n of m" at the foot of every page. Points (1/72 inch) throughout.
/// </summary>
internal sealed class PdfFlow : IDisposable
{
    public const double Margin = 50;

    private readonly PdfDocument _document;
    private XGraphics? _graphics;
    private double _y;

    public PdfFlow(PdfDocument document)
    {
        PdfFonts.EnsureInstalled();
        _document = document;
        Regular = Font(10);
        Small = Font(8);
        Bold = Font(10, bold: true);
        NewPage();
    }

    public XFont Regular { get; }

    public XFont Small { get; }

    public XFont Bold { get; }

    public double Width => _document.Pages[0].Width.Point - (2 * Margin);

    private double Bottom => _document.Pages[^1].Height.Point - Margin - 14;

    public XGraphics Graphics => _graphics!;

    public double Y => _y;

    /// <summary>A font of the documents' family; Unicode encoding, so any name and the minus sign print.</summary>
    public static XFont Font(double size, bool bold = false) =>
        new(PdfFonts.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));

    /// <summary>Starts a new page unless <paramref name="height"/> more points fit on this one.</summary>
    public void Need(double height)
    {
        if (_y + height > Bottom)
        {
            NewPage();
        }
    }

    public void Space(double points) => _y += points;

    /// <summary>A paragraph wrapped to the page's width (or <paramref name="width"/>), from the left margin plus <paramref name="indent"/>.</summary>
    public void Text(string text, XFont? font = null, XBrush? brush = null, double indent = 0, double? width = null)
    {
        font ??= Regular;
        var lineHeight = font.Size * 1.35;
        foreach (var line in Wrap(Graphics, text, font, (width ?? Width) - indent))
        {
            Need(lineHeight);
            Graphics.DrawString(line, font, brush ?? XBrushes.Black, new XRect(Margin + indent, _y, Width - indent, lineHeight), XStringFormats.TopLeft);
            _y += lineHeight;
        }
    }

    /// <summary>A heading, kept together with the two lines after it.</summary>
    public void Heading(string text, double size = 12)
    {
        Need((size * 1.6) + 30);
        Space(6);
        Text(text, Font(size, bold: true));
        Space(2);
    }

    /// <summary>
    /// A table: <paramref name="widths"/> are fractions of the page's width; columns whose flag in
    /// <paramref name="rightAligned"/> is set are aligned right (numbers). The header repeats on a new page; a row
    /// of <paramref name="bold"/> rows is printed in bold (totals).
    /// </summary>
    public void Table(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, double[] widths, bool[] rightAligned, ISet<int>? bold = null)
    {
        const double rowHeight = 15;
        var x = new double[widths.Length];
        for (var i = 1; i < widths.Length; i++)
        {
            x[i] = x[i - 1] + (widths[i - 1] * Width);
        }

        void Row(IReadOnlyList<string> cells, XFont font, bool rule)
        {
            for (var c = 0; c < cells.Count; c++)
            {
                var cell = new XRect(Margin + x[c] + 2, _y, (widths[c] * Width) - 4, rowHeight);
                Graphics.DrawString(Fit(Graphics, cells[c], font, cell.Width), font, XBrushes.Black, cell, rightAligned[c] ? XStringFormats.CenterRight : XStringFormats.CenterLeft);
            }

            _y += rowHeight;
            if (rule)
            {
                Graphics.DrawLine(new XPen(XColors.Gray, 0.5), Margin, _y, Margin + Width, _y);
            }
        }

        Need(rowHeight * 3);
        Row(header, Bold, rule: true);
        for (var r = 0; r < rows.Count; r++)
        {
            if (_y + rowHeight > Bottom)
            {
                NewPage();
                Row(header, Bold, rule: true);
            }

            Row(rows[r], bold?.Contains(r) == true ? Bold : Regular, rule: false);
        }

        Space(4);
    }

    /// <summary>Writes "page n of m" on every page; call once, at the end.</summary>
    public void Finish(string footer)
    {
        _graphics?.Dispose();
        _graphics = null;
        for (var i = 0; i < _document.PageCount; i++)
        {
            var page = _document.Pages[i];
            using var g = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
            var text = $"{footer} · {i + 1} / {_document.PageCount}";
            g.DrawString(text, Small, XBrushes.Gray, new XRect(Margin, page.Height.Point - Margin, page.Width.Point - (2 * Margin), 12), XStringFormats.TopLeft);
        }
    }

    public void Dispose() => _graphics?.Dispose();

    private void NewPage()
    {
        _graphics?.Dispose();
        var page = _document.AddPage();
        page.Size = PageSize.A4;
        _graphics = XGraphics.FromPdfPage(page);
        _y = Margin;
    }

    /// <summary>Lines of at most <paramref name="width"/> points; a word longer than a line (a hash) is broken anywhere.</summary>
    internal static List<string> Wrap(XGraphics g, string text, XFont font, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (g.MeasureString(candidate, font).Width <= width)
                {
                    line = candidate;
                    continue;
                }

                if (line.Length > 0)
                {
                    lines.Add(line);
                }

                line = word;
                while (line.Length > 1 && g.MeasureString(line, font).Width > width)
                {
                    var cut = line.Length - 1;
                    while (cut > 1 && g.MeasureString(line[..cut], font).Width > width)
                    {
                        cut--;
                    }

                    lines.Add(line[..cut]);
                    line = line[cut..];
                }
            }

            lines.Add(line);
        }

        return lines;
    }

    /// <summary>The text, cut with an ellipsis if it is wider than the cell.</summary>
    private static string Fit(XGraphics g, string text, XFont font, double width)
    {
        if (g.MeasureString(text, font).Width <= width)
        {
            return text;
        }

        var cut = text.Length;
        while (cut > 0 && g.MeasureString(text[..cut] + "…", font).Width > width)
        {
            cut--;
        }

        return text[..cut] + "…";
    }
}
