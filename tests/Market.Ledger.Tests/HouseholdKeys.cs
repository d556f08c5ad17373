using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace Market.Ledger.Tests;

/// <summary>
/// A household's key for tests: P-256 derived from its pseudonym (and a generation, for a second device), signing
/// deterministically (RFC 6979 with HMAC-SHA256, BouncyCastle) so test chains and tamper cases are the same bytes on
/// every run, or Ed25519 (<see cref="Ed25519"/>, deterministic by nature). A browser's WebCrypto signs P-256 with a
/// random nonce; the verifier cannot tell the difference.
/// </summary>
internal sealed class TestHouseholdKey
{
    private static readonly ECDomainParameters Domain = new(CustomNamedCurves.GetByName("secp256r1"));

    private readonly ECPrivateKeyParameters? _private;
    private readonly byte[]? _ed25519Secret;

    public TestHouseholdKey(PartyId household, int generation = 0)
        : this(new BigInteger(1, SHA256.HashData([.. "test household key"u8, .. household.ToString().Select(c => (byte)c), (byte)generation]))
            .Mod(Domain.N.Subtract(BigInteger.One)).Add(BigInteger.One))
    {
    }

    private TestHouseholdKey(BigInteger d)
    {
        _private = new ECPrivateKeyParameters(d, Domain);
        PublicKeyBytes = Domain.G.Multiply(d).Normalize().GetEncoded(false);
        Key = HouseholdKey.Create(HouseholdKeyAlgorithm.P256, PublicKeyBytes);
    }

    private TestHouseholdKey(byte[] ed25519Secret)
    {
        _ed25519Secret = ed25519Secret;
        PublicKeyBytes = new byte[Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.PublicKeySize];
        Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.GeneratePublicKey(ed25519Secret, 0, PublicKeyBytes, 0);
        Key = HouseholdKey.Create(HouseholdKeyAlgorithm.Ed25519, PublicKeyBytes);
    }

    public byte[] PublicKeyBytes { get; }

    public HouseholdKey Key { get; }

    public byte[] KeyId => Key.KeyId;

    /// <summary>A key from a given private scalar (32 bytes, 1 … n − 1), e.g. the documented example's.</summary>
    public static TestHouseholdKey FromPrivateKey(ReadOnlySpan<byte> d) => new(new BigInteger(1, d.ToArray()));

    /// <summary>An Ed25519 key (an agent's) whose 32-byte secret is derived from the pseudonym and a generation.</summary>
    public static TestHouseholdKey Ed25519(PartyId household, int generation = 0) =>
        new(SHA256.HashData([.. "test household ed25519 key"u8, .. household.ToString().Select(c => (byte)c), (byte)generation]));

    /// <summary>P-256: ECDSA over SHA-256 of the message, r ‖ s, deterministic k (RFC 6979). Ed25519: RFC 8032.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        if (_ed25519Secret is { } secret)
        {
            var signature = new byte[64];
            Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Sign(secret, 0, message.ToArray(), 0, message.Length, signature, 0);
            return signature;
        }

        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, _private!);
        var rs = signer.GenerateSignature(SHA256.HashData(message));
        return [.. BigIntegers.AsUnsignedByteArray(32, rs[0]), .. BigIntegers.AsUnsignedByteArray(32, rs[1])];
    }

    /// <summary>Signs a submission of statement hashes; one signature record per statement.</summary>
    public HouseholdSignature[] SignSubmission(IReadOnlyList<byte[]> statementHashes) =>
        HouseholdSignature.ForSubmission(statementHashes, KeyId, Sign(HouseholdSignature.SignedMessage(HouseholdSignature.SubmissionRoot(statementHashes))));
}

/// <summary>
/// Households for test chains: a P-256 key per party enrolled (self-signed) in a household block, and order books
/// whose orders each household signs in submissions of its orders.
/// </summary>
internal static class HouseholdKeys
{
    private static readonly HouseholdSignature Unsigned = new(new byte[32], new byte[64], 1, 0, []);

    public static TestHouseholdKey Of(PartyId party, int generation = 0) => new(party, generation);

    /// <summary>An order whose nonce is derived from its owner and sequence and whose signature is a placeholder until
    /// <see cref="SignBook"/> signs it.</summary>
    public static OrderLeaf Order(long sequence, PartyId owner, OrderSide side, long energyWh, long limitPrice) =>
        new(sequence, owner, side, energyWh, limitPrice, NonceOf(owner, sequence), new SignedOrder(Unsigned));

    public static byte[] NonceOf(PartyId owner, long sequence) =>
        SHA256.HashData([.. "test order nonce"u8, .. owner.ToString().Select(c => (byte)c), .. BitConverter.GetBytes(sequence)])[..16];

    /// <summary>Each signed order of the book signed by its owner's key: an owner's orders, in book order, make
    /// submissions of at most <paramref name="perSubmission"/> orders. Mandate orders are left as they are.</summary>
    public static OrderLeaf[] SignBook(ReadOnlySpan<byte> ledgerId, long start, long end, IReadOnlyList<OrderLeaf> orders, int perSubmission = 8)
    {
        var result = orders.ToArray();
        var id = ledgerId.ToArray();
        foreach (var owner in result.Where(o => o.Authorization is SignedOrder).GroupBy(o => o.Owner))
        {
            var key = Of(owner.Key);
            foreach (var chunk in owner.Chunk(perSubmission))
            {
                var hashes = chunk.Select(o => o.StatementHash(id, start, end)).ToList();
                var signatures = key.SignSubmission(hashes);
                for (var i = 0; i < chunk.Length; i++)
                {
                    var index = Array.FindIndex(result, o => o.Sequence == chunk[i].Sequence);
                    result[index] = result[index] with { Authorization = new SignedOrder(signatures[i]) };
                }
            }
        }

        return result;
    }

    /// <summary>A household record signed alone (a submission of one) by <paramref name="signer"/>.</summary>
    public static HouseholdRecord Record(ReadOnlySpan<byte> ledgerId, long sequence, PartyId household, StatementType type, byte[] body, TestHouseholdKey signer)
    {
        var hash = Statement.Hash(Statement.Encode(ledgerId, household, type, body));
        return new HouseholdRecord(sequence, household, type, body, signer.SignSubmission([hash])[0]);
    }

    /// <summary>Household records signed together (one submission, in the given order) by <paramref name="signer"/>.</summary>
    public static HouseholdRecord[] Records(ReadOnlySpan<byte> ledgerId, TestHouseholdKey signer, params (long Sequence, PartyId Household, StatementType Type, byte[] Body)[] statements)
    {
        var id = ledgerId.ToArray();
        var signatures = signer.SignSubmission([.. statements.Select(s => Statement.Hash(Statement.Encode(id, s.Household, s.Type, s.Body)))]);
        return [.. statements.Select((s, i) => new HouseholdRecord(s.Sequence, s.Household, s.Type, s.Body, signatures[i]))];
    }

    /// <summary>Orders of one interval signed together (one submission, in the given order) by <paramref name="signer"/>.</summary>
    public static OrderLeaf[] SignTogether(ReadOnlySpan<byte> ledgerId, long start, long end, TestHouseholdKey signer, params OrderLeaf[] orders)
    {
        var id = ledgerId.ToArray();
        var signatures = signer.SignSubmission([.. orders.Select(o => o.StatementHash(id, start, end))]);
        return [.. orders.Select((o, i) => o with { Authorization = new SignedOrder(signatures[i]) })];
    }

    /// <summary>The self-signed device-key enrolment of each party's key.</summary>
    public static List<HouseholdRecord> Enrolments(ReadOnlySpan<byte> ledgerId, IEnumerable<PartyId> parties, long firstSequence)
    {
        var records = new List<HouseholdRecord>();
        var sequence = firstSequence;
        foreach (var party in parties)
        {
            var key = Of(party);
            records.Add(Record(ledgerId, sequence++, party, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, key.Key), key));
        }

        return records;
    }

    /// <summary>A household block enrolling a P-256 device key for each party.</summary>
    public static SealedBlock SealEnrolments(ChainTip tip, SigningKey key, ReadOnlySpan<byte> ledgerId, IEnumerable<PartyId> parties, DateTimeOffset sealedAt, long firstSequence = 1_000_000) =>
        BlockSealer.SealHousehold(tip, key, Enrolments(ledgerId, parties, firstSequence), sealedAt);
}
