using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Market.Matching;

namespace Market.Cli.Json;

/// <summary>
/// A parsed <c>market clear</c> input in columns, ready for <see cref="Clearer"/>. String ids are kept as UTF-8
/// bytes in one buffer (no string per order); <see cref="FirstOccurrence"/> maps every order to the position of
/// the first order with the same id, which is the numeric id given to the matching engine, so the engine's own
/// duplicate check finds duplicates with its documented precedence.
/// </summary>
internal sealed class ClearRequest
{
    private byte[] _idBytes;
    private int[] _idEnds;
    private long[] _firstOccurrence;
    private Side[] _sides;
    private long[] _energies;
    private long[] _prices;
    private long[] _sequences;
    private int _idLength;

    public ClearRequest(int capacity)
    {
        capacity = Math.Max(capacity, 16);
        _idBytes = new byte[capacity * 8];
        _idEnds = new int[capacity];
        _firstOccurrence = new long[capacity];
        _sides = new Side[capacity];
        _energies = new long[capacity];
        _prices = new long[capacity];
        _sequences = new long[capacity];
    }

    public Mechanism Mechanism { get; set; } = Mechanism.UniformPrice;

    public int Count { get; private set; }

    public ReadOnlySpan<long> FirstOccurrence => _firstOccurrence.AsSpan(0, Count);

    public ReadOnlySpan<Side> Sides => _sides.AsSpan(0, Count);

    public ReadOnlySpan<long> EnergiesWh => _energies.AsSpan(0, Count);

    public ReadOnlySpan<long> Prices => _prices.AsSpan(0, Count);

    public ReadOnlySpan<long> Sequences => _sequences.AsSpan(0, Count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> IdUtf8(int index)
    {
        var start = index == 0 ? 0 : _idEnds[index - 1];
        return _idBytes.AsSpan(start, _idEnds[index] - start);
    }

    public string IdString(int index) => Encoding.UTF8.GetString(IdUtf8(index));

    /// <summary>Room for the next id's bytes, at most <paramref name="maxLength"/> long; commit with <see cref="Add"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> IdBuffer(int maxLength)
    {
        if (_idBytes.Length - _idLength < maxLength)
        {
            Array.Resize(ref _idBytes, Math.Max(_idBytes.Length * 2, _idLength + maxLength));
        }

        return _idBytes.AsSpan(_idLength, maxLength);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int idLength, Side side, long energyWh, long price, long sequence)
    {
        if (Count == _sides.Length)
        {
            var capacity = Count * 2;
            Array.Resize(ref _idEnds, capacity);
            Array.Resize(ref _firstOccurrence, capacity);
            Array.Resize(ref _sides, capacity);
            Array.Resize(ref _energies, capacity);
            Array.Resize(ref _prices, capacity);
            Array.Resize(ref _sequences, capacity);
        }

        _idLength += idLength;
        _idEnds[Count] = _idLength;
        _sides[Count] = side;
        _energies[Count] = energyWh;
        _prices[Count] = price;
        _sequences[Count] = sequence;
        Count++;
    }

    /// <summary>Fills <see cref="FirstOccurrence"/> with an open-addressing hash table over the id bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ResolveDuplicateIds()
    {
        // At most half full, so probe runs stay short. A slot holds the hash's upper 32 bits and the position + 1,
        // so the id bytes (elsewhere in memory) are compared only when the tags agree. The seed is random per run so
        // that no input can be crafted to collide; it changes only the table layout, never the result.
        var size = (int)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(16, 2L * Count));
        var slots = new ulong[size];
        var mask = size - 1;
        var seed = (ulong)Random.Shared.NextInt64() | 1;
        for (var i = 0; i < Count; i++)
        {
            var id = IdUtf8(i);
            var hash = Hash(id, seed);
            var tag = hash & 0xFFFF_FFFF_0000_0000UL;
            var slot = (int)(hash & (ulong)mask);
            while (true)
            {
                var occupant = slots[slot];
                if (occupant == 0)
                {
                    slots[slot] = tag | (uint)(i + 1);
                    _firstOccurrence[i] = i;
                    break;
                }

                var other = (int)unchecked((uint)occupant) - 1;
                if ((occupant & 0xFFFF_FFFF_0000_0000UL) == tag && IdUtf8(other).SequenceEqual(id))
                {
                    _firstOccurrence[i] = other;
                    break;
                }

                slot = (slot + 1) & mask;
            }
        }
    }

    /// <summary>A multiply-rotate hash over 8-byte words; ids are short, so this beats a general-purpose hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ReadOnlySpan<byte> bytes, ulong seed)
    {
        unchecked
        {
            var hash = seed ^ (ulong)bytes.Length;
            while (bytes.Length >= 8)
            {
                hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0x9E3779B97F4A7C15UL, 29);
                bytes = bytes[8..];
            }

            ulong tail = 0;
            for (var k = 0; k < bytes.Length; k++)
            {
                tail |= (ulong)bytes[k] << (8 * k);
            }

            hash = (hash ^ tail) * 0x9E3779B97F4A7C15UL;
            return hash ^ (hash >> 32);
        }
    }
}
