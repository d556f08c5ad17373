using Market.Ledger;

namespace Market.Witnesses;

/// <summary>
/// Writes export lines without the format line <see cref="LedgerExportWriter"/> starts with, so lines can be appended
/// to a replica file or served after bytes already sent, byte for byte as the market's writer produces them.
/// </summary>
internal sealed class ExportLines : Stream
{
    private readonly Stream _inner;
    private bool _pastFirstLine;

    public ExportLines(Stream inner) => _inner = inner;

    /// <summary>Bytes forwarded to the inner stream so far.</summary>
    public long Written { get; private set; }

    /// <summary>The checkpoint line of an export (with its newline).</summary>
    public static byte[] CheckpointLine(Checkpoint checkpoint)
    {
        using var buffer = new MemoryStream();
        using (var writer = new LedgerExportWriter(new ExportLines(buffer)))
        {
            writer.WriteCheckpoint(checkpoint);
        }

        return buffer.ToArray();
    }

    /// <summary>The format line every export starts with (with its newline).</summary>
    public static byte[] FormatLine()
    {
        using var buffer = new MemoryStream();
        using (new LedgerExportWriter(buffer))
        {
        }

        return buffer.ToArray();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!_pastFirstLine)
        {
            var end = buffer.IndexOf((byte)'\n');
            if (end < 0)
            {
                return;
            }

            _pastFirstLine = true;
            buffer = buffer[(end + 1)..];
        }

        _inner.Write(buffer);
        Written += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => _inner.Flush();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
