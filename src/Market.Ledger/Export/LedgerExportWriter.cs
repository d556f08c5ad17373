using System.Buffers.Binary;
using System.Text.Json;

namespace Market.Ledger;

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
