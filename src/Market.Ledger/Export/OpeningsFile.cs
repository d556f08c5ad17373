using System.Text;
using System.Text.Json;

namespace Market.Ledger;

/// <summary>
/// A file of <see cref="ReconciliationOpening"/>s: UTF-8 JSON Lines, '\n' separated.
/// <code>
/// {"format":"market-reconciliation-openings","version":1}
/// {"salt":"&lt;hex 32 bytes&gt;","record":"&lt;hex 169 bytes: a HouseholdSettlement&gt;"}
/// ... one line per opening, in any order ...
/// </code>
/// The record names its household, interval and reconciliation version, so an opening finds its commitment itself.
/// No other fields are allowed, none may repeat, and no two openings may be for the same household, interval and
/// version. Private: a household's openings reveal its meter values.
/// </summary>
public static class OpeningsFile
{
    /// <summary>The value of "format" on the first line.</summary>
    public const string FormatName = "market-reconciliation-openings";

    /// <summary>The format version written and read.</summary>
    public const int FormatVersion = 1;

    /// <summary>The first line, without its '\n'.</summary>
    public static string FormatLine => $"{{\"format\":\"{FormatName}\",\"version\":{FormatVersion}}}";

    /// <summary>One opening's line, without its '\n'.</summary>
    /// <param name="opening">The opening.</param>
    /// <returns>The line.</returns>
    public static string Line(ReconciliationOpening opening)
    {
        ArgumentNullException.ThrowIfNull(opening);
        return $"{{\"salt\":\"{Convert.ToHexStringLower(opening.Salt)}\",\"record\":\"{Convert.ToHexStringLower(opening.Settlement.Encode())}\"}}";
    }

    /// <summary>Writes the openings.</summary>
    /// <param name="stream">Destination (left open).</param>
    /// <param name="openings">The openings.</param>
    public static void Write(Stream stream, IEnumerable<ReconciliationOpening> openings)
    {
        ArgumentNullException.ThrowIfNull(openings);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        writer.WriteLine(FormatLine);
        foreach (var o in openings)
        {
            writer.WriteLine(Line(o));
        }
    }

    /// <summary>Reads a whole file.</summary>
    /// <param name="stream">The file (left open).</param>
    /// <returns>The openings in file order.</returns>
    /// <exception cref="LedgerFormatException">Malformed input, naming the line.</exception>
    public static IReadOnlyList<ReconciliationOpening> Read(Stream stream)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true), false, 1 << 16, leaveOpen: true);
        var openings = new List<ReconciliationOpening>();
        var seen = new HashSet<(long, int, PartyId)>();
        long number = 0;
        try
        {
            while (reader.ReadLine() is { } line)
            {
                number++;
                var fields = Fields(line, number);
                if (number == 1)
                {
                    if (fields.Count != 2 || !fields.TryGetValue("format", out var format) || format != FormatName
                        || !fields.TryGetValue("version", out var version) || version != FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        throw Error(number, $"expected {{\"format\":\"{FormatName}\",\"version\":{FormatVersion}}}");
                    }

                    continue;
                }

                var opening = Opening(fields, number);
                var s = opening.Settlement;
                if (!seen.Add((s.IntervalStart, s.ReconciliationVersion, s.Household)))
                {
                    throw Error(number, $"a second opening for household {s.Household}, interval {s.IntervalStart}, version {s.ReconciliationVersion}");
                }

                openings.Add(opening);
            }
        }
        catch (DecoderFallbackException e)
        {
            throw Error(number + 1, $"not UTF-8: {e.Message}");
        }

        return number == 0 ? throw Error(1, "empty file: expected the format line") : openings;
    }

    private static ReconciliationOpening Opening(Dictionary<string, string> fields, long number)
    {
        if (fields.Count != 2 || !fields.TryGetValue("salt", out var saltHex) || !fields.TryGetValue("record", out var recordHex))
        {
            throw Error(number, "an opening has exactly the fields \"salt\" and \"record\"");
        }

        var salt = Hex(saltHex, "salt", number);
        var record = Hex(recordHex, "record", number);
        if (salt.Length != HouseholdSettlement.SaltSize)
        {
            throw Error(number, $"\"salt\" must be {HouseholdSettlement.SaltSize} bytes, got {salt.Length}");
        }

        return HouseholdSettlement.TryDecode(record, out var settlement, out var error)
            ? new ReconciliationOpening(salt, settlement)
            : throw Error(number, error!);
    }

    /// <summary>A flat JSON object of strings and integers, each field once.</summary>
    private static Dictionary<string, string> Fields(string line, long number)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line), new JsonReaderOptions { MaxDepth = 1 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error(number, "expected a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
                {
                    throw Error(number, $"\"{name}\" must be a string or an integer");
                }

                var value = reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);
                if (!fields.TryAdd(name, value))
                {
                    throw Error(number, $"field \"{name}\" appears twice");
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw Error(number, "expected the end of the object and of the line");
            }
        }
        catch (JsonException e)
        {
            throw Error(number, $"invalid JSON: {e.Message}");
        }

        return fields;
    }

    private static byte[] Hex(string hex, string name, long number)
    {
        try
        {
            return hex.Length % 2 == 0 ? Convert.FromHexString(hex) : throw Error(number, $"\"{name}\": odd number of hex digits");
        }
        catch (FormatException e) when (e is not LedgerFormatException)
        {
            throw Error(number, $"\"{name}\" is not hex");
        }
    }

    private static LedgerFormatException Error(long line, string message) => new($"openings line {line}: {message}");
}
