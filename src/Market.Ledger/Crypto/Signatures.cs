using System.Security.Cryptography;
using Org.BouncyCastle.Math;

namespace Market.Ledger;

/// <summary>
/// secp256k1 ECDSA over a 32-byte digest, signatures as 64 bytes <c>r ‖ s</c> (big-endian, 32 bytes each).
/// Verification is strict: it rejects wrong lengths, r or s outside [1, n−1], and high-S signatures (s &gt; n/2),
/// so every message has exactly one valid signature encoding per nonce (no malleability).
/// </summary>
public static partial class Signatures
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
    internal static bool IsLowS(ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize && new BigInteger(1, signature[32..]).CompareTo(Secp256k1.HalfN) <= 0;
}
