using System.Text.Json;

namespace Market.Ledger;

/// <summary>
/// Reads an export while streaming (see <see cref="LedgerExport"/>): blocks one line at a time, then the checkpoint.
/// Malformed input throws <see cref="LedgerFormatException"/> naming the line and the problem (syntax, wrong type,
/// missing, unknown or repeated field, bad hex, wrong length, height/kind not matching the header, content after the
/// checkpoint). Whether the blocks are valid is <see cref="ChainVerifier"/>'s job.
/// </summary>
public sealed partial class LedgerExportReader
{
    private readonly LineReader _lines;
    private bool _started;

    /// <summary>Reads from a stream (left open).</summary>
    /// <param name="stream">The export.</param>
    public LedgerExportReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _lines = new LineReader(stream);
    }

    /// <summary>The checkpoint, once <see cref="ReadBlocks"/> has reached it (null if the file ends without one).</summary>
    public Checkpoint? Checkpoint { get; private set; }

    /// <summary>Reads the format line, then yields the blocks in file order; stops after the checkpoint line.</summary>
    /// <returns>The blocks.</returns>
    public IEnumerable<LedgerBlock> ReadBlocks()
    {
        if (_started)
        {
            throw new InvalidOperationException("the blocks can be read once");
        }

        _started = true;
        try
        {
            if (!_lines.TryRead(out var first))
            {
                throw Error(1, "empty file: expected the format line");
            }

            ParseFormatLine(first.Span, _lines.LineNumber);
            while (_lines.TryRead(out var line))
            {
                var number = _lines.LineNumber;
                var fields = Fields.Parse(line.Span, number);
                if (fields.Type == "checkpoint")
                {
                    Checkpoint = fields.ToCheckpoint(number);
                    if (_lines.TryRead(out _))
                    {
                        throw Error(_lines.LineNumber, "nothing may follow the checkpoint line");
                    }

                    yield break;
                }

                yield return fields.ToBlock(number);
            }
        }
        finally
        {
            // A block holds copies of what it needs; the line buffer goes back to the pool.
            _lines.Release();
        }
    }

    private static LedgerFormatException Error(long line, string message) => new($"export line {line}: {message}");

    private static void ParseFormatLine(ReadOnlySpan<byte> line, long number)
    {
        string? format = null;
        long? version = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            Expect(ref reader, JsonTokenType.StartObject, number, "a JSON object");
            while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                Next(ref reader);
                switch (name)
                {
                    case "format" when format is null:
                        format = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Error(number, "\"format\" must be a string");
                        break;
                    case "version" when version is null:
                        version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) ? v : throw Error(number, "\"version\" must be an integer");
                        break;
                    default:
                        throw Error(number, $"unexpected or repeated field \"{name}\" in the format line");
                }
            }

            ExpectEnd(ref reader, number);
        }
        catch (JsonException e)
        {
            throw Error(number, $"invalid JSON: {e.Message}");
        }

        if (format != LedgerExport.FormatName)
        {
            throw Error(number, $"not a ledger export: \"format\" must be \"{LedgerExport.FormatName}\"");
        }

        if (version != LedgerExport.FormatVersion)
        {
            throw Error(number, version is null ? "missing \"version\"" : $"unsupported export version {version}");
        }
    }

    private static bool Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("unexpected end of line");
        }

        return true;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, long number, string what)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw Error(number, $"expected {what}");
        }
    }

    private static void ExpectEnd(ref Utf8JsonReader reader, long number)
    {
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw Error(number, "expected the end of the object and of the line");
        }
    }
}
