using System.Buffers;

namespace Market.Ledger;

public sealed partial class LedgerExportReader
{
    /// <summary>Splits a stream into '\n'-terminated lines (a trailing '\r' is dropped) without a string per line.</summary>
    /// <remarks>The buffer comes from the shared array pool and goes back to it at <see cref="Release"/>: an order
    /// book's line is tens of MB, and fresh memory of that size costs more to touch than to parse.</remarks>
    private sealed class LineReader(Stream stream)
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
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

        /// <summary>Gives the buffer back to the pool; no line read before may be used after this.</summary>
        public void Release()
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
                _start = _end = 0;
                _eof = true;
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
                var grown = ArrayPool<byte>.Shared.Rent(checked(_buffer.Length * 2));
                _buffer.AsSpan(0, _end).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = grown;
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
