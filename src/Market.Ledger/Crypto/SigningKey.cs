using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace Market.Ledger;

/// <summary>
/// A secp256k1 signing key. Signs 32-byte digests with RFC 6979 deterministic nonces (HMAC-SHA256) and always
/// returns low-S signatures (s ≤ n/2). Thread-safe.
/// </summary>
public sealed class SigningKey
{
    private readonly ECPrivateKeyParameters _privateKey;
    private readonly byte[] _publicKey;
    private readonly byte[] _keyId;

    private SigningKey(BigInteger d)
    {
        _privateKey = new ECPrivateKeyParameters(d, Secp256k1.Domain);
        var point = Secp256k1.Domain.G.Multiply(d).Normalize();
        _publicKey = point.GetEncoded(true);
        _keyId = SHA256.HashData(_publicKey);
    }

    /// <summary>The 32-byte big-endian private scalar d (a copy). Keep it secret.</summary>
    public byte[] PrivateKey => BigIntegers.AsUnsignedByteArray(32, _privateKey.D);

    /// <summary>The 33-byte compressed public key (a copy).</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    /// <summary>The key id: SHA-256 of the compressed public key (a copy).</summary>
    public byte[] KeyId => (byte[])_keyId.Clone();

    internal ReadOnlySpan<byte> KeyIdSpan => _keyId;

    /// <summary>Generates a new key from the operating system's CSPRNG.</summary>
    /// <returns>A new key.</returns>
    public static SigningKey Generate()
    {
        Span<byte> candidate = stackalloc byte[32];
        while (true)
        {
            RandomNumberGenerator.Fill(candidate);
            var d = new BigInteger(1, candidate);
            if (d.SignValue > 0 && d.CompareTo(Secp256k1.N) < 0)
            {
                candidate.Clear();
                return new SigningKey(d);
            }
        }
    }

    /// <summary>Loads a key from its 32-byte big-endian private scalar.</summary>
    /// <param name="privateKey">32 bytes, 1 ≤ d &lt; n.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">Not 32 bytes, zero, or not below the group order n.</exception>
    public static SigningKey FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new ArgumentException("a private key is 32 bytes", nameof(privateKey));
        }

        var d = new BigInteger(1, privateKey);
        if (d.SignValue <= 0 || d.CompareTo(Secp256k1.N) >= 0)
        {
            throw new ArgumentException("a private key must be in [1, n-1]", nameof(privateKey));
        }

        return new SigningKey(d);
    }

    /// <summary>
    /// Signs a 32-byte digest: ECDSA with an RFC 6979 nonce (HMAC-SHA256), s normalised to n − s when above n/2.
    /// </summary>
    /// <param name="digest">The 32-byte digest, used directly as the ECDSA message hash.</param>
    /// <returns>64 bytes r ‖ s.</returns>
    /// <exception cref="ArgumentException">The digest is not 32 bytes.</exception>
    public byte[] Sign(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != Signatures.DigestSize)
        {
            throw new ArgumentException($"the digest must be {Signatures.DigestSize} bytes", nameof(digest));
        }

        return Sign(digest, new HMacDsaKCalculator(new Sha256Digest()));
    }

    /// <summary>
    /// RFC 6979 §3.6 variant with additional data k' mixed into the nonce derivation (hedged signing). Not used by
    /// the ledger; it exists to reproduce published vectors that use it.
    /// </summary>
    internal byte[] Sign(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> extraEntropy)
    {
        if (digest.Length != Signatures.DigestSize)
        {
            throw new ArgumentException($"the digest must be {Signatures.DigestSize} bytes", nameof(digest));
        }

        return Sign(digest, new HedgedKCalculator(extraEntropy.ToArray()));
    }

    private byte[] Sign(ReadOnlySpan<byte> digest, IDsaKCalculator calculator)
    {
        var signer = new ECDsaSigner(calculator);
        signer.Init(true, _privateKey);
        var rs = signer.GenerateSignature(digest.ToArray());
        var s = rs[1].CompareTo(Secp256k1.HalfN) > 0 ? Secp256k1.N.Subtract(rs[1]) : rs[1];
        var signature = new byte[Signatures.SignatureSize];
        BigIntegers.AsUnsignedByteArray(rs[0], signature.AsSpan(0, 32));
        BigIntegers.AsUnsignedByteArray(s, signature.AsSpan(32, 32));
        return signature;
    }

    private sealed class HedgedKCalculator(byte[] extraEntropy) : HMacDsaKCalculator(new Sha256Digest())
    {
        protected override void InitAdditionalInput0(Org.BouncyCastle.Crypto.Macs.HMac mac) => mac.BlockUpdate(extraEntropy, 0, extraEntropy.Length);

        protected override void InitAdditionalInput1(Org.BouncyCastle.Crypto.Macs.HMac mac) => mac.BlockUpdate(extraEntropy, 0, extraEntropy.Length);
    }

    /// <summary>Shows the key id only, never the private key.</summary>
    /// <returns>"SigningKey(keyId)".</returns>
    public override string ToString() => $"SigningKey({Convert.ToHexStringLower(_keyId)})";
}
