using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Market.Ledger;

/// <summary>
/// A pseudonymous 16-byte participant id as it appears in the ledger (never a name). Displayed as 32 lower-case hex
/// digits.
/// </summary>
/// <param name="High">The first 8 bytes, big-endian.</param>
/// <param name="Low">The last 8 bytes, big-endian.</param>
public readonly record struct PartyId(ulong High, ulong Low)
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 16;

    /// <summary>Reads an id from exactly 16 bytes.</summary>
    /// <param name="bytes">16 bytes.</param>
    /// <returns>The id.</returns>
    /// <exception cref="ArgumentException">Not 16 bytes.</exception>
    public static PartyId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a party id is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        return Read(bytes);
    }

    /// <summary>Parses 32 hex digits (either case).</summary>
    /// <param name="hex">32 hex digits.</param>
    /// <returns>The id.</returns>
    /// <exception cref="FormatException">Not 32 hex digits.</exception>
    internal static PartyId Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!TryParse(hex, out var id))
        {
            throw new FormatException($"a party id is {Size * 2} hex digits, got '{hex}'");
        }

        return id;
    }

    /// <summary>Tries to parse 32 hex digits.</summary>
    /// <param name="hex">The text.</param>
    /// <param name="id">The id on success.</param>
    /// <returns>Whether the text was 32 hex digits.</returns>
    public static bool TryParse(string? hex, out PartyId id)
    {
        id = default;
        Span<byte> buffer = stackalloc byte[Size];
        if (hex is null || hex.Length != Size * 2
            || Convert.FromHexString(hex, buffer, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != Size)
        {
            return false;
        }

        id = Read(buffer);
        return true;
    }

    /// <summary>
    /// Derives a stable pseudonym for an account: the first 16 bytes of HMAC-SHA256(secret, UTF-8(accountId)).
    /// Without the secret nobody can link the id back to the account.
    /// </summary>
    /// <param name="secret">The operator's pseudonymisation secret (at least 32 bytes recommended).</param>
    /// <param name="accountId">The account's internal id.</param>
    /// <returns>The pseudonymous id.</returns>
    public static PartyId Pseudonymise(ReadOnlySpan<byte> secret, string accountId)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(accountId), mac);
        return Read(mac[..Size]);
    }

    /// <summary>Writes the 16 bytes into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least 16 bytes.</param>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    /// <summary>The 16 bytes.</summary>
    /// <returns>A new array.</returns>
    internal byte[] ToByteArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>32 lower-case hex digits.</summary>
    /// <returns>The hex form.</returns>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    internal static PartyId Read(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
}
