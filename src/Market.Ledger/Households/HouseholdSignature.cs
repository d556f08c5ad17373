using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// A household key's signature over a submission (docs/ledger-format.md §3.1), as one statement of it carries it:
/// the key id, the 64-byte signature over <c>"MarketSubmission" ‖ root</c>, the submission's size, the statement's
/// index in it and its RFC 9162 inclusion path. The root is the Merkle tree hash over the submission's statement
/// hashes (each a leaf). Encoded as the signed authorisation tail
/// <c>1 ‖ key id [32] ‖ signature [64] ‖ size u32 ‖ index u32 ‖ path (32 × k)</c>, 105 + 32k bytes.
/// </summary>
/// <param name="KeyId">The household key id (32 bytes).</param>
/// <param name="Signature">The signature over <see cref="SignedMessage"/> of the root (64 bytes).</param>
/// <param name="SubmissionSize">Statements in the submission, 1 … 1024.</param>
/// <param name="Index">This statement's 0-based position in the submission.</param>
/// <param name="Path">Its inclusion path (k nodes, k fixed by index and size).</param>
public sealed record HouseholdSignature(byte[] KeyId, byte[] Signature, int SubmissionSize, int Index, byte[][] Path)
{
    /// <summary>The most statements in one submission.</summary>
    public const int MaxSubmissionSize = 1024;

    /// <summary>The authorisation byte of a signed tail.</summary>
    public const byte AuthSigned = 1;

    /// <summary>Length of a tail without the path.</summary>
    public const int TailFixedSize = 105;

    /// <summary>Length of the signed message: tag and root.</summary>
    public const int SignedMessageSize = 48;

    private static ReadOnlySpan<byte> Tag => "MarketSubmission"u8;

    /// <summary>Length of the encoded tail.</summary>
    public int TailLength => TailFixedSize + (32 * Path.Length);

    /// <summary>The submission root: MTH over the statement hashes in submission order, each a leaf (its leaf hash
    /// <c>SHA-256(0x00 ‖ statement hash)</c>). One statement's root is its leaf hash.</summary>
    /// <param name="statementHashes">1 … 1024 statement hashes of 32 bytes.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] SubmissionRoot(IReadOnlyList<byte[]> statementHashes)
    {
        RequireSubmission(statementHashes);
        return MerkleTree.ComputeRoot(statementHashes);
    }

    /// <summary>The 48 bytes a household key signs: ASCII "MarketSubmission" ‖ root.</summary>
    /// <param name="root">The submission root (32 bytes).</param>
    /// <returns>A new array.</returns>
    public static byte[] SignedMessage(ReadOnlySpan<byte> root)
    {
        if (root.Length != 32)
        {
            throw new ArgumentException("the submission root is 32 bytes", nameof(root));
        }

        var message = new byte[SignedMessageSize];
        Tag.CopyTo(message);
        root.CopyTo(message.AsSpan(16));
        return message;
    }

    /// <summary>One signature record per statement of a submission, each with its inclusion path.</summary>
    /// <param name="statementHashes">The submission's statement hashes in order (1 … 1024).</param>
    /// <param name="keyId">The signing key's id.</param>
    /// <param name="signature">The signature over <see cref="SignedMessage"/> of <see cref="SubmissionRoot"/>.</param>
    /// <returns>One per statement, in order.</returns>
    public static HouseholdSignature[] ForSubmission(IReadOnlyList<byte[]> statementHashes, byte[] keyId, byte[] signature)
    {
        RequireSubmission(statementHashes);
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(signature);
        if (keyId.Length != 32 || signature.Length != HouseholdKey.SignatureSize)
        {
            throw new ArgumentException("a key id is 32 bytes and a signature 64");
        }

        var tree = MerkleTree.FromLeaves(statementHashes);
        var result = new HouseholdSignature[statementHashes.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new HouseholdSignature((byte[])keyId.Clone(), (byte[])signature.Clone(), statementHashes.Count, i, tree.InclusionProof(i));
        }

        return result;
    }

    /// <summary>The submission root this signature claims for a statement: its leaf hash walked up the path. Null
    /// when the path does not fit (index, size).</summary>
    /// <param name="statementHash">The statement's hash (32 bytes).</param>
    /// <returns>32 bytes, or null.</returns>
    public byte[]? RootFor(ReadOnlySpan<byte> statementHash)
    {
        var root = new byte[32];
        return TryRootFor(statementHash, root) ? root : null;
    }

    /// <summary>Whether the signature verifies for the statement: the root from the path, then the key's signature
    /// over <c>"MarketSubmission" ‖ root</c>. The key id must be the key's.</summary>
    /// <param name="key">The household key.</param>
    /// <param name="statementHash">The statement's hash.</param>
    /// <returns>Whether it is valid.</returns>
    public bool Verify(HouseholdKey key, ReadOnlySpan<byte> statementHash)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> message = stackalloc byte[SignedMessageSize];
        Tag.CopyTo(message);
        return key.KeyIdSpan.SequenceEqual(KeyId) && TryRootFor(statementHash, message[16..]) && key.Verify(message, Signature);
    }

    /// <summary>The signed authorisation tail.</summary>
    /// <returns>105 + 32k bytes.</returns>
    public byte[] EncodeTail()
    {
        var bytes = new byte[TailLength];
        WriteTail(bytes);
        return bytes;
    }

    /// <summary>Writes the signed authorisation tail.</summary>
    /// <param name="destination">At least <see cref="TailLength"/> bytes.</param>
    /// <exception cref="InvalidOperationException">Fields a decoder would reject.</exception>
    public void WriteTail(Span<byte> destination)
    {
        if (KeyId is not { Length: 32 } || Signature is not { Length: HouseholdKey.SignatureSize } || Path is null
            || SubmissionSize is < 1 or > MaxSubmissionSize || Index < 0 || Index >= SubmissionSize
            || Path.Length != MerkleTree.InclusionProofLength(Index, SubmissionSize) || Path.Any(p => p is not { Length: 32 }))
        {
            throw new InvalidOperationException("a household signature needs a 32-byte key id, a 64-byte signature, 0 <= index < size <= 1024 and the path of (index, size)");
        }

        destination[0] = AuthSigned;
        KeyId.CopyTo(destination[1..]);
        Signature.CopyTo(destination[33..]);
        BinaryPrimitives.WriteInt32BigEndian(destination[97..], SubmissionSize);
        BinaryPrimitives.WriteInt32BigEndian(destination[101..], Index);
        for (var i = 0; i < Path.Length; i++)
        {
            Path[i].CopyTo(destination[(TailFixedSize + (32 * i))..]);
        }
    }

    /// <summary>Decodes a signed authorisation tail that fills <paramref name="tail"/> exactly.</summary>
    /// <param name="tail">The tail bytes (auth byte 1 first).</param>
    /// <param name="signature">The signature on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the tail is valid.</returns>
    public static bool TryDecodeTail(ReadOnlySpan<byte> tail, [NotNullWhen(true)] out HouseholdSignature? signature, out string? error)
    {
        signature = null;
        if (tail.Length < TailFixedSize || tail[0] != AuthSigned)
        {
            error = "signed authorisation: expected 1, key id, signature, size, index, path (at least 105 bytes)";
            return false;
        }

        var size = BinaryPrimitives.ReadUInt32BigEndian(tail[97..]);
        var index = BinaryPrimitives.ReadUInt32BigEndian(tail[101..]);
        if (size is < 1 or > MaxSubmissionSize || index >= size)
        {
            error = $"signed authorisation: need 0 <= index < size <= {MaxSubmissionSize}, got index {index}, size {size}";
            return false;
        }

        var k = MerkleTree.InclusionProofLength(index, size);
        if (tail.Length != TailFixedSize + (32 * k))
        {
            error = $"signed authorisation: the path of index {index} in {size} is {k} nodes, got {tail.Length - TailFixedSize} bytes";
            return false;
        }

        var path = new byte[k][];
        for (var i = 0; i < k; i++)
        {
            path[i] = tail.Slice(TailFixedSize + (32 * i), 32).ToArray();
        }

        signature = new HouseholdSignature(tail[1..33].ToArray(), tail[33..97].ToArray(), (int)size, (int)index, path);
        error = null;
        return true;
    }

    /// <summary>Value equality over all fields, byte by byte.</summary>
    /// <param name="other">The other signature.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(HouseholdSignature? other) => other is not null && KeyId.AsSpan().SequenceEqual(other.KeyId)
        && Signature.AsSpan().SequenceEqual(other.Signature) && SubmissionSize == other.SubmissionSize && Index == other.Index
        && Path.Length == other.Path.Length && Path.Zip(other.Path).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(BinaryPrimitives.ReadInt32BigEndian(Signature), SubmissionSize, Index);

    internal bool TryRootFor(ReadOnlySpan<byte> statementHash, Span<byte> root)
    {
        if (statementHash.Length != 32)
        {
            return false;
        }

        Span<byte> leaf = stackalloc byte[33];
        statementHash.CopyTo(leaf[1..]);
        Span<byte> leafHash = stackalloc byte[32];
        SHA256.HashData(leaf, leafHash);
        return MerkleTree.TryRootFromPath(leafHash, Index, SubmissionSize, Path, root);
    }

    private static void RequireSubmission(IReadOnlyList<byte[]> statementHashes)
    {
        ArgumentNullException.ThrowIfNull(statementHashes);
        if (statementHashes.Count is < 1 or > MaxSubmissionSize || statementHashes.Any(h => h is not { Length: 32 }))
        {
            throw new ArgumentException($"a submission is 1 … {MaxSubmissionSize} statement hashes of 32 bytes", nameof(statementHashes));
        }
    }
}

/// <summary>How an order is authorised by its household: the tail of an order leaf (§5.3).</summary>
public abstract record OrderAuthorization
{
    private protected OrderAuthorization()
    {
    }

    /// <summary>Length of the encoded tail.</summary>
    public abstract int TailLength { get; }

    /// <summary>Writes the tail.</summary>
    /// <param name="destination">At least <see cref="TailLength"/> bytes.</param>
    public abstract void WriteTail(Span<byte> destination);

    /// <summary>Decodes an order's authorisation tail that fills <paramref name="tail"/> exactly.</summary>
    /// <param name="tail">The tail bytes.</param>
    /// <param name="authorization">The authorisation on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the tail is valid.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> tail, [NotNullWhen(true)] out OrderAuthorization? authorization, out string? error)
    {
        authorization = null;
        if (tail.Length > 0 && tail[0] == MandateOrder.AuthMandate)
        {
            if (tail.Length != MandateOrder.Size)
            {
                error = "mandate authorisation: expected 2 and a 32-byte mandate id (33 bytes)";
                return false;
            }

            authorization = new MandateOrder(tail[1..].ToArray());
            error = null;
            return true;
        }

        if (!HouseholdSignature.TryDecodeTail(tail, out var signature, out error))
        {
            if (tail.Length == 0 || tail[0] != HouseholdSignature.AuthSigned)
            {
                error = $"authorisation: unknown kind {(tail.Length == 0 ? "(none)" : tail[0].ToString(System.Globalization.CultureInfo.InvariantCulture))} (1 signed, 2 mandate)";
            }

            return false;
        }

        authorization = new SignedOrder(signature);
        return true;
    }
}

/// <summary>An order signed by a household key as part of a submission.</summary>
/// <param name="Signature">The submission signature and this order's place in it.</param>
public sealed record SignedOrder(HouseholdSignature Signature) : OrderAuthorization
{
    /// <inheritdoc/>
    public override int TailLength => Signature.TailLength;

    /// <inheritdoc/>
    public override void WriteTail(Span<byte> destination) => Signature.WriteTail(destination);
}

/// <summary>An order the market placed under a household's mandate (no signature of its own).</summary>
/// <param name="MandateId">The mandate's id: the statement hash of the mandate (32 bytes).</param>
public sealed record MandateOrder(byte[] MandateId) : OrderAuthorization
{
    /// <summary>The authorisation byte of a mandate tail.</summary>
    public const byte AuthMandate = 2;

    /// <summary>Length of the tail.</summary>
    public const int Size = 33;

    /// <inheritdoc/>
    public override int TailLength => Size;

    /// <inheritdoc/>
    public override void WriteTail(Span<byte> destination)
    {
        if (MandateId is not { Length: 32 })
        {
            throw new InvalidOperationException("a mandate id is 32 bytes");
        }

        destination[0] = AuthMandate;
        MandateId.CopyTo(destination[1..]);
    }

    /// <summary>Value equality, the id byte by byte.</summary>
    /// <param name="other">The other authorisation.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(MandateOrder? other) => other is not null && MandateId.AsSpan().SequenceEqual(other.MandateId);

    /// <inheritdoc/>
    public override int GetHashCode() => MandateId.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(MandateId) : 0;
}
