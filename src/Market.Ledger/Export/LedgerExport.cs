using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Market.Ledger;

/// <summary>
/// The self-contained export: one UTF-8 JSON Lines file (one JSON object per line, '\n' separated).
/// <code>
/// {"format":"market-ledger-export","version":1}
/// {"type":"block","height":0,"kind":"keyEvent","header":"&lt;hex&gt;","signature":"&lt;hex&gt;","leaves":["&lt;hex&gt;",...]}
/// ... one line per block in height order ...
/// {"type":"checkpoint","size":N,"root":"&lt;hex&gt;","time":&lt;unix ms&gt;,"keyId":"&lt;hex&gt;","signature":"&lt;hex&gt;"}
/// </code>
/// Bytes are hex (written lower-case, read in either case). "height" and "kind" repeat the header for people and
/// must match it. Kinds: keyEvent, orderBook, clearing, rules, reconciliation. No other fields are allowed.
/// </summary>
public static class LedgerExport
{
    /// <summary>The value of "format" on the first line.</summary>
    public const string FormatName = "market-ledger-export";

    /// <summary>The export format version written.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes a whole export.</summary>
    /// <param name="stream">Destination (left open).</param>
    /// <param name="blocks">All blocks in height order.</param>
    /// <param name="checkpoint">The latest checkpoint.</param>
    public static void Write(Stream stream, IEnumerable<LedgerBlock> blocks, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        using var writer = new LedgerExportWriter(stream);
        foreach (var block in blocks)
        {
            writer.WriteBlock(block);
        }

        writer.WriteCheckpoint(checkpoint);
    }

    /// <summary>Reads a whole export into memory (for small exports and tests; verify large ones while streaming
    /// with <see cref="ChainVerifier.VerifyExport"/>).</summary>
    /// <param name="stream">The export.</param>
    /// <returns>The blocks and the checkpoint (null when the file has none).</returns>
    /// <exception cref="LedgerFormatException">Malformed input, with the line number.</exception>
    public static (IReadOnlyList<LedgerBlock> Blocks, Checkpoint? Checkpoint) Read(Stream stream)
    {
        var reader = new LedgerExportReader(stream);
        var blocks = reader.ReadBlocks().ToList();
        return (blocks, reader.Checkpoint);
    }

    internal static string KindName(BlockKind kind) => kind switch
    {
        BlockKind.KeyEvent => "keyEvent",
        BlockKind.OrderBook => "orderBook",
        BlockKind.Clearing => "clearing",
        BlockKind.Rules => "rules",
        BlockKind.Reconciliation => "reconciliation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown block kind"),
    };
}

/// <summary>Writes an export line by line (see <see cref="LedgerExport"/>). The first line is written on
/// construction; write the blocks in height order, then exactly one checkpoint. Leaves the stream open.</summary>
public sealed class LedgerExportWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _json;
    private byte[] _hex = new byte[512];
    private bool _checkpointWritten;

    /// <summary>Starts an export on a stream and writes the format line.</summary>
    /// <param name="stream">Destination.</param>
    public LedgerExportWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        _json.WriteStartObject();
        _json.WriteString("format", LedgerExport.FormatName);
        _json.WriteNumber("version", LedgerExport.FormatVersion);
        _json.WriteEndObject();
        EndLine();
    }

    /// <summary>Writes one block line.</summary>
    /// <param name="block">The block; its header must be 170 bytes with a known kind.</param>
    public void WriteBlock(LedgerBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (_checkpointWritten)
        {
            throw new InvalidOperationException("the checkpoint is the last line");
        }

        var header = block.HeaderBytes;
        if (header.Length != BlockHeader.Size)
        {
            throw new ArgumentException($"a header is {BlockHeader.Size} bytes", nameof(block));
        }

        _json.WriteStartObject();
        _json.WriteString("type", "block");
        _json.WriteNumber("height", BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(3)));
        _json.WriteString("kind", LedgerExport.KindName((BlockKind)header[2]));
        WriteHex("header", header);
        WriteHex("signature", block.Signature);
        _json.WriteStartArray("leaves");
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            _json.WriteStringValue(Hex(block.Leaves.GetSpan(i)));
        }

        _json.WriteEndArray();
        _json.WriteEndObject();
        EndLine();
    }

    /// <summary>Writes the checkpoint line; nothing may follow it.</summary>
    /// <param name="checkpoint">The latest checkpoint.</param>
    public void WriteCheckpoint(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (_checkpointWritten)
        {
            throw new InvalidOperationException("an export has one checkpoint");
        }

        _json.WriteStartObject();
        _json.WriteString("type", "checkpoint");
        _json.WriteNumber("size", checkpoint.Size);
        WriteHex("root", checkpoint.Root);
        _json.WriteNumber("time", checkpoint.TimestampUnixMs);
        WriteHex("keyId", checkpoint.KeyId);
        WriteHex("signature", checkpoint.Signature);
        _json.WriteEndObject();
        EndLine();
        _checkpointWritten = true;
    }

    /// <summary>Flushes to the stream (the stream stays open).</summary>
    public void Dispose()
    {
        _json.Dispose();
        _stream.Flush();
    }

    private void WriteHex(string name, ReadOnlySpan<byte> bytes)
    {
        _json.WritePropertyName(name);
        _json.WriteStringValue(Hex(bytes));
    }

    private ReadOnlySpan<byte> Hex(ReadOnlySpan<byte> bytes)
    {
        if (_hex.Length < bytes.Length * 2)
        {
            _hex = new byte[Math.Max(bytes.Length * 2, _hex.Length * 2)];
        }

        Convert.TryToHexStringLower(bytes, _hex, out var written);
        return _hex.AsSpan(0, written);
    }

    private void EndLine()
    {
        _json.Flush();
        _stream.WriteByte((byte)'\n');
        _json.Reset();
    }
}

/// <summary>
/// Reads an export while streaming (see <see cref="LedgerExport"/>): blocks one line at a time, then the checkpoint.
/// Malformed input throws <see cref="LedgerFormatException"/> naming the line and the problem (syntax, wrong type,
/// missing, unknown or repeated field, bad hex, wrong length, height/kind not matching the header, content after the
/// checkpoint). Whether the blocks are valid is <see cref="ChainVerifier"/>'s job.
/// </summary>
public sealed class LedgerExportReader
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

    /// <summary>The fields of a block or checkpoint line, each at most once.</summary>
    private sealed class Fields
    {
        private readonly LeafList.Builder _leaves = new();
        private readonly HashSet<string> _seen = [];
        private long _number;

        public string? Type { get; private set; }

        private long? Height { get; set; }

        private string? Kind { get; set; }

        private byte[]? Header { get; set; }

        private byte[]? Signature { get; set; }

        private bool HasLeaves { get; set; }

        private long? Size { get; set; }

        private byte[]? Root { get; set; }

        private long? Time { get; set; }

        private byte[]? KeyId { get; set; }

        public static Fields Parse(ReadOnlySpan<byte> line, long number)
        {
            var fields = new Fields { _number = number };
            try
            {
                var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 3 });
                Expect(ref reader, JsonTokenType.StartObject, number, "a JSON object");
                while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    if (!fields._seen.Add(name))
                    {
                        throw Error(number, $"field \"{name}\" appears twice");
                    }

                    Next(ref reader);
                    fields.Read(name, ref reader);
                }

                ExpectEnd(ref reader, number);
            }
            catch (JsonException e)
            {
                throw Error(number, $"invalid JSON: {e.Message}");
            }

            return fields;
        }

        public LedgerBlock ToBlock(long number)
        {
            if (Type != "block")
            {
                throw Error(number, Type is null ? "missing \"type\"" : $"unknown line type \"{Type}\" (expected block or checkpoint)");
            }

            Allow(["type", "height", "kind", "header", "signature", "leaves"]);
            var header = Header ?? throw Missing("header");
            var signature = Signature ?? throw Missing("signature");
            var height = Height ?? throw Missing("height");
            var kind = Kind ?? throw Missing("kind");
            if (!HasLeaves)
            {
                throw Missing("leaves");
            }

            if (header.Length != BlockHeader.Size)
            {
                throw Error(number, $"\"header\" must be {BlockHeader.Size} bytes, got {header.Length}");
            }

            if (signature.Length != Signatures.SignatureSize)
            {
                throw Error(number, $"\"signature\" must be {Signatures.SignatureSize} bytes, got {signature.Length}");
            }

            if (height != BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(3)))
            {
                throw Error(number, "\"height\" does not match the header");
            }

            if (header[2] is < 1 or > 5 || kind != LedgerExport.KindName((BlockKind)header[2]))
            {
                throw Error(number, "\"kind\" does not match the header (keyEvent, orderBook, clearing, rules or reconciliation)");
            }

            return new LedgerBlock(header, signature, _leaves.Build());
        }

        public Checkpoint ToCheckpoint(long number)
        {
            Allow(["type", "size", "root", "time", "keyId", "signature"]);
            var root = Root ?? throw Missing("root");
            var keyId = KeyId ?? throw Missing("keyId");
            var signature = Signature ?? throw Missing("signature");
            if (root.Length != 32 || keyId.Length != 32 || signature.Length != Signatures.SignatureSize)
            {
                throw Error(number, "\"root\" and \"keyId\" must be 32 bytes and \"signature\" 64 bytes");
            }

            return new Checkpoint
            {
                Size = Size ?? throw Missing("size"),
                Root = root,
                TimestampUnixMs = Time ?? throw Missing("time"),
                KeyId = keyId,
                Signature = signature,
            };
        }

        private void Read(string name, ref Utf8JsonReader reader)
        {
            switch (name)
            {
                case "type":
                    Type = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw WrongType(name, "a string");
                    break;
                case "kind":
                    Kind = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw WrongType(name, "a string");
                    break;
                case "height":
                    Height = NonNegative(ref reader, name);
                    break;
                case "size":
                    Size = NonNegative(ref reader, name);
                    break;
                case "time":
                    Time = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var t) ? t : throw WrongType(name, "an integer");
                    break;
                case "header":
                    Header = HexValue(ref reader, name);
                    break;
                case "signature":
                    Signature = HexValue(ref reader, name);
                    break;
                case "root":
                    Root = HexValue(ref reader, name);
                    break;
                case "keyId":
                    KeyId = HexValue(ref reader, name);
                    break;
                case "leaves":
                    ReadLeaves(ref reader);
                    break;
                default:
                    throw Error(_number, $"unknown field \"{name}\"");
            }
        }

        private void ReadLeaves(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw WrongType("leaves", "an array of hex strings");
            }

            HasLeaves = true;
            while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                {
                    throw Error(_number, $"leaf {_leaves.Count}: expected a hex string");
                }

                var text = reader.ValueSpan;
                if ((text.Length & 1) == 1)
                {
                    throw Error(_number, $"leaf {_leaves.Count}: odd number of hex digits");
                }

                var destination = _leaves.Append(text.Length / 2);
                if (Convert.FromHexString(text, destination, out _, out var written) != OperationStatus.Done || written != destination.Length)
                {
                    throw Error(_number, $"leaf {_leaves.Count - 1}: not hex");
                }
            }
        }

        private byte[] HexValue(ref Utf8JsonReader reader, string name)
        {
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
            {
                throw WrongType(name, "a hex string");
            }

            var text = reader.ValueSpan;
            if ((text.Length & 1) == 1)
            {
                throw Error(_number, $"\"{name}\": odd number of hex digits");
            }

            var bytes = new byte[text.Length / 2];
            if (Convert.FromHexString(text, bytes, out _, out var written) != OperationStatus.Done || written != bytes.Length)
            {
                throw Error(_number, $"\"{name}\": not hex");
            }

            return bytes;
        }

        private long NonNegative(ref Utf8JsonReader reader, string name) =>
            reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0
                ? value
                : throw WrongType(name, "a non-negative integer");

        private LedgerFormatException WrongType(string name, string expected) => Error(_number, $"\"{name}\" must be {expected}");

        private LedgerFormatException Missing(string name) => Error(_number, $"missing field \"{name}\"");

        private void Allow(string[] allowed)
        {
            foreach (var name in _seen)
            {
                if (Array.IndexOf(allowed, name) < 0)
                {
                    throw Error(_number, $"field \"{name}\" is not allowed on a {Type} line");
                }
            }
        }
    }

    /// <summary>Splits a stream into '\n'-terminated lines (a trailing '\r' is dropped) without a string per line.</summary>
    private sealed class LineReader(Stream stream)
    {
        private byte[] _buffer = new byte[1 << 16];
        private int _start;
        private int _end;
        private bool _eof;

        public long LineNumber { get; private set; }

        public bool TryRead(out ReadOnlyMemory<byte> line)
        {
            var scanFrom = _start;
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
                if (newline >= 0)
                {
                    line = Trim(_buffer.AsMemory(_start, newline - _start));
                    _start = newline + 1;
                    LineNumber++;
                    return true;
                }

                if (_eof)
                {
                    if (_start == _end)
                    {
                        line = default;
                        return false;
                    }

                    line = Trim(_buffer.AsMemory(_start, _end - _start));
                    _start = _end;
                    LineNumber++;
                    return true;
                }

                scanFrom = _end - _start;
                Fill();
            }
        }

        private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line) =>
            line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;

        private void Fill()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, checked(_buffer.Length * 2));
            }

            var read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }
}
