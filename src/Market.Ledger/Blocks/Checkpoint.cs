using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Market.Ledger;

/// <summary>
/// A signed statement of the ledger-wide tree (leaves = block header hashes in height order): its size and root at a
/// time, signed by the key valid after the last covered block. Signed bytes (98, big-endian):
/// <c>domain "MarketCheckpoint" (16 ASCII bytes) | format version u16 (=1) | size u64 | root [32] | time i64 Unix ms
/// | key id [32]</c>; the signature is ECDSA over SHA-256 of those bytes. The domain tag makes the signed bytes
/// start with 0x4D, while a header starts with 0x00 and differs in length, so a checkpoint signature can never be
/// taken for a header signature or the other way round.
/// </summary>
public sealed record Checkpoint
{
    /// <summary>Length of the signed bytes.</summary>
    public const int EncodedSize = 16 + 2 + 8 + 32 + 8 + 32;

    /// <summary>The format version written by <see cref="Encode"/>.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>The 16-byte ASCII domain tag that starts the signed bytes.</summary>
    public const string DomainTag = "MarketCheckpoint";

    /// <summary>Number of blocks covered (leaves of the ledger-wide tree).</summary>
    public required long Size { get; init; }

    /// <summary>RFC 9162 root of the ledger-wide tree of that size (32 bytes).</summary>
    public required byte[] Root { get; init; }

    /// <summary>When it was made, Unix milliseconds.</summary>
    public required long TimestampUnixMs { get; init; }

    /// <summary>Key id of the signer (32 bytes).</summary>
    public required byte[] KeyId { get; init; }

    /// <summary>64 bytes r ‖ s over <see cref="Digest"/>.</summary>
    public required byte[] Signature { get; init; }

    /// <summary>Makes and signs a checkpoint.</summary>
    /// <param name="size">Number of blocks covered.</param>
    /// <param name="root">Root of the ledger-wide tree at that size (32 bytes).</param>
    /// <param name="time">When it is made.</param>
    /// <param name="key">The key valid after block size − 1.</param>
    /// <returns>The checkpoint.</returns>
    public static Checkpoint Create(long size, ReadOnlySpan<byte> root, DateTimeOffset time, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (root.Length != MerkleTree.HashSize)
        {
            throw new ArgumentException("the root is 32 bytes", nameof(root));
        }

        var unsigned = new Checkpoint
        {
            Size = size,
            Root = root.ToArray(),
            TimestampUnixMs = time.ToUnixTimeMilliseconds(),
            KeyId = key.KeyId,
            Signature = [],
        };
        return unsigned with { Signature = key.Sign(unsigned.Digest()) };
    }

    /// <summary>The 98 signed bytes.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">A root or key id that is not 32 bytes, or a negative size.</exception>
    public byte[] Encode()
    {
        if (Root is not { Length: 32 } || KeyId is not { Length: 32 } || Size < 0)
        {
            throw new InvalidOperationException("a checkpoint needs a 32-byte root and key id and a size >= 0");
        }

        var bytes = new byte[EncodedSize];
        Encoding.ASCII.GetBytes(DomainTag, bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(16), CurrentVersion);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(18), Size);
        Root.CopyTo(bytes, 26);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(58), TimestampUnixMs);
        KeyId.CopyTo(bytes, 66);
        return bytes;
    }

    /// <summary>SHA-256 of the signed bytes: the digest the signature is over.</summary>
    /// <returns>32 bytes.</returns>
    public byte[] Digest() => SHA256.HashData(Encode());

    /// <summary>Checks the signature against a public key whose id must be <see cref="KeyId"/>. Never throws.</summary>
    /// <param name="publicKey">33-byte compressed public key.</param>
    /// <returns>Whether the key matches the key id and the signature is valid and low-S.</returns>
    public bool VerifySignature(ReadOnlySpan<byte> publicKey) =>
        publicKey.Length == Signatures.PublicKeySize && Root is { Length: 32 } && KeyId is { Length: 32 } && Size >= 0
        && Signature is not null && SHA256.HashData(publicKey).AsSpan().SequenceEqual(KeyId)
        && Signatures.Verify(publicKey, Digest(), Signature);

    /// <summary>
    /// Whether <paramref name="newer"/> extends <paramref name="older"/>: an RFC 9162 consistency proof between their
    /// roots (equal sizes need equal roots and an empty proof). Signatures are not checked here.
    /// </summary>
    /// <param name="older">The checkpoint kept earlier.</param>
    /// <param name="newer">The later checkpoint.</param>
    /// <param name="proof">Consistency proof from older.Size to newer.Size.</param>
    /// <returns>Whether the proof holds.</returns>
    public static bool IsConsistent(Checkpoint older, Checkpoint newer, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        return MerkleTree.VerifyConsistency(older.Size, newer.Size, proof, older.Root, newer.Root);
    }

    /// <summary>Value equality over all fields, byte by byte.</summary>
    /// <param name="other">The other checkpoint.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(Checkpoint? other) =>
        other is not null && Size == other.Size && TimestampUnixMs == other.TimestampUnixMs
        && Root.AsSpan().SequenceEqual(other.Root) && KeyId.AsSpan().SequenceEqual(other.KeyId)
        && Signature.AsSpan().SequenceEqual(other.Signature);

    /// <summary>Hash over size and time.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Size, TimestampUnixMs);

    /// <summary>"Checkpoint(size, root)".</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"Checkpoint(size {Size}, root {Convert.ToHexStringLower(Root ?? [])})";
}
