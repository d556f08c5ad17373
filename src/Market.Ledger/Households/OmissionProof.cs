using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Market.Ledger;

/// <summary>What a proof of omission shows about the receipted order (docs/ledger-format.md §11.2).</summary>
public enum OmissionKind
{
    /// <summary>No leaf of the book has the receipted sequence.</summary>
    Missing = 1,

    /// <summary>The leaf with the receipted sequence is another statement (another owner, side, energy, price, nonce).</summary>
    Changed = 2,
}

/// <summary>The outcome of <see cref="OmissionProof.Verify"/>.</summary>
/// <param name="Failure">The first failure, or null when the omission is proven.</param>
/// <param name="Omission">Missing or changed (null on failure).</param>
/// <param name="Height">Height of the order book (when its header decoded).</param>
/// <param name="LeafIndex">When changed: the index of the leaf that holds the receipted sequence.</param>
public sealed record OmissionVerification(VerificationFailure? Failure, OmissionKind? Omission, long? Height, int? LeafIndex)
{
    /// <summary>Whether the proof holds: the operator signed the receipt and its sealed book does not hold the order.</summary>
    public bool IsValid => Failure is null;
}

/// <summary>
/// Proof of omission (docs/ledger-format.md §11.2): the operator's acceptance receipt for an order, the signed order
/// book of the order's interval with all its leaves and the book's signer's public key, a signed checkpoint with its
/// signer's public key, and the inclusion proof of the book's header hash (index = height) in the checkpoint's tree.
/// It proves that the operator accepted the order and then sealed a book for that interval that does not hold it at
/// its sequence, verifiable offline with nothing else. Whether the keys are the operator's is for the caller to
/// decide (pass trusted key ids). It cannot show that the household did not cancel the order later (a cancellation is
/// a household-signed record in the ledger, the operator's answer).
/// </summary>
public sealed record OmissionProof
{
    /// <summary>The value of "format" in the JSON form.</summary>
    public const string FormatName = "market-omission-proof";

    /// <summary>The JSON format version.</summary>
    public const int FormatVersion = 1;

    /// <summary>The operator's acceptance receipt of the order.</summary>
    public required AcceptanceReceipt Receipt { get; init; }

    /// <summary>The 170-byte header of the interval's order book.</summary>
    public required byte[] BookHeader { get; init; }

    /// <summary>The signature over the book's header hash.</summary>
    public required byte[] BookSignature { get; init; }

    /// <summary>The 33-byte public key of the book's signer (its id is the header's key id).</summary>
    public required byte[] BookPublicKey { get; init; }

    /// <summary>All leaves of the book, in order.</summary>
    public required IReadOnlyList<byte[]> BookLeaves { get; init; }

    /// <summary>A checkpoint covering the book.</summary>
    public required Checkpoint Checkpoint { get; init; }

    /// <summary>33-byte public key of the checkpoint's signer.</summary>
    public required byte[] CheckpointPublicKey { get; init; }

    /// <summary>Inclusion proof of the book's header hash (leaf index = height) in the ledger-wide tree of the checkpoint's size.</summary>
    public required IReadOnlyList<byte[]> HeaderProof { get; init; }

    /// <summary>
    /// Whether the book holds the receipted order: the leaf with the receipt's sequence and the receipt's statement.
    /// This does not check signatures; <see cref="Verify"/> does.
    /// </summary>
    /// <param name="receipt">An order's acceptance receipt.</param>
    /// <param name="book">The order book of the order's interval.</param>
    /// <returns>Null when the book holds the order; otherwise missing (no leaf with that sequence) or changed (that
    /// sequence holds another statement).</returns>
    /// <exception cref="ArgumentException">The receipt is not an order's, the block is not an order book or is
    /// another interval's.</exception>
    /// <exception cref="LedgerFormatException">The header or a leaf before the receipted sequence's does not decode.</exception>
    public static OmissionKind? FindOmission(AcceptanceReceipt receipt, LedgerBlock book)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(book);
        var (ledgerId, header) = CheckPair(receipt, book.HeaderBytes);
        var statementHash = receipt.StatementHash();
        for (var i = 0; i < book.Leaves.Count; i++)
        {
            var order = OrderLeaf.Decode(book.Leaves.GetSpan(i));
            if (order.Sequence == receipt.Sequence)
            {
                return order.StatementHash(ledgerId, header.IntervalStart, header.IntervalEnd).AsSpan().SequenceEqual(statementHash) ? null : OmissionKind.Changed;
            }
        }

        return OmissionKind.Missing;
    }

    /// <summary>Builds a proof from the sealed book and a checkpoint, with the header proof from the ledger-wide tree.</summary>
    /// <param name="receipt">The operator's acceptance receipt of the order.</param>
    /// <param name="book">The order book of the order's interval, as stored (header, signature, leaves).</param>
    /// <param name="bookPublicKey">Public key of the book's signer.</param>
    /// <param name="checkpoint">A checkpoint covering the book.</param>
    /// <param name="checkpointPublicKey">Public key of the checkpoint's signer.</param>
    /// <param name="ledgerTree">The ledger-wide tree (leaves = header hashes) with at least checkpoint.Size leaves.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="ArgumentException">See <see cref="Build(AcceptanceReceipt, LedgerBlock, ReadOnlySpan{byte}, Checkpoint, ReadOnlySpan{byte}, IReadOnlyList{byte[]})"/>.</exception>
    public static OmissionProof Build(
        AcceptanceReceipt receipt,
        LedgerBlock book,
        ReadOnlySpan<byte> bookPublicKey,
        Checkpoint checkpoint,
        ReadOnlySpan<byte> checkpointPublicKey,
        MerkleTree ledgerTree)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(ledgerTree);
        var height = BlockHeader.TryDecode(book.HeaderBytes, out var header, out var error) ? header.Height : throw new ArgumentException(error, nameof(book));
        return Build(receipt, book, bookPublicKey, checkpoint, checkpointPublicKey, ledgerTree.InclusionProof(height, checkpoint.Size));
    }

    /// <summary>Builds a proof from the sealed book, a checkpoint and a precomputed header inclusion proof.</summary>
    /// <param name="receipt">The operator's acceptance receipt of the order.</param>
    /// <param name="book">The order book of the order's interval, as stored (header, signature, leaves).</param>
    /// <param name="bookPublicKey">Public key of the book's signer.</param>
    /// <param name="checkpoint">A checkpoint covering the book.</param>
    /// <param name="checkpointPublicKey">Public key of the checkpoint's signer.</param>
    /// <param name="headerProof">RFC 9162 inclusion proof of the book's header hash at index = height in the tree of checkpoint.Size.</param>
    /// <returns>The proof (not verified: call <see cref="Verify"/>).</returns>
    /// <exception cref="ArgumentException">The receipt is not an order's, the block is not an order book or another
    /// interval's, or the book holds the receipted order (there is no omission to prove).</exception>
    /// <exception cref="LedgerFormatException">A leaf of the book does not decode.</exception>
    public static OmissionProof Build(
        AcceptanceReceipt receipt,
        LedgerBlock book,
        ReadOnlySpan<byte> bookPublicKey,
        Checkpoint checkpoint,
        ReadOnlySpan<byte> checkpointPublicKey,
        IReadOnlyList<byte[]> headerProof)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(headerProof);
        if (FindOmission(receipt, book) is null)
        {
            throw new ArgumentException("the book holds the receipted order: there is no omission to prove", nameof(book));
        }

        return new OmissionProof
        {
            Receipt = receipt,
            BookHeader = (byte[])book.HeaderBytes.Clone(),
            BookSignature = (byte[])book.Signature.Clone(),
            BookPublicKey = bookPublicKey.ToArray(),
            BookLeaves = book.Leaves.ToArrays(),
            Checkpoint = checkpoint,
            CheckpointPublicKey = checkpointPublicKey.ToArray(),
            HeaderProof = [.. headerProof],
        };
    }

    /// <summary>
    /// Verifies everything in the proof, in this order (the browser verifier's): the receipt (as
    /// <see cref="AcceptanceReceipt.Verify"/>) is an order's; the header decodes, is an order book
    /// (<see cref="VerificationFailureReason.InvalidHeaderField"/>) of the order's interval
    /// (<see cref="VerificationFailureReason.ReferenceMismatch"/>); the public key is the one the header names
    /// (<see cref="VerificationFailureReason.UnknownKey"/>) and signs the header; the leaves are the header's count and
    /// payload root; the checkpoint's signature, time (not before the book) and the header's inclusion in its tree;
    /// with <paramref name="trustedKeyIds"/>, the receipt's, the book's and the checkpoint's keys are trusted; every
    /// leaf up to the receipted sequence decodes, and the leaf with that sequence, if any, is not the receipted
    /// statement (<see cref="VerificationFailureReason.OrderIncluded"/> when it is). Never throws for bad content.
    /// </summary>
    /// <param name="trustedKeyIds">Operator key ids the caller trusts (e.g. all keys of a verified chain); null skips that check.</param>
    /// <returns>The omission (missing or changed) and the book's height, or the first failure.</returns>
    public OmissionVerification Verify(IEnumerable<byte[]>? trustedKeyIds = null)
    {
        var trusted = trustedKeyIds?.ToList();
        if (Receipt is null)
        {
            return Failed(VerificationFailureReason.ReceiptInvalid, null, "the proof has no receipt");
        }

        if (Receipt.Verify(trusted) is { } receiptFailure)
        {
            return new OmissionVerification(receiptFailure, null, null, null);
        }

        var statement = Ledger.Statement.TryDecode(Receipt.Statement, out var decoded, out _) ? decoded : null;
        if (statement is null || !statement.TryGetOrder(out var start, out var end, out _, out _, out _, out _))
        {
            return Failed(VerificationFailureReason.ReceiptInvalid, null, "a proof of omission is about an order, and the receipt is not for one");
        }

        if (!BlockHeader.TryDecode(BookHeader, out var header, out var error))
        {
            return Failed(VerificationFailureReason.MalformedHeader, null, error!);
        }

        var height = header.Height;
        if (header.Kind != BlockKind.OrderBook)
        {
            return Failed(VerificationFailureReason.InvalidHeaderField, height, "the block is not an order book");
        }

        if (header.IntervalStart != start || header.IntervalEnd != end)
        {
            return Failed(VerificationFailureReason.ReferenceMismatch, height, "the order book is not the one of the receipted order's interval");
        }

        if (BookPublicKey is not { Length: Signatures.PublicKeySize } || !SHA256.HashData(BookPublicKey).AsSpan().SequenceEqual(header.KeyId))
        {
            return Failed(VerificationFailureReason.UnknownKey, height, "the book's public key is not the one its header names");
        }

        if (BookSignature is null || !Signatures.Verify(BookPublicKey, SHA256.HashData(BookHeader), BookSignature))
        {
            return Failed(VerificationFailureReason.BadSignature, height, "the book's header signature does not verify");
        }

        var leaves = BookLeaves ?? [];
        if (leaves.Count != header.LeafCount)
        {
            return Failed(VerificationFailureReason.LeafCountMismatch, height, $"the header says {header.LeafCount} leaves, the proof has {leaves.Count}");
        }

        if (!MerkleTree.ComputeRoot(leaves).AsSpan().SequenceEqual(header.PayloadRoot))
        {
            return Failed(VerificationFailureReason.PayloadRootMismatch, height, "the leaves do not hash to the book's payload root: they are not the book's");
        }

        if (Checkpoint is null || CheckpointPublicKey is null || Checkpoint.Size < 1 || !Checkpoint.VerifySignature(CheckpointPublicKey))
        {
            return Failed(VerificationFailureReason.BadCheckpointSignature, height, "the checkpoint signature does not verify with its public key");
        }

        if (Checkpoint.TimestampUnixMs < header.SealedAtUnixMs)
        {
            return Failed(VerificationFailureReason.CheckpointMismatch, height, "the checkpoint is dated before the book");
        }

        if (HeaderProof is null || !MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(SHA256.HashData(BookHeader)), height, Checkpoint.Size, HeaderProof, Checkpoint.Root))
        {
            return Failed(VerificationFailureReason.InclusionProofInvalid, height, "the book is not in the ledger tree of the checkpoint");
        }

        if (trusted is not null && (!Trusts(trusted, header.KeyId) || !Trusts(trusted, Checkpoint.KeyId)))
        {
            return Failed(VerificationFailureReason.UntrustedKey, height, "a signing key is not among the trusted keys");
        }

        var statementHash = Receipt.StatementHash();
        for (var i = 0; i < leaves.Count; i++)
        {
            if (!OrderLeaf.TryDecode(leaves[i], out var order, out error))
            {
                return Failed(VerificationFailureReason.MalformedLeaf, height, error!, i);
            }

            if (order.Sequence != Receipt.Sequence)
            {
                continue;
            }

            if (order.StatementHash(statement.LedgerId, header.IntervalStart, header.IntervalEnd).AsSpan().SequenceEqual(statementHash))
            {
                return Failed(VerificationFailureReason.OrderIncluded, height, $"the receipted order is in the book at leaf {i}, with its sequence {Receipt.Sequence}", i);
            }

            return new OmissionVerification(null, OmissionKind.Changed, height, i);
        }

        return new OmissionVerification(null, OmissionKind.Missing, height, null);
    }

    /// <summary>Parses and verifies a proof's JSON text; unreadable JSON fails with
    /// <see cref="VerificationFailureReason.ReceiptInvalid"/> (as in the browser verifier). Never throws for bad content.</summary>
    /// <param name="json">The proof's JSON text.</param>
    /// <param name="trustedKeyIds">Operator key ids the caller trusts; null skips that check.</param>
    /// <returns>As <see cref="Verify"/>.</returns>
    public static OmissionVerification VerifyJson(string json, IEnumerable<byte[]>? trustedKeyIds = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return FromJson(json).Verify(trustedKeyIds);
        }
        catch (LedgerFormatException e)
        {
            return Failed(VerificationFailureReason.ReceiptInvalid, null, e.Message);
        }
    }

    /// <summary>The proof as one JSON object (§11.2, bytes in lower-case hex).</summary>
    /// <returns>JSON text.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", FormatVersion);
            json.WritePropertyName("receipt");
            Receipt.WriteTo(json);
            json.WriteStartObject("book");
            json.WriteString("header", Convert.ToHexStringLower(BookHeader));
            json.WriteString("signature", Convert.ToHexStringLower(BookSignature));
            json.WriteString("publicKey", Convert.ToHexStringLower(BookPublicKey));
            JsonFields.WriteHexArray(json, "leaves", BookLeaves);
            json.WriteEndObject();
            JsonFields.WriteCheckpoint(json, "checkpoint", Checkpoint);
            json.WriteString("checkpointPublicKey", Convert.ToHexStringLower(CheckpointPublicKey));
            JsonFields.WriteHexArray(json, "headerProof", HeaderProof);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses the JSON form strictly (all fields, right types, hex, no unknown fields). It does not verify.</summary>
    /// <param name="json">JSON text from <see cref="ToJson"/>.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="LedgerFormatException">Malformed proof JSON.</exception>
    public static OmissionProof FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        const string What = "omission proof";
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            JsonFields.Require(root, What, ["format", "version", "receipt", "book", "checkpoint", "checkpointPublicKey", "headerProof"]);
            JsonFields.Format(root, What, FormatName, FormatVersion);
            var book = root.GetProperty("book");
            JsonFields.Require(book, What + " book", ["header", "signature", "publicKey", "leaves"]);
            return new OmissionProof
            {
                Receipt = AcceptanceReceipt.Read(root.GetProperty("receipt")),
                BookHeader = JsonFields.Hex(book, What + " book", "header"),
                BookSignature = JsonFields.Hex(book, What + " book", "signature"),
                BookPublicKey = JsonFields.Hex(book, What + " book", "publicKey"),
                BookLeaves = JsonFields.HexArray(book, What + " book", "leaves"),
                Checkpoint = JsonFields.ReadCheckpoint(root.GetProperty("checkpoint"), What + " checkpoint"),
                CheckpointPublicKey = JsonFields.Hex(root, What, "checkpointPublicKey"),
                HeaderProof = JsonFields.HexArray(root, What, "headerProof"),
            };
        }
        catch (JsonException e)
        {
            throw new LedgerFormatException($"{What}: invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>Value equality over all fields, byte by byte.</summary>
    /// <param name="other">The other proof.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(OmissionProof? other) => other is not null && ToJson() == other.ToJson();

    /// <summary>Hash over the book's header.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(BookHeader ?? []);
        return hash.ToHashCode();
    }

    private static (byte[] LedgerId, BlockHeader Header) CheckPair(AcceptanceReceipt receipt, byte[] headerBytes)
    {
        if (!Ledger.Statement.TryDecode(receipt.Statement, out var statement, out var error) || !statement.TryGetOrder(out var start, out var end, out _, out _, out _, out _))
        {
            throw new ArgumentException(error ?? "the receipt is not an order's", nameof(receipt));
        }

        var header = BlockHeader.TryDecode(headerBytes, out var decoded, out error) ? decoded : throw new ArgumentException(error, nameof(headerBytes));
        if (header.Kind != BlockKind.OrderBook || header.IntervalStart != start || header.IntervalEnd != end)
        {
            throw new ArgumentException("the block is not the order book of the receipted order's interval", nameof(headerBytes));
        }

        return (statement.LedgerId, header);
    }

    private static bool Trusts(List<byte[]> trusted, byte[] keyId) => trusted.Exists(id => id.AsSpan().SequenceEqual(keyId));

    private static OmissionVerification Failed(VerificationFailureReason reason, long? height, string message, int? leafIndex = null) =>
        new(new VerificationFailure(reason, height, null, leafIndex, message), null, height, null);
}
