using System.Buffers.Binary;
using System.Text.Json;

namespace Market.Ledger;

/// <summary>Writes an export line by line (see <see cref="LedgerExport"/>). The first line is written on
/// construction; write the blocks in height order, then exactly one checkpoint. Leaves the stream open.</summary>
public sealed class LedgerExportWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _json;
    private RawLine? _line;
    private byte[] _hex = new byte[512];
    private bool _checkpointWritten;

    /// <summary>Starts an export on a stream and writes the format line.</summary>
    /// <param name="stream">Destination.</param>
    public LedgerExportWriter(Stream stream)
        : this(stream, formatLine: true)
    {
    }

    private LedgerExportWriter(Stream stream, bool formatLine)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        if (!formatLine)
        {
            return;
        }

        _json.WriteStartObject();
        _json.WriteString("format", LedgerExport.FormatName);
        _json.WriteNumber("version", LedgerExport.FormatVersion);
        _json.WriteEndObject();
        EndLine();
    }

    /// <summary>One block's export line, newline included, exactly as <see cref="WriteBlock"/> writes it (what a
    /// server keeps to answer several readers of the same block).</summary>
    /// <param name="block">The block.</param>
    /// <returns>The line's bytes.</returns>
    public static byte[] BlockLine(LedgerBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        long estimate = 512;
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            estimate += (2L * block.Leaves.GetSpan(i).Length) + 3;
        }

        using var stream = new MemoryStream((int)Math.Min(estimate, Array.MaxLength));
        using (var writer = new LedgerExportWriter(stream, formatLine: false))
        {
            writer.WriteBlock(block);
        }

        return stream.Length == stream.Capacity ? stream.GetBuffer() : stream.ToArray();
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

        // Written byte by byte rather than through the JSON writer: every value is ASCII (a number, a kind name, hex)
        // that JSON never escapes, so the line is exactly what the JSON writer would give, and an order book of
        // 100,000 orders (tens of MB of hex) is written several times faster.
        _line ??= new RawLine();
        _line.Start(_stream);
        _line.Ascii("{\"type\":\"block\",\"height\":"u8);
        _line.Number(BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(3)));
        _line.Ascii(",\"kind\":\""u8);
        _line.Ascii(LedgerExport.KindNameUtf8((BlockKind)header[2]));
        _line.Ascii("\",\"header\":\""u8);
        _line.Hex(header);
        _line.Ascii("\",\"signature\":\""u8);
        _line.Hex(block.Signature);
        _line.Ascii("\",\"leaves\":["u8);
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            _line.Ascii(i == 0 ? "\""u8 : ",\""u8);
            _line.Hex(block.Leaves.GetSpan(i));
            _line.Ascii("\""u8);
        }

        _line.Ascii("]}\n"u8);
        _line.Flush();
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

    /// <summary>Buffers one line's bytes in 64 KiB and writes them to the stream.</summary>
    private sealed class RawLine
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private Stream _stream = Stream.Null;
        private int _used;

        public void Start(Stream stream)
        {
            _stream = stream;
            _used = 0;
        }

        public void Ascii(ReadOnlySpan<byte> text)
        {
            if (text.Length > _buffer.Length - _used)
            {
                Flush();
                if (text.Length > _buffer.Length)
                {
                    _stream.Write(text);
                    return;
                }
            }

            text.CopyTo(_buffer.AsSpan(_used));
            _used += text.Length;
        }

        public void Number(long value)
        {
            Span<byte> digits = stackalloc byte[20];
            System.Buffers.Text.Utf8Formatter.TryFormat(value, digits, out var written);
            Ascii(digits[..written]);
        }

        public void Hex(ReadOnlySpan<byte> bytes)
        {
            while (bytes.Length > 0)
            {
                if (_buffer.Length - _used < 2)
                {
                    Flush();
                }

                var take = Math.Min(bytes.Length, (_buffer.Length - _used) / 2);
                Convert.TryToHexStringLower(bytes[..take], _buffer.AsSpan(_used), out var written);
                _used += written;
                bytes = bytes[take..];
            }
        }

        public void Flush()
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
