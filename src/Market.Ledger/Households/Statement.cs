using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>A statement taken apart by <see cref="Statement.TryDecode"/>.</summary>
/// <param name="LedgerId">The ledger id (header hash of block 0), 32 bytes.</param>
/// <param name="Household">The household that states it.</param>
/// <param name="Type">The statement type.</param>
/// <param name="Body">The type's body (validated).</param>
public sealed record DecodedStatement(byte[] LedgerId, PartyId Household, StatementType Type, byte[] Body)
{
    /// <summary>For an order statement (type 6): its fields.</summary>
    /// <param name="intervalStart">Interval start, Unix seconds.</param>
    /// <param name="intervalEnd">Interval end, Unix seconds.</param>
    /// <param name="side">Buy or sell.</param>
    /// <param name="energyWh">Energy, Wh.</param>
    /// <param name="limitPrice">Limit price.</param>
    /// <param name="nonce">The 16-byte nonce.</param>
    /// <returns>Whether this is an order statement.</returns>
    public bool TryGetOrder(out long intervalStart, out long intervalEnd, out OrderSide side, out long energyWh, out long limitPrice, out byte[] nonce)
    {
        if (Type != StatementType.Order || Body.Length != Statement.OrderBodySize)
        {
            (intervalStart, intervalEnd, side, energyWh, limitPrice, nonce) = (0, 0, default, 0, 0, []);
            return false;
        }

        intervalStart = BinaryPrimitives.ReadInt64BigEndian(Body);
        intervalEnd = BinaryPrimitives.ReadInt64BigEndian(Body.AsSpan(8));
        side = (OrderSide)Body[16];
        energyWh = BinaryPrimitives.ReadInt64BigEndian(Body.AsSpan(17));
        limitPrice = BinaryPrimitives.ReadInt64BigEndian(Body.AsSpan(25));
        nonce = Body[33..];
        return true;
    }
}

/// <summary>
/// Household statements (docs/ledger-format.md §3.1): what a household says, as canonical bytes
/// <c>"MarketStatement" ‖ version u8 = 1 ‖ ledger id [32] ‖ household [16] ‖ type u8 ‖ body</c>. Statements are
/// hashed (<see cref="Hash"/>) and the hashes signed per submission (<see cref="HouseholdSignature"/>); the ledger
/// holds their fields, never the statement bytes themselves.
/// </summary>
public static class Statement
{
    /// <summary>The statement format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Length of the fixed part before the body: tag 15, version 1, ledger id 32, household 16, type 1.</summary>
    public const int PrefixSize = 65;

    /// <summary>Length of an order body: start, end, side, energy, price, nonce.</summary>
    public const int OrderBodySize = 49;

    /// <summary>Length of a nonce.</summary>
    public const int NonceSize = 16;

    /// <summary>Length of a ledger id.</summary>
    public const int LedgerIdSize = 32;

    private static ReadOnlySpan<byte> Tag => "MarketStatement"u8;

    /// <summary>The canonical statement bytes.</summary>
    /// <param name="ledgerId">The ledger id: header hash of block 0 (32 bytes).</param>
    /// <param name="household">The household.</param>
    /// <param name="type">The statement type.</param>
    /// <param name="body">The body (not validated here).</param>
    /// <returns>A new array of 65 + body length bytes.</returns>
    public static byte[] Encode(ReadOnlySpan<byte> ledgerId, PartyId household, StatementType type, ReadOnlySpan<byte> body)
    {
        var bytes = new byte[PrefixSize + body.Length];
        Write(bytes, ledgerId, household, type);
        body.CopyTo(bytes.AsSpan(PrefixSize));
        return bytes;
    }

    /// <summary>SHA-256 of statement bytes: the statement hash (an order's identity, a mandate's id).</summary>
    /// <param name="statement">The statement bytes.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] Hash(ReadOnlySpan<byte> statement) => SHA256.HashData(statement);

    /// <summary>The body of an order statement (type 6), 49 bytes.</summary>
    /// <param name="intervalStart">Interval start, Unix seconds.</param>
    /// <param name="intervalEnd">Interval end (exclusive), Unix seconds.</param>
    /// <param name="side">Buy (1) or sell (2).</param>
    /// <param name="energyWh">Energy in Wh.</param>
    /// <param name="limitPrice">Limit price per kWh in 1/10,000 of the currency.</param>
    /// <param name="nonce16">The order's 16-byte nonce.</param>
    /// <returns>A new array.</returns>
    public static byte[] OrderBody(long intervalStart, long intervalEnd, OrderSide side, long energyWh, long limitPrice, ReadOnlySpan<byte> nonce16)
    {
        var body = new byte[OrderBodySize];
        WriteOrderBody(body, intervalStart, intervalEnd, side, energyWh, limitPrice, nonce16);
        return body;
    }

    /// <summary>The body of a key enrolment (type 1): role ‖ algorithm ‖ public key.</summary>
    /// <param name="role">The key's role.</param>
    /// <param name="key">The key enrolled.</param>
    /// <returns>67 bytes (P-256) or 34 (Ed25519).</returns>
    public static byte[] KeyEnrolmentBody(HouseholdKeyRole role, HouseholdKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pk = key.PublicKeySpan;
        var body = new byte[2 + pk.Length];
        body[0] = (byte)role;
        body[1] = (byte)key.Algorithm;
        pk.CopyTo(body.AsSpan(2));
        return body;
    }

    /// <summary>The body of a key revocation (2), mandate revocation (4) or cancellation (5): one 32-byte hash (key
    /// id, mandate id or the cancelled order's statement hash).</summary>
    /// <param name="hash">32 bytes.</param>
    /// <returns>A copy.</returns>
    public static byte[] HashBody(ReadOnlySpan<byte> hash) =>
        hash.Length == 32 ? hash.ToArray() : throw new ArgumentException("the body is a 32-byte hash", nameof(hash));

    /// <summary>Takes a statement apart and validates its body.</summary>
    /// <param name="statement">The statement bytes.</param>
    /// <param name="decoded">The parts on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid statement.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> statement, [NotNullWhen(true)] out DecodedStatement? decoded, out string? error)
    {
        decoded = null;
        if (statement.Length < PrefixSize || !statement[..Tag.Length].SequenceEqual(Tag))
        {
            error = "statement: does not start with \"MarketStatement\" and a 50-byte prefix";
            return false;
        }

        if (statement[15] != CurrentVersion)
        {
            error = $"statement: unsupported version {statement[15]} (expected {CurrentVersion})";
            return false;
        }

        var type = statement[64];
        var body = statement[PrefixSize..];
        if (!ValidateBody(type, body, out error))
        {
            return false;
        }

        decoded = new DecodedStatement(statement[16..48].ToArray(), PartyId.Read(statement[48..]), (StatementType)type, body.ToArray());
        return true;
    }

    /// <summary>Whether a body is valid for its type (§3.1): lengths, enum values, a P-256 key on the curve, a
    /// mandate's masks and time zone, an order's side and nonce.</summary>
    internal static bool ValidateBody(byte type, ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        switch ((StatementType)type)
        {
            case StatementType.KeyEnrolment:
                return TryReadEnrolment(body, out _, out _, out error);
            case StatementType.KeyRevocation or StatementType.MandateRevocation or StatementType.Cancellation:
                if (body.Length != 32)
                {
                    error = $"statement type {type}: the body is a 32-byte hash, got {body.Length} bytes";
                    return false;
                }

                return true;
            case StatementType.Mandate:
                return MandateTerms.TryDecodeBody(body, out _, out error);
            case StatementType.Order:
                if (body.Length != OrderBodySize || body[16] is not ((byte)OrderSide.Buy or (byte)OrderSide.Sell))
                {
                    error = "order statement: the body is 49 bytes with side 1 or 2";
                    return false;
                }

                return true;
            default:
                error = $"unknown statement type {type} (1 … 6)";
                return false;
        }
    }

    /// <summary>Reads a key enrolment body: role 1 … 3, a valid key of a known algorithm.</summary>
    internal static bool TryReadEnrolment(ReadOnlySpan<byte> body, out HouseholdKeyRole role, [NotNullWhen(true)] out HouseholdKey? key, out string? error)
    {
        key = null;
        role = default;
        if (body.Length < 2)
        {
            error = "key enrolment: the body is role, algorithm, public key";
            return false;
        }

        if (body[0] is not ((byte)HouseholdKeyRole.Device or (byte)HouseholdKeyRole.Recovery or (byte)HouseholdKeyRole.Agent))
        {
            error = $"key enrolment: unknown role {body[0]} (1 device, 2 recovery, 3 agent)";
            return false;
        }

        role = (HouseholdKeyRole)body[0];
        if (!HouseholdKey.TryCreate((HouseholdKeyAlgorithm)body[1], body[2..], out key, out var keyError))
        {
            error = $"key enrolment: {keyError}";
            return false;
        }

        error = null;
        return true;
    }

    internal static void Write(Span<byte> destination, ReadOnlySpan<byte> ledgerId, PartyId household, StatementType type)
    {
        if (ledgerId.Length != LedgerIdSize)
        {
            throw new ArgumentException("the ledger id is 32 bytes (the header hash of block 0)", nameof(ledgerId));
        }

        Tag.CopyTo(destination);
        destination[15] = CurrentVersion;
        ledgerId.CopyTo(destination[16..]);
        household.WriteTo(destination[48..]);
        destination[64] = (byte)type;
    }

    internal static void WriteOrderBody(Span<byte> body, long intervalStart, long intervalEnd, OrderSide side, long energyWh, long limitPrice, ReadOnlySpan<byte> nonce16)
    {
        if (nonce16.Length != NonceSize)
        {
            throw new ArgumentException("the nonce is 16 bytes", nameof(nonce16));
        }

        BinaryPrimitives.WriteInt64BigEndian(body, intervalStart);
        BinaryPrimitives.WriteInt64BigEndian(body[8..], intervalEnd);
        body[16] = (byte)side;
        BinaryPrimitives.WriteInt64BigEndian(body[17..], energyWh);
        BinaryPrimitives.WriteInt64BigEndian(body[25..], limitPrice);
        nonce16.CopyTo(body[33..]);
    }
}
