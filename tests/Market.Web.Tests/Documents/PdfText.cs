using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.Content.Objects;
using PdfSharp.Pdf.IO;

namespace Market.Web.Tests.Documents;

/// <summary>
/// Opens a PDF with PDFsharp's reader and reads its text back: the text operators of every page, each string mapped
/// from glyph ids to characters through its font's ToUnicode map (the documents embed Unicode-encoded font subsets).
/// </summary>
public static partial class PdfText
{
    public static PdfDocument Open(byte[] pdf) => PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import);

    /// <summary>The text of every page, one line per text operator, pages in order.</summary>
    public static string Read(byte[] pdf)
    {
        var document = Open(pdf);
        var text = new StringBuilder();
        foreach (var page in document.Pages)
        {
            var fonts = page.Elements.GetDictionary("/Resources")?.Elements.GetDictionary("/Font");
            Dictionary<int, string>? map = null;
            void Walk(CObject o)
            {
                switch (o)
                {
                    case COperator op when op.OpCode.Name == "Tf" && op.Operands.Count > 0 && op.Operands[0] is CName name:
                        map = ToUnicode(fonts?.Elements.GetDictionary(name.Name));
                        break;
                    case COperator op when op.OpCode.Name is "Tj" or "'" or "\"" or "TJ":
                        foreach (var operand in op.Operands)
                        {
                            Append(operand);
                        }

                        text.Append('\n');
                        break;
                    case CSequence sequence:
                        foreach (var item in sequence)
                        {
                            Walk(item);
                        }

                        break;
                }
            }

            void Append(CObject operand)
            {
                if (operand is CString s)
                {
                    text.Append(Decode(s.Value, map));
                }
                else if (operand is CArray array)
                {
                    foreach (var item in array)
                    {
                        Append(item);
                    }
                }
            }

            Walk(ContentReader.ReadContent(page));
        }

        return text.ToString();
    }

    private static string Decode(string raw, Dictionary<int, string>? map)
    {
        if (map is null)
        {
            return raw;
        }

        var result = new StringBuilder();
        for (var i = 0; i + 1 < raw.Length; i += 2)
        {
            var glyph = (raw[i] << 8) | raw[i + 1];
            result.Append(map.TryGetValue(glyph, out var c) ? c : "\ufffd");
        }

        return result.ToString();
    }

    private static Dictionary<int, string>? ToUnicode(PdfDictionary? font)
    {
        var stream = font?.Elements.GetDictionary("/ToUnicode")?.Stream;
        if (stream is null)
        {
            return null;
        }

        var cmap = Encoding.ASCII.GetString(stream.UnfilteredValue);
        var map = new Dictionary<int, string>();
        foreach (Match block in Blocks().Matches(cmap))
        {
            var hex = Hex().Matches(block.Groups[2].Value).Select(m => m.Groups[1].Value).ToList();
            if (block.Groups[1].Value == "char")
            {
                for (var i = 0; i + 1 < hex.Count; i += 2)
                {
                    map[Parse(hex[i])] = Chars(hex[i + 1]);
                }
            }
            else
            {
                for (var i = 0; i + 2 < hex.Count; i += 3)
                {
                    var (from, to, first) = (Parse(hex[i]), Parse(hex[i + 1]), Parse(hex[i + 2]));
                    for (var g = from; g <= to; g++)
                    {
                        map[g] = char.ConvertFromUtf32(first + (g - from));
                    }
                }
            }
        }

        return map;
    }

    private static int Parse(string hex) => int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static string Chars(string hex)
    {
        var chars = new StringBuilder();
        for (var i = 0; i + 3 < hex.Length + 1 && i < hex.Length; i += 4)
        {
            chars.Append((char)Parse(hex.Substring(i, Math.Min(4, hex.Length - i))));
        }

        return chars.ToString();
    }

    [GeneratedRegex(@"beginbf(char|range)(.*?)endbf(?:char|range)", RegexOptions.Singleline)]
    private static partial Regex Blocks();

    [GeneratedRegex(@"<([0-9A-Fa-f]+)>")]
    private static partial Regex Hex();
}
