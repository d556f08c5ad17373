using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>
/// Canonical trade leaf, version 2: a trade under the grid's limits (mechanism 3), 125 bytes, big-endian:
/// <c>version u8 (=2) | trade id u64 | interval start i64 | interval end i64 | buyer [16] | seller [16] |
/// buy sequence u64 | sell sequence u64 | energy Wh i64 | buy price i64 | sell price i64 | fee price i64 |
/// buyer amount i64 | seller amount i64 | meet node u32</c>.
/// </summary>
/// <param name="TradeId">Global trade id: 1-based and consecutive over all clearing blocks in height order.</param>
/// <param name="IntervalStart">Delivery interval start, Unix seconds.</param>
/// <param name="IntervalEnd">Delivery interval end (exclusive), Unix seconds.</param>
/// <param name="Buyer">Owner of the buy order.</param>
/// <param name="Seller">Owner of the sell order.</param>
/// <param name="BuySequence">Sequence of the buy order.</param>
/// <param name="SellSequence">Sequence of the sell order.</param>
/// <param name="EnergyWh">Traded energy in Wh.</param>
/// <param name="BuyPrice">What the buyer pays per kWh: its node's zone price (1/10,000 of the currency per kWh).</param>
/// <param name="SellPrice">What the seller receives per kWh: its node's zone price.</param>
/// <param name="FeePrice">The network fee of the trade's path per kWh (the rules' fee for the distance).</param>
/// <param name="BuyerAmount"><see cref="Money.Amount"/>(energy, buy price).</param>
/// <param name="SellerAmount"><see cref="Money.Amount"/>(energy, sell price).</param>
/// <param name="MeetNode">The nearest common ancestor of both orders' connections in the network in force.</param>
public readonly record struct GridTradeLeaf(
    long TradeId,
    long IntervalStart,
    long IntervalEnd,
    PartyId Buyer,
    PartyId Seller,
    long BuySequence,
    long SellSequence,
    long EnergyWh,
    long BuyPrice,
    long SellPrice,
    long FeePrice,
    long BuyerAmount,
    long SellerAmount,
    int MeetNode)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 125;

    /// <summary>The leaf format version (trade leaves under mechanism 1 are version 1).</summary>
    public const byte CurrentVersion = 2;

    /// <summary>Writes the 125 canonical bytes.</summary>
    /// <param name="destination">At least 125 bytes.</param>
    /// <exception cref="InvalidOperationException">A negative trade id, sequence or meet node.</exception>
    public void EncodeTo(Span<byte> destination)
    {
        if ((TradeId | BuySequence | SellSequence) < 0 || MeetNode < 0)
        {
            throw new InvalidOperationException("trade id, sequences and meet node must not be negative");
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
        BinaryPrimitives.WriteInt64BigEndian(destination[81..], BuyPrice);
        BinaryPrimitives.WriteInt64BigEndian(destination[89..], SellPrice);
        BinaryPrimitives.WriteInt64BigEndian(destination[97..], FeePrice);
        BinaryPrimitives.WriteInt64BigEndian(destination[105..], BuyerAmount);
        BinaryPrimitives.WriteInt64BigEndian(destination[113..], SellerAmount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[121..], (uint)MeetNode);
    }

    /// <summary>The 125 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode()
    {
        var bytes = new byte[Size];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Decodes exactly 125 bytes without throwing.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="leaf">The trade on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid version 2 trade leaf.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out GridTradeLeaf leaf, out string? error)
    {
        leaf = default;
        if (bytes.Length != Size || bytes[0] != CurrentVersion)
        {
            error = bytes.Length != Size ? $"trade leaf v2: expected {Size} bytes, got {bytes.Length}" : $"trade leaf v2: unsupported version {bytes[0]} (expected 2)";
            return false;
        }

        var tradeId = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var buy = BinaryPrimitives.ReadInt64BigEndian(bytes[57..]);
        var sell = BinaryPrimitives.ReadInt64BigEndian(bytes[65..]);
        var meet = BinaryPrimitives.ReadUInt32BigEndian(bytes[121..]);
        if ((tradeId | buy | sell) < 0 || meet > int.MaxValue)
        {
            error = "trade leaf v2: trade id or order sequence beyond 2^63-1, or meet node beyond 2^31-1";
            return false;
        }

        leaf = new GridTradeLeaf(
            tradeId,
            BinaryPrimitives.ReadInt64BigEndian(bytes[9..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[17..]),
            PartyId.Read(bytes[25..]),
            PartyId.Read(bytes[41..]),
            buy,
            sell,
            BinaryPrimitives.ReadInt64BigEndian(bytes[73..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[81..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[89..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[97..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[105..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[113..]),
            (int)meet);
        error = null;
        return true;
    }
}

/// <summary>
/// Canonical zone leaf, version 1 (after the trades of a mechanism-3 clearing block, one per node in node order;
/// 22 bytes, big-endian): <c>version u8 (=1) | type u8 (=3, zone) | node index u32 | zone price i64 | flow Wh i64</c>.
/// </summary>
/// <param name="Node">The node's index in the network in force.</param>
/// <param name="ZonePrice">The node's zone price, in 1/10,000 of the currency per kWh (may be negative only in theory; ±2^50).</param>
/// <param name="FlowWh">The node's net flow to its parent in Wh: positive when its subtree exports; 0 for the root.</param>
public readonly record struct ZoneLeaf(int Node, long ZonePrice, long FlowWh)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 22;

    /// <summary>The leaf format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The type byte of a zone leaf.</summary>
    public const byte Type = 3;

    /// <summary>Writes the 22 canonical bytes.</summary>
    /// <param name="destination">At least 22 bytes.</param>
    public void EncodeTo(Span<byte> destination)
    {
        destination[0] = CurrentVersion;
        destination[1] = Type;
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)Node);
        BinaryPrimitives.WriteInt64BigEndian(destination[6..], ZonePrice);
        BinaryPrimitives.WriteInt64BigEndian(destination[14..], FlowWh);
    }

    /// <summary>Decodes exactly 22 bytes without throwing.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="leaf">The zone on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a zone leaf.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out ZoneLeaf leaf, out string? error)
    {
        leaf = default;
        if (bytes.Length != Size || bytes[0] != CurrentVersion || bytes[1] != Type)
        {
            error = $"zone leaf: expected {Size} bytes starting 01 03";
            return false;
        }

        var node = BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);
        if (node > int.MaxValue)
        {
            error = "zone leaf: node index beyond 2^31-1";
            return false;
        }

        leaf = new ZoneLeaf((int)node, BinaryPrimitives.ReadInt64BigEndian(bytes[6..]), BinaryPrimitives.ReadInt64BigEndian(bytes[14..]));
        error = null;
        return true;
    }
}
