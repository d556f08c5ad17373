using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// Canonical order leaf, version 2 (docs/ledger-format.md §5.3, big-endian):
/// <c>version u8 (=2) | sequence u64 | owner [16] | side u8 (1 buy, 2 sell) | energy Wh i64 | limit price i64 |
/// nonce [16] | authorisation tail</c>; the tail is a household's submission signature (163 + 32k bytes in all) or a
/// mandate id (91 bytes in all). The order's statement (§3.1, type 6) is these fields with the book's interval.
/// </summary>
/// <param name="Sequence">The order's monotonic sequence number (time priority); 0 … 2^63−1.</param>
/// <param name="Owner">The pseudonymous owner.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="EnergyWh">Energy in Wh; the chain verifier requires it to be positive.</param>
/// <param name="LimitPrice">Limit price in 1/10,000 of the currency per kWh.</param>
/// <param name="Nonce">16 bytes: the household's, or <see cref="MandateNonce"/> for a mandate order.</param>
/// <param name="Authorization">The household's signature (<see cref="SignedOrder"/>) or its mandate (<see cref="MandateOrder"/>).</param>
public readonly record struct OrderLeaf(
    long Sequence, PartyId Owner, OrderSide Side, long EnergyWh, long LimitPrice, byte[] Nonce, OrderAuthorization Authorization)
{
    /// <summary>Length of the fields before the authorisation tail.</summary>
    public const int FixedSize = 58;

    /// <summary>The leaf format version written by <see cref="Encode"/>.</summary>
    public const byte CurrentVersion = 2;

    /// <summary>The encoded length: 58 + the tail.</summary>
    public int EncodedLength => FixedSize + (Authorization?.TailLength ?? 0);

    /// <summary>The canonical bytes.</summary>
    /// <returns>A new array of <see cref="EncodedLength"/> bytes.</returns>
    /// <exception cref="InvalidOperationException">A negative sequence, an undefined side, a nonce that is not 16
    /// bytes or no authorisation.</exception>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Writes the canonical bytes.</summary>
    /// <param name="destination">At least <see cref="EncodedLength"/> bytes.</param>
    /// <exception cref="InvalidOperationException">A negative sequence, an undefined side, a nonce that is not 16
    /// bytes or no authorisation.</exception>
    public void EncodeTo(Span<byte> destination)
    {
        if (Sequence < 0 || Side is not (OrderSide.Buy or OrderSide.Sell) || Nonce is not { Length: Statement.NonceSize } || Authorization is null)
        {
            throw new InvalidOperationException("an order needs a sequence >= 0, side Buy (1) or Sell (2), a 16-byte nonce and an authorisation");
        }

        if (destination.Length < EncodedLength)
        {
            throw new ArgumentException($"destination needs {EncodedLength} bytes", nameof(destination));
        }

        destination[0] = CurrentVersion;
        BinaryPrimitives.WriteInt64BigEndian(destination[1..], Sequence);
        Owner.WriteTo(destination[9..]);
        destination[25] = (byte)Side;
        BinaryPrimitives.WriteInt64BigEndian(destination[26..], EnergyWh);
        BinaryPrimitives.WriteInt64BigEndian(destination[34..], LimitPrice);
        Nonce.CopyTo(destination[42..]);
        Authorization.WriteTail(destination[FixedSize..]);
    }

    /// <summary>The order's statement (§3.1, type 6) for the book's interval.</summary>
    /// <param name="ledgerId">The ledger id (header hash of block 0).</param>
    /// <param name="intervalStart">The book's interval start.</param>
    /// <param name="intervalEnd">The book's interval end.</param>
    /// <returns>The statement bytes (114 bytes).</returns>
    public byte[] StatementBytes(ReadOnlySpan<byte> ledgerId, long intervalStart, long intervalEnd) =>
        Ledger.Statement.Encode(ledgerId, Owner, StatementType.Order,
            Ledger.Statement.OrderBody(intervalStart, intervalEnd, Side, EnergyWh, LimitPrice, Nonce));

    /// <summary>The order's statement hash (what a submission signs, what a cancellation and a receipt name).</summary>
    /// <param name="ledgerId">The ledger id (header hash of block 0).</param>
    /// <param name="intervalStart">The book's interval start.</param>
    /// <param name="intervalEnd">The book's interval end.</param>
    /// <returns>32 bytes.</returns>
    public byte[] StatementHash(ReadOnlySpan<byte> ledgerId, long intervalStart, long intervalEnd)
    {
        var hash = new byte[32];
        StatementHash(ledgerId, intervalStart, intervalEnd, hash);
        return hash;
    }

    /// <summary>The order's statement hash into <paramref name="destination"/> (no allocation).</summary>
    internal void StatementHash(ReadOnlySpan<byte> ledgerId, long intervalStart, long intervalEnd, Span<byte> destination)
    {
        Span<byte> statement = stackalloc byte[StatementSize];
        WriteStatement(ledgerId, intervalStart, intervalEnd, statement);
        SHA256.HashData(statement, destination);
    }

    /// <summary>Length of an order's statement (what its statement hash is the SHA-256 of).</summary>
    internal const int StatementSize = Ledger.Statement.PrefixSize + Ledger.Statement.OrderBodySize;

    /// <summary>The order's statement into <paramref name="destination"/> (<see cref="StatementSize"/> bytes), for
    /// hashing many at once.</summary>
    internal void WriteStatement(ReadOnlySpan<byte> ledgerId, long intervalStart, long intervalEnd, Span<byte> destination)
    {
        Ledger.Statement.Write(destination, ledgerId, Owner, StatementType.Order);
        Ledger.Statement.WriteOrderBody(destination[Ledger.Statement.PrefixSize..], intervalStart, intervalEnd, Side, EnergyWh, LimitPrice, Nonce);
    }

    /// <summary>The nonce of an order the market places under a mandate: the first 16 bytes of
    /// <c>SHA-256(mandate id ‖ interval start i64 ‖ sequence u64)</c>.</summary>
    /// <param name="mandateId">The mandate id (32 bytes).</param>
    /// <param name="intervalStart">The order's interval start.</param>
    /// <param name="sequence">The order's sequence.</param>
    /// <returns>16 bytes.</returns>
    public static byte[] MandateNonce(byte[] mandateId, long intervalStart, long sequence)
    {
        ArgumentNullException.ThrowIfNull(mandateId);
        Span<byte> buffer = stackalloc byte[48];
        Span<byte> hash = stackalloc byte[32];
        return MandateNonceInto(mandateId, intervalStart, sequence, buffer, hash);
    }

    /// <summary>Decodes one order leaf; throws when it is not valid.</summary>
    /// <param name="bytes">The leaf bytes.</param>
    /// <returns>The order.</returns>
    /// <exception cref="LedgerFormatException">See <see cref="TryDecode"/>.</exception>
    public static OrderLeaf Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var leaf, out var error) ? leaf : throw new LedgerFormatException(error!);

    /// <summary>Decodes one order leaf without throwing: version 2, a sequence within 2^63−1, side 1 or 2, and an
    /// authorisation tail that fills the rest exactly (a signed tail's path of the length its index and size give).</summary>
    /// <param name="bytes">The leaf bytes.</param>
    /// <param name="leaf">The order on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid order leaf.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out OrderLeaf leaf, out string? error)
    {
        leaf = default;
        if (bytes.Length < FixedSize + 1)
        {
            error = $"order leaf: expected at least {FixedSize + 1} bytes, got {bytes.Length}";
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

        if (!OrderAuthorization.TryDecode(bytes[FixedSize..], out var authorization, out var tailError))
        {
            error = $"order leaf: {tailError}";
            return false;
        }

        leaf = new OrderLeaf(
            sequence,
            PartyId.Read(bytes[9..]),
            (OrderSide)side,
            BinaryPrimitives.ReadInt64BigEndian(bytes[26..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[34..]),
            bytes[42..58].ToArray(),
            authorization);
        error = null;
        return true;
    }

    /// <summary>Value equality, the nonce byte by byte.</summary>
    /// <param name="other">The other order.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(OrderLeaf other) => Sequence == other.Sequence && Owner == other.Owner && Side == other.Side
        && EnergyWh == other.EnergyWh && LimitPrice == other.LimitPrice
        && Nonce.AsSpan().SequenceEqual(other.Nonce) && Equals(Authorization, other.Authorization);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sequence, Owner, Side, EnergyWh, LimitPrice);

    internal static byte[] MandateNonceInto(ReadOnlySpan<byte> mandateId, long intervalStart, long sequence, Span<byte> buffer, Span<byte> hash)
    {
        if (mandateId.Length != 32)
        {
            throw new ArgumentException("a mandate id is 32 bytes", nameof(mandateId));
        }

        mandateId.CopyTo(buffer);
        BinaryPrimitives.WriteInt64BigEndian(buffer[32..], intervalStart);
        BinaryPrimitives.WriteInt64BigEndian(buffer[40..], sequence);
        SHA256.HashData(buffer[..48], hash);
        return hash[..16].ToArray();
    }
}
