using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>
/// Canonical order leaf, version 1 (42 bytes, big-endian):
/// <c>version u8 (=1) | sequence u64 | owner [16] | side u8 (1 buy, 2 sell) | energy Wh i64 | limit price i64</c>.
/// </summary>
/// <param name="Sequence">The order's monotonic sequence number (time priority); 0 … 2^63−1.</param>
/// <param name="Owner">The pseudonymous owner.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="EnergyWh">Energy in Wh; the chain verifier requires it to be positive.</param>
/// <param name="LimitPrice">Limit price in 1/10,000 of the currency per kWh.</param>
public readonly record struct OrderLeaf(long Sequence, PartyId Owner, OrderSide Side, long EnergyWh, long LimitPrice)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 42;

    /// <summary>The leaf format version written by <see cref="Encode"/>.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The 42 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    internal byte[] Encode()
    {
        var bytes = new byte[Size];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Writes the 42 canonical bytes.</summary>
    /// <param name="destination">At least 42 bytes.</param>
    /// <exception cref="InvalidOperationException">A negative sequence or an undefined side.</exception>
    public void EncodeTo(Span<byte> destination)
    {
        if (Sequence < 0 || Side is not (OrderSide.Buy or OrderSide.Sell))
        {
            throw new InvalidOperationException("an order needs a sequence >= 0 and side Buy (1) or Sell (2)");
        }

        if (destination.Length < Size)
        {
            throw new ArgumentException($"destination needs {Size} bytes", nameof(destination));
        }

        destination[0] = CurrentVersion;
        BinaryPrimitives.WriteInt64BigEndian(destination[1..], Sequence);
        Owner.WriteTo(destination[9..]);
        destination[25] = (byte)Side;
        BinaryPrimitives.WriteInt64BigEndian(destination[26..], EnergyWh);
        BinaryPrimitives.WriteInt64BigEndian(destination[34..], LimitPrice);
    }

    /// <summary>Decodes exactly 42 bytes.</summary>
    /// <param name="bytes">The leaf bytes.</param>
    /// <returns>The order.</returns>
    /// <exception cref="LedgerFormatException">Wrong length, version, side or a sequence beyond 2^63−1.</exception>
    public static OrderLeaf Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var leaf, out var error) ? leaf : throw new LedgerFormatException(error!);

    /// <summary>Decodes exactly 42 bytes without throwing.</summary>
    /// <param name="bytes">The leaf bytes.</param>
    /// <param name="leaf">The order on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid order leaf.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out OrderLeaf leaf, out string? error)
    {
        leaf = default;
        if (bytes.Length != Size)
        {
            error = $"order leaf: expected {Size} bytes, got {bytes.Length}";
            return false;
        }

        if (bytes[0] != CurrentVersion)
        {
            error = $"order leaf: unsupported version {bytes[0]} (expected {CurrentVersion})";
            return false;
        }

        var sequence = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        if (sequence < 0)
        {
            error = "order leaf: sequence beyond 2^63-1";
            return false;
        }

        var side = bytes[25];
        if (side is not ((byte)OrderSide.Buy or (byte)OrderSide.Sell))
        {
            error = $"order leaf: side must be 1 (buy) or 2 (sell), got {side}";
            return false;
        }

        leaf = new OrderLeaf(
            sequence,
            PartyId.Read(bytes[9..]),
            (OrderSide)side,
            BinaryPrimitives.ReadInt64BigEndian(bytes[26..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[34..]));
        error = null;
        return true;
    }
}
