using System.Collections;

namespace Market.Ledger;

/// <summary>
/// The leaves of one block, stored contiguously (one array for all leaves, no allocation per leaf). Leaf i is
/// <see cref="this[int]"/> or <see cref="GetSpan"/>; <c>leaves[i].ToArray()</c> gives a copy for storage as a BLOB.
/// Immutable once built.
/// </summary>
public sealed class LeafList : IReadOnlyList<ReadOnlyMemory<byte>>
{
    private readonly byte[] _data;
    private readonly int[]? _offsets;
    private readonly int _fixedSize;

    private LeafList(byte[] data, int[]? offsets, int fixedSize, int count)
    {
        _data = data;
        _offsets = offsets;
        _fixedSize = fixedSize;
        Count = count;
    }

    /// <summary>A list with no leaves.</summary>
    public static LeafList Empty { get; } = new([], null, 0, 0);

    /// <summary>Number of leaves.</summary>
    public int Count { get; }

    /// <summary>Leaf <paramref name="index"/> as memory over the shared buffer (no copy).</summary>
    /// <param name="index">0-based leaf index.</param>
    public ReadOnlyMemory<byte> this[int index]
    {
        get
        {
            var (start, length) = Range(index);
            return new ReadOnlyMemory<byte>(_data, start, length);
        }
    }

    /// <summary>Copies the given leaves into one buffer.</summary>
    /// <param name="leaves">The leaves in order.</param>
    /// <returns>The list.</returns>
    public static LeafList FromArrays(IEnumerable<byte[]> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var builder = new Builder();
        foreach (var leaf in leaves)
        {
            ArgumentNullException.ThrowIfNull(leaf, nameof(leaves));
            builder.Add(leaf);
        }

        return builder.Build();
    }

    /// <summary>Leaf <paramref name="index"/> as a span over the shared buffer (no copy).</summary>
    /// <param name="index">0-based leaf index.</param>
    /// <returns>The leaf bytes.</returns>
    public ReadOnlySpan<byte> GetSpan(int index)
    {
        var (start, length) = Range(index);
        return new ReadOnlySpan<byte>(_data, start, length);
    }

    /// <summary>All leaves as separate arrays (copies), e.g. for storing one row per leaf.</summary>
    /// <returns>One array per leaf.</returns>
    internal byte[][] ToArrays()
    {
        var result = new byte[Count][];
        for (var i = 0; i < Count; i++)
        {
            result[i] = GetSpan(i).ToArray();
        }

        return result;
    }

    /// <inheritdoc/>
    public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether every leaf has the same length (then they are stored back to back).</summary>
    internal bool IsFixedSize => _offsets is null;

    /// <summary>The common leaf length when <see cref="IsFixedSize"/>.</summary>
    internal int FixedLength => _fixedSize;

    internal static LeafList FixedSize(byte[] data, int leafSize, int count) => new(data, null, leafSize, count);

    /// <summary>The bytes of leaves [start, start + count) of a fixed-size list.</summary>
    internal ReadOnlySpan<byte> FixedRange(int start, int count) => _data.AsSpan(start * _fixedSize, count * _fixedSize);

    private (int Start, int Length) Range(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"leaf index must be below {Count}");
        }

        return _offsets is null
            ? (index * _fixedSize, _fixedSize)
            : (_offsets[index], _offsets[index + 1] - _offsets[index]);
    }

    /// <summary>Builds a leaf list by appending leaves (used by readers).</summary>
    internal sealed class Builder(int capacity = 256)
    {
        private byte[] _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(16, capacity));
        private int[] _offsets = new int[9];
        private int _count;

        public int Count => _count;

        public Span<byte> Append(int length)
        {
            var start = _offsets[_count];
            if (start + length > _buffer.Length)
            {
                var grown = GC.AllocateUninitializedArray<byte>(Math.Max(_buffer.Length * 2, start + length));
                _buffer.AsSpan(0, start).CopyTo(grown);
                _buffer = grown;
            }

            if (_count + 2 > _offsets.Length)
            {
                Array.Resize(ref _offsets, _offsets.Length * 2);
            }

            _count++;
            _offsets[_count] = start + length;
            return _buffer.AsSpan(start, length);
        }

        /// <summary>Shrinks the last appended leaf to <paramref name="length"/> bytes.</summary>
        public void TrimLast(int length) => _offsets[_count] = _offsets[_count - 1] + length;

        public void Add(ReadOnlySpan<byte> leaf) => leaf.CopyTo(Append(leaf.Length));

        public LeafList Build()
        {
            if (_count == 0)
            {
                return Empty;
            }

            var total = _offsets[_count];
            var length = _offsets[1] - _offsets[0];
            var uniform = true;
            for (var i = 1; i < _count && uniform; i++)
            {
                uniform = _offsets[i + 1] - _offsets[i] == length;
            }

            // The buffer is handed over when little of it is unused (a builder sized from the export line's length),
            // else copied to its length; the builder is not used after Build.
            var data = _buffer.Length - total <= total / 8 ? _buffer : _buffer.AsSpan(0, total).ToArray();
            _buffer = [];
            return uniform
                ? new LeafList(data, null, length, _count)
                : new LeafList(data, _offsets.AsSpan(0, _count + 1).ToArray(), 0, _count);
        }
    }
}
