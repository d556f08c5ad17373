using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;

namespace Market.Ledger;

/// <summary>
/// A household's public key (docs/ledger-format.md §3.1): ECDSA P-256 (65-byte uncompressed SEC1 point, as WebCrypto
/// exports <c>raw</c>) or Ed25519 (32 bytes). Its key id is <c>SHA-256(algorithm ‖ public key)</c>. Immutable;
/// <see cref="Verify"/> is thread-safe (a P-256 key keeps its imported <see cref="ECDsa"/> objects for reuse, one per
/// concurrent caller).
/// </summary>
public sealed class HouseholdKey
{
    /// <summary>Length of a P-256 public key: 0x04 ‖ x ‖ y.</summary>
    public const int P256PublicKeySize = 65;

    /// <summary>Length of an Ed25519 public key.</summary>
    public const int Ed25519PublicKeySize = 32;

    /// <summary>Length of a signature under either algorithm.</summary>
    public const int SignatureSize = 64;

    /// <summary>Length of a key id.</summary>
    public const int KeyIdSize = 32;

    private static readonly X9ECParameters P256 = CustomNamedCurves.GetByName("secp256r1");

    private static readonly byte[] P256Order = P256.N.ToByteArrayUnsigned();

    private readonly byte[] _publicKey;
    private readonly byte[] _keyId;
    private readonly ConcurrentBag<ECDsa>? _ecdsa;

    private HouseholdKey(HouseholdKeyAlgorithm algorithm, byte[] publicKey)
    {
        Algorithm = algorithm;
        _publicKey = publicKey;
        _keyId = KeyIdOf(algorithm, publicKey);
        _ecdsa = algorithm == HouseholdKeyAlgorithm.P256 ? [] : null;
    }

    /// <summary>The algorithm.</summary>
    public HouseholdKeyAlgorithm Algorithm { get; }

    /// <summary>The public key (a copy): 65 bytes for P-256, 32 for Ed25519.</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    /// <summary>The key id, <c>SHA-256(algorithm u8 ‖ public key)</c> (a copy).</summary>
    public byte[] KeyId => (byte[])_keyId.Clone();

    internal ReadOnlySpan<byte> KeyIdSpan => _keyId;

    internal ReadOnlySpan<byte> PublicKeySpan => _publicKey;

    /// <summary>The key id of a public key: <c>SHA-256(algorithm u8 ‖ public key)</c>. Does not validate the key.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="publicKey">The public key bytes.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] KeyIdOf(HouseholdKeyAlgorithm algorithm, ReadOnlySpan<byte> publicKey)
    {
        var buffer = new byte[1 + publicKey.Length];
        buffer[0] = (byte)algorithm;
        publicKey.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>The public key length of an algorithm, or 0 for an unknown one.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>65, 32 or 0.</returns>
    public static int PublicKeySizeOf(HouseholdKeyAlgorithm algorithm) => algorithm switch
    {
        HouseholdKeyAlgorithm.P256 => P256PublicKeySize,
        HouseholdKeyAlgorithm.Ed25519 => Ed25519PublicKeySize,
        _ => 0,
    };

    /// <summary>
    /// Decodes a public key. P-256: 65 bytes <c>04 ‖ x ‖ y</c>, x and y below the field prime, a point on the curve
    /// (never infinity: that has no uncompressed form). Ed25519: 32 bytes.
    /// </summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="publicKey">The public key bytes.</param>
    /// <param name="key">The key on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the key is valid.</returns>
    public static bool TryCreate(HouseholdKeyAlgorithm algorithm, ReadOnlySpan<byte> publicKey, [NotNullWhen(true)] out HouseholdKey? key, out string? error)
    {
        key = null;
        switch (algorithm)
        {
            case HouseholdKeyAlgorithm.P256:
                if (publicKey.Length != P256PublicKeySize || publicKey[0] != 0x04)
                {
                    error = "a P-256 household key is 65 bytes: 04, x, y";
                    return false;
                }

                try
                {
                    // DecodePoint checks that x and y are field elements and that the point is on the curve.
                    var point = P256.Curve.DecodePoint(publicKey.ToArray());
                    if (point.IsInfinity || !point.IsValid())
                    {
                        error = "the P-256 household key is not a point on the curve";
                        return false;
                    }
                }
                catch (ArgumentException)
                {
                    error = "the P-256 household key is not a point on the curve";
                    return false;
                }

                break;
            case HouseholdKeyAlgorithm.Ed25519:
                if (publicKey.Length != Ed25519PublicKeySize)
                {
                    error = "an Ed25519 household key is 32 bytes";
                    return false;
                }

                break;
            default:
                error = $"unknown household key algorithm {(byte)algorithm} (1 P-256, 2 Ed25519)";
                return false;
        }

        key = new HouseholdKey(algorithm, publicKey.ToArray());
        error = null;
        return true;
    }

    /// <summary>Decodes a public key, throwing when it is invalid (see <see cref="TryCreate"/>).</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="publicKey">The public key bytes.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">Not a valid key.</exception>
    public static HouseholdKey Create(HouseholdKeyAlgorithm algorithm, ReadOnlySpan<byte> publicKey) =>
        TryCreate(algorithm, publicKey, out var key, out var error) ? key : throw new ArgumentException(error, nameof(publicKey));

    /// <summary>
    /// Verifies a 64-byte signature over a message. P-256: ECDSA over SHA-256 of the message, signature r ‖ s (IEEE
    /// P1363) with r and s in [1, n − 1]; high S is accepted (WebCrypto does not normalise it). Ed25519: RFC 8032.
    /// Never throws for bad content; thread-safe.
    /// </summary>
    /// <param name="message">The signed message (for a submission, <see cref="HouseholdSignature.SignedMessage"/>).</param>
    /// <param name="signature">64 bytes.</param>
    /// <returns>Whether the signature is valid.</returns>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureSize)
        {
            return false;
        }

        if (Algorithm == HouseholdKeyAlgorithm.Ed25519)
        {
            return Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature.ToArray(), 0, _publicKey, 0, message.ToArray(), 0, message.Length);
        }

        if (!InRange(signature[..32]) || !InRange(signature[32..]))
        {
            return false;
        }

        var ecdsa = RentEcdsa();
        try
        {
            return ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            _ecdsa!.Add(ecdsa);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"HouseholdKey({Algorithm}, {Convert.ToHexStringLower(_keyId)})";

    // 1 ≤ v ≤ n − 1, v a 32-byte big-endian integer.
    private static bool InRange(ReadOnlySpan<byte> value) =>
        value.IndexOfAnyExcept((byte)0) >= 0 && value.SequenceCompareTo(P256Order) < 0;

    private ECDsa RentEcdsa()
    {
        if (_ecdsa!.TryTake(out var ecdsa))
        {
            return ecdsa;
        }

        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = _publicKey[1..33], Y = _publicKey[33..] },
        });
    }
}
