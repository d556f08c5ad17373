using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace Market.Ledger;

/// <summary>
/// secp256k1 ECDSA over a 32-byte digest, signatures as 64 bytes <c>r ‖ s</c> (big-endian, 32 bytes each).
/// Verification is strict: it rejects wrong lengths, r or s outside [1, n−1], and high-S signatures (s &gt; n/2),
/// so every message has exactly one valid signature encoding per nonce (no malleability).
/// </summary>
public static class Signatures
{
    /// <summary>Length of a signature: r ‖ s.</summary>
    public const int SignatureSize = 64;

    /// <summary>Length of a compressed public key (0x02 or 0x03, then x).</summary>
    public const int PublicKeySize = 33;

    /// <summary>Length of the signed digest.</summary>
    public const int DigestSize = 32;

    /// <summary>
    /// Verifies a signature. Returns <see langword="false"/> (never throws) for anything invalid: a public key
    /// that is not 33 bytes or not a compressed point on the curve, a digest that is not 32 bytes, a signature that
    /// is not 64 bytes, r or s outside [1, n−1], or s &gt; n/2 (high-S: rejected by design, see docs/ledger-format.md).
    /// </summary>
    /// <param name="publicKey">33-byte compressed public key.</param>
    /// <param name="digest">The 32-byte digest that was signed (e.g. a header hash).</param>
    /// <param name="signature">64 bytes r ‖ s.</param>
    /// <returns>Whether the signature is valid and low-S.</returns>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) =>
        VerifyingKey.TryCreate(publicKey, out var key) && key.Verify(digest, signature);

    /// <summary>Whether the bytes are a 33-byte compressed secp256k1 point.</summary>
    /// <param name="publicKey">The candidate key.</param>
    /// <returns>Whether it is a valid compressed public key.</returns>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> publicKey) => VerifyingKey.TryCreate(publicKey, out _);

    /// <summary>The key id of a public key: SHA-256 of its 33 compressed bytes.</summary>
    /// <param name="publicKey">33-byte compressed public key.</param>
    /// <returns>32-byte key id.</returns>
    /// <exception cref="ArgumentException">Not 33 bytes.</exception>
    public static byte[] KeyId(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeySize)
        {
            throw new ArgumentException($"a compressed public key is {PublicKeySize} bytes", nameof(publicKey));
        }

        return SHA256.HashData(publicKey);
    }

    /// <summary>Whether a 64-byte signature has s ≤ n/2 (it does not check anything else).</summary>
    /// <param name="signature">64 bytes r ‖ s.</param>
    /// <returns>Whether s is low.</returns>
    public static bool IsLowS(ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize && new BigInteger(1, signature[32..]).CompareTo(Secp256k1.HalfN) <= 0;

    /// <summary>
    /// Converts a strict-DER ECDSA signature (<c>SEQUENCE { INTEGER r, INTEGER s }</c>, minimal lengths, minimal
    /// positive integers, no trailing bytes) into 64 bytes r ‖ s. BER variants are rejected.
    /// </summary>
    /// <param name="der">The DER bytes.</param>
    /// <param name="signature">64 bytes r ‖ s on success.</param>
    /// <returns>Whether the input was strict DER with r and s below 2^256.</returns>
    public static bool TryDecodeDer(ReadOnlySpan<byte> der, out byte[] signature)
    {
        signature = [];
        if (der.Length < 2 || der[0] != 0x30 || !TryReadLength(der[1..], out var sequenceLength, out var headerLength))
        {
            return false;
        }

        var body = der[(1 + headerLength)..];
        if (body.Length != sequenceLength)
        {
            return false;
        }

        var result = new byte[SignatureSize];
        if (!TryReadInteger(ref body, result.AsSpan(0, 32)) || !TryReadInteger(ref body, result.AsSpan(32, 32))
            || !body.IsEmpty)
        {
            return false;
        }

        signature = result;
        return true;
    }

    /// <summary>Encodes 64 bytes r ‖ s as strict DER (for interoperability with DER-based tools).</summary>
    /// <param name="signature">64 bytes r ‖ s.</param>
    /// <returns>The DER encoding.</returns>
    public static byte[] EncodeDer(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException($"a signature is {SignatureSize} bytes", nameof(signature));
        }

        var r = MinimalInteger(signature[..32]);
        var s = MinimalInteger(signature[32..]);
        var body = new List<byte>(r.Length + s.Length + 4) { 0x02, (byte)r.Length };
        body.AddRange(r);
        body.Add(0x02);
        body.Add((byte)s.Length);
        body.AddRange(s);
        return [0x30, (byte)body.Count, .. body];
    }

    private static byte[] MinimalInteger(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        var trimmed = value[start..];
        return trimmed[0] >= 0x80 ? [0, .. trimmed] : trimmed.ToArray();
    }

    private static bool TryReadLength(ReadOnlySpan<byte> input, out int length, out int consumed)
    {
        length = 0;
        consumed = 0;
        if (input.IsEmpty)
        {
            return false;
        }

        if (input[0] < 0x80)
        {
            length = input[0];
            consumed = 1;
            return true;
        }

        // Only the one-byte long form can occur below 256 bytes, and DER requires it to be needed (>= 128).
        if (input[0] == 0x81 && input.Length >= 2 && input[1] >= 0x80)
        {
            length = input[1];
            consumed = 2;
            return true;
        }

        return false;
    }

    private static bool TryReadInteger(ref ReadOnlySpan<byte> input, Span<byte> destination32)
    {
        if (input.Length < 2 || input[0] != 0x02 || !TryReadLength(input[1..], out var length, out var lengthBytes))
        {
            return false;
        }

        var start = 1 + lengthBytes;
        if (length == 0 || input.Length < start + length)
        {
            return false;
        }

        var value = input.Slice(start, length);
        input = input[(start + length)..];
        if (value[0] >= 0x80)
        {
            return false; // negative
        }

        if (value.Length > 1 && value[0] == 0 && value[1] < 0x80)
        {
            return false; // not minimal
        }

        if (value[0] == 0)
        {
            value = value[1..];
        }

        if (value.Length > 32)
        {
            return false;
        }

        destination32.Clear();
        value.CopyTo(destination32[(32 - value.Length)..]);
        return true;
    }
}

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
        Verifying = VerifyingKey.Create(_publicKey);
    }

    /// <summary>The 32-byte big-endian private scalar d (a copy). Keep it secret.</summary>
    public byte[] PrivateKey => BigIntegers.AsUnsignedByteArray(32, _privateKey.D);

    /// <summary>The 33-byte compressed public key (a copy).</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    /// <summary>The key id: SHA-256 of the compressed public key (a copy).</summary>
    public byte[] KeyId => (byte[])_keyId.Clone();

    /// <summary>The matching verifying key.</summary>
    public VerifyingKey Verifying { get; }

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

internal static class Secp256k1
{
    public static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("secp256k1");
    public static readonly ECDomainParameters Domain = new(Parameters);
    public static readonly BigInteger N = Parameters.N;
    public static readonly BigInteger HalfN = Parameters.N.ShiftRight(1);
}
