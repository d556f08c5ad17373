using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>
/// Canonical trade leaf, version 1 (97 bytes, big-endian):
/// <c>version u8 (=1) | trade id u64 | interval start i64 | interval end i64 | buyer [16] | seller [16] |
/// buy order sequence u64 | sell order sequence u64 | energy Wh i64 | price i64 | amount i64</c>.
/// </summary>
/// <param name="TradeId">Global trade id: 1-based and consecutive over all clearing blocks in height order.</param>
/// <param name="IntervalStart">Delivery interval start, Unix seconds.</param>
/// <param name="IntervalEnd">Delivery interval end (exclusive), Unix seconds.</param>
/// <param name="Buyer">Pseudonymous buyer (owner of the buy order).</param>
/// <param name="Seller">Pseudonymous seller (owner of the sell order).</param>
/// <param name="BuySequence">Sequence of the matched buy order.</param>
/// <param name="SellSequence">Sequence of the matched sell order.</param>
/// <param name="EnergyWh">Traded energy in Wh.</param>
/// <param name="Price">Trade price in 1/10,000 of the currency per kWh.</param>
/// <param name="Amount">Money in 1/10,000 of the currency; must equal <see cref="Money.Amount"/>(energy, price).</param>
public readonly record struct TradeLeaf(
    long TradeId,
    long IntervalStart,
    long IntervalEnd,
    PartyId Buyer,
    PartyId Seller,
    long BuySequence,
    long SellSequence,
    long EnergyWh,
    long Price,
    long Amount)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 97;

    /// <summary>The leaf format version written by <see cref="Encode"/>.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Creates a trade whose amount is computed with <see cref="Money.Amount"/>.</summary>
    /// <param name="tradeId">Global 1-based trade id.</param>
    /// <param name="intervalStart">Interval start, Unix seconds.</param>
    /// <param name="intervalEnd">Interval end, Unix seconds.</param>
    /// <param name="fill">Who traded what at which price.</param>
    /// <returns>The trade.</returns>
    public static TradeLeaf Create(long tradeId, long intervalStart, long intervalEnd, TradeFill fill) =>
        new(tradeId, intervalStart, intervalEnd, fill.Buyer, fill.Seller, fill.BuySequence, fill.SellSequence,
            fill.EnergyWh, fill.Price, Money.Amount(fill.EnergyWh, fill.Price));

    /// <summary>The 97 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    internal byte[] Encode()
    {
        var bytes = new byte[Size];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Writes the 97 canonical bytes.</summary>
    /// <param name="destination">At least 97 bytes.</param>
    /// <exception cref="InvalidOperationException">A negative trade id or sequence.</exception>
    public void EncodeTo(Span<byte> destination)
    {
        if ((TradeId | BuySequence | SellSequence) < 0)
        {
            throw new InvalidOperationException("trade id and sequences must not be negative");
        }

        if (destination.Length < Size)
        {
            throw new ArgumentException($"destination needs {Size} bytes", nameof(destination));
        }

        destination[0] = CurrentVersion;
        BinaryPrimitives.WriteInt64BigEndian(destination[1..], TradeId);
        BinaryPrimitives.WriteInt64BigEndian(destination[9..], IntervalStart);
        BinaryPrimitives.WriteInt64BigEndian(destination[17..], IntervalEnd);
        Buyer.WriteTo(destination[25..]);
        Seller.WriteTo(destination[41..]);
        BinaryPrimitives.WriteInt64BigEndian(destination[57..], BuySequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[65..], SellSequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[73..], EnergyWh);
        BinaryPrimitives.WriteInt64BigEndian(destination[81..], Price);
        BinaryPrimitives.WriteInt64BigEndian(destination[89..], Amount);
    }

    /// <summary>Decodes exactly 97 bytes.</summary>
    /// <param name="bytes">The leaf bytes.</param>
    /// <returns>The trade.</returns>
    /// <exception cref="LedgerFormatException">Wrong length or version, or an id/sequence beyond 2^63−1.</exception>
    public static TradeLeaf Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var leaf, out var error) ? leaf : throw new LedgerFormatException(error!);

    /// <summary>Decodes exactly 97 bytes without throwing.</summary>
    /// <param name="bytes">The leaf bytes.</param>
    /// <param name="leaf">The trade on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid trade leaf.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out TradeLeaf leaf, out string? error)
    {
        leaf = default;
        if (bytes.Length != Size)
        {
            error = $"trade leaf: expected {Size} bytes, got {bytes.Length}";
            return false;
        }

        if (bytes[0] != CurrentVersion)
        {
            error = $"trade leaf: unsupported version {bytes[0]} (expected {CurrentVersion})";
            return false;
        }

        var tradeId = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var buySequence = BinaryPrimitives.ReadInt64BigEndian(bytes[57..]);
        var sellSequence = BinaryPrimitives.ReadInt64BigEndian(bytes[65..]);
        if ((tradeId | buySequence | sellSequence) < 0)
        {
            error = "trade leaf: trade id or order sequence beyond 2^63-1";
            return false;
        }

        leaf = new TradeLeaf(
            tradeId,
            BinaryPrimitives.ReadInt64BigEndian(bytes[9..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[17..]),
            PartyId.Read(bytes[25..]),
            PartyId.Read(bytes[41..]),
            buySequence,
            sellSequence,
            BinaryPrimitives.ReadInt64BigEndian(bytes[73..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[81..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[89..]));
        error = null;
        return true;
    }
}
