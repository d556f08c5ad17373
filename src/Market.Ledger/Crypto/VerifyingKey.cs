using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace Market.Ledger;

/// <summary>A decoded secp256k1 public key that verifies signatures (decode once, verify many).</summary>
public sealed class VerifyingKey
{
    private readonly ECPublicKeyParameters _parameters;
    private readonly byte[] _publicKey;
    private readonly byte[] _keyId;

    private VerifyingKey(ECPublicKeyParameters parameters, byte[] publicKey)
    {
        _parameters = parameters;
        _publicKey = publicKey;
        _keyId = SHA256.HashData(publicKey);
    }

    /// <summary>The 33-byte compressed public key (a copy).</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    /// <summary>The key id: SHA-256 of the compressed public key (a copy).</summary>
    public byte[] KeyId => (byte[])_keyId.Clone();

    internal ReadOnlySpan<byte> KeyIdSpan => _keyId;

    /// <summary>Decodes a 33-byte compressed public key.</summary>
    /// <param name="publicKey">0x02 or 0x03, then the 32-byte x coordinate (x &lt; p, on the curve).</param>
    /// <param name="key">The key on success.</param>
    /// <returns>Whether the bytes are a valid compressed point.</returns>
    public static bool TryCreate(ReadOnlySpan<byte> publicKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VerifyingKey? key)
    {
        key = null;
        if (publicKey.Length != Signatures.PublicKeySize || publicKey[0] is not (0x02 or 0x03))
        {
            return false;
        }

        try
        {
            var point = Secp256k1.Parameters.Curve.DecodePoint(publicKey);
            if (point.IsInfinity || !point.IsValid())
            {
                return false;
            }

            key = new VerifyingKey(new ECPublicKeyParameters(point, Secp256k1.Domain), publicKey.ToArray());
            return true;
        }
        catch (ArgumentException)
        {
            // BouncyCastle reports x >= p or an x without a square root this way.
            return false;
        }
    }

    /// <summary>Decodes a 33-byte compressed public key.</summary>
    /// <param name="publicKey">The compressed key.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">Not a valid compressed secp256k1 point.</exception>
    public static VerifyingKey Create(ReadOnlySpan<byte> publicKey) =>
        TryCreate(publicKey, out var key) ? key
            : throw new ArgumentException("not a 33-byte compressed secp256k1 public key", nameof(publicKey));

    /// <summary>Verifies a 64-byte low-S signature over a 32-byte digest; see <see cref="Signatures.Verify"/>.</summary>
    /// <param name="digest">32-byte digest.</param>
    /// <param name="signature">64 bytes r ‖ s.</param>
    /// <returns>Whether the signature is valid and low-S.</returns>
    public bool Verify(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        if (digest.Length != Signatures.DigestSize || signature.Length != Signatures.SignatureSize)
        {
            return false;
        }

        var r = new BigInteger(1, signature[..32]);
        var s = new BigInteger(1, signature[32..]);
        if (r.SignValue <= 0 || r.CompareTo(Secp256k1.N) >= 0 || s.SignValue <= 0 || s.CompareTo(Secp256k1.HalfN) > 0)
        {
            return false;
        }

        var verifier = new ECDsaSigner();
        verifier.Init(false, _parameters);
        return verifier.VerifySignature(digest.ToArray(), r, s);
    }
}
