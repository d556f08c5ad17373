using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Market.Ledger;

/// <summary>
/// Household record, version 1 (leaf of a household block, docs/ledger-format.md §5.7), big-endian:
/// <c>version u8 (=1) | sequence u64 | household [16] | statement type u8 (1 … 5) | body | signed authorisation tail</c>.
/// The record's statement (§3.1) is <c>"MarketStatement" ‖ 1 ‖ ledger id ‖ household ‖ type ‖ body</c>; the tail is
/// the household's signature over the submission holding it.
/// </summary>
/// <param name="Sequence">The record's acceptance sequence (strictly increasing within a block); 0 … 2^63−1.</param>
/// <param name="Household">The household (not zero).</param>
/// <param name="Type">Key enrolment, key revocation, mandate, mandate revocation or cancellation (never order).</param>
/// <param name="Body">The statement body (<see cref="Statement.KeyEnrolmentBody"/>, <see cref="Statement.HashBody"/>, <see cref="MandateTerms.EncodeBody"/>).</param>
/// <param name="Signature">The household key's signature over the submission.</param>
public sealed record HouseholdRecord(long Sequence, PartyId Household, StatementType Type, byte[] Body, HouseholdSignature Signature)
{
    /// <summary>The record format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Length of the fields before the body.</summary>
    public const int PrefixSize = 26;

    /// <summary>The canonical bytes.</summary>
    /// <returns>26 + body + tail bytes.</returns>
    /// <exception cref="InvalidOperationException">A record <see cref="TryDecode"/> would reject.</exception>
    public byte[] Encode()
    {
        ArgumentNullException.ThrowIfNull(Body);
        ArgumentNullException.ThrowIfNull(Signature);
        var bytes = new byte[PrefixSize + Body.Length + Signature.TailLength];
        bytes[0] = CurrentVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), Sequence);
        Household.WriteTo(bytes.AsSpan(9));
        bytes[25] = (byte)Type;
        Body.CopyTo(bytes, PrefixSize);
        Signature.WriteTail(bytes.AsSpan(PrefixSize + Body.Length));
        return TryDecode(bytes, out _, out var error) ? bytes : throw new InvalidOperationException(error);
    }

    /// <summary>The record's statement bytes.</summary>
    /// <param name="ledgerId">The ledger id (header hash of block 0).</param>
    /// <returns>65 + body bytes.</returns>
    public byte[] StatementBytes(ReadOnlySpan<byte> ledgerId) => Statement.Encode(ledgerId, Household, Type, Body);

    /// <summary>The record's statement hash (a mandate's id, what the signature's submission holds).</summary>
    /// <param name="ledgerId">The ledger id (header hash of block 0).</param>
    /// <returns>32 bytes.</returns>
    public byte[] StatementHash(ReadOnlySpan<byte> ledgerId) => Statement.Hash(StatementBytes(ledgerId));

    /// <summary>Decodes one record; throws when it is not valid.</summary>
    /// <param name="bytes">The leaf bytes.</param>
    /// <returns>The record.</returns>
    /// <exception cref="LedgerFormatException">See <see cref="TryDecode"/>.</exception>
    public static HouseholdRecord Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var record, out var error) ? record : throw new LedgerFormatException(error!);

    /// <summary>
    /// Decodes one record without throwing: version 1, a sequence within 2^63−1, a household that is not zero, a type
    /// of 1 … 5 with a valid body (an enrolment's role, algorithm and a P-256 key on the curve; a mandate's masks and a
    /// known time zone; 32-byte hashes), then a signed tail that fills the rest exactly.
    /// </summary>
    /// <param name="bytes">The leaf bytes.</param>
    /// <param name="record">The record on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid household record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out HouseholdRecord? record, out string? error)
    {
        record = null;
        if (bytes.Length < PrefixSize + 1)
        {
            error = $"household record: expected at least {PrefixSize + 1} bytes, got {bytes.Length}";
            return false;
        }

        if (bytes[0] != CurrentVersion)
        {
            error = $"household record: unsupported version {bytes[0]} (expected {CurrentVersion})";
            return false;
        }

        var sequence = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var household = PartyId.Read(bytes[9..]);
        var type = bytes[25];
        if (sequence < 0 || household == default)
        {
            error = "household record: sequence beyond 2^63-1 or a zero household";
            return false;
        }

        if (type is < (byte)StatementType.KeyEnrolment or > (byte)StatementType.Cancellation)
        {
            error = $"household record: unknown statement type {type} (1 … 5)";
            return false;
        }

        var rest = bytes[PrefixSize..];
        var bodyLength = BodyLength((StatementType)type, rest);
        if (bodyLength < 0 || bodyLength >= rest.Length)
        {
            error = $"household record: the body of type {type} does not fit";
            return false;
        }

        if (!Statement.ValidateBody(type, rest[..bodyLength], out var bodyError))
        {
            error = $"household record: {bodyError}";
            return false;
        }

        if (!HouseholdSignature.TryDecodeTail(rest[bodyLength..], out var signature, out var tailError))
        {
            error = $"household record: {tailError}";
            return false;
        }

        record = new HouseholdRecord(sequence, household, (StatementType)type, rest[..bodyLength].ToArray(), signature);
        error = null;
        return true;
    }

    /// <summary>Value equality over all fields, byte by byte.</summary>
    /// <param name="other">The other record.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(HouseholdRecord? other) => other is not null && Sequence == other.Sequence && Household == other.Household
        && Type == other.Type && Body.AsSpan().SequenceEqual(other.Body) && Equals(Signature, other.Signature);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sequence, Household, Type);

    // The body's length follows from its first bytes: an enrolment's algorithm, a mandate's time zone length.
    private static int BodyLength(StatementType type, ReadOnlySpan<byte> rest) => type switch
    {
        StatementType.KeyEnrolment => rest.Length < 2 ? -1 : HouseholdKey.PublicKeySizeOf((HouseholdKeyAlgorithm)rest[1]) is var n and > 0 ? 2 + n : -1,
        StatementType.Mandate => rest.Length < MandateTerms.FixedSize ? -1 : MandateTerms.FixedSize + rest[MandateTerms.FixedSize - 1],
        _ => 32,
    };
}
