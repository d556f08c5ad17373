using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Market.Ledger;

/// <summary>
/// The operator's signed acknowledgement that it accepted a household's statement (docs/ledger-format.md §11.1):
/// an order with its sequence and interval, or a household record with its sequence. The household keeps it; should
/// the order be missing from the interval's sealed book, the receipt and the book make a proof of omission (§11.2).
/// Receipt bytes (155): <c>"MarketAcceptance" ‖ version u16 = 2 ‖ ledger id [32] ‖ statement hash [32] ‖ household [16] ‖
/// sequence u64 ‖ type u8 ‖ interval start i64 ‖ accepted at i64 (Unix ms) ‖ operator key id [32]</c>. The receipts
/// issued together form a batch: an RFC 9162 tree over their bytes, whose root the operator key signs once
/// (<c>"MarketAcceptance" ‖ version u16 = 2 ‖ batch size u64 ‖ root</c>, 58 bytes, secp256k1, §3); each receipt carries
/// its index in the batch, the batch size and its inclusion path.
/// </summary>
public sealed class AcceptanceReceipt
{
    /// <summary>The value of "format" in the JSON form.</summary>
    public const string FormatName = "market-acceptance-receipt";

    /// <summary>The format version (JSON, receipt bytes and batch message).</summary>
    public const int FormatVersion = 2;

    /// <summary>Length of the receipt bytes (a leaf of the batch tree).</summary>
    public const int SignedSize = 155;

    /// <summary>Length of the signed batch message.</summary>
    public const int BatchMessageSize = 58;

    private static ReadOnlySpan<byte> Tag => "MarketAcceptance"u8;

    /// <summary>The statement accepted (its bytes: ledger id, household, type and body).</summary>
    public required byte[] Statement { get; init; }

    /// <summary>Orders: the order's sequence in the book; records: the household record's sequence.</summary>
    public required long Sequence { get; init; }

    /// <summary>The statement type (repeats the statement's).</summary>
    public required StatementType Type { get; init; }

    /// <summary>Orders: the interval start; otherwise 0.</summary>
    public required long IntervalStart { get; init; }

    /// <summary>When the operator accepted it, Unix ms.</summary>
    public required long AcceptedAtUnixMs { get; init; }

    /// <summary>Key id of the operator key that signs.</summary>
    public required byte[] KeyId { get; init; }

    /// <summary>That key's 33-byte compressed public key.</summary>
    public required byte[] PublicKey { get; init; }

    /// <summary>This receipt's index in its batch.</summary>
    public required long BatchIndex { get; init; }

    /// <summary>How many receipts the batch holds (at least 1).</summary>
    public required long BatchSize { get; init; }

    /// <summary>The RFC 9162 inclusion path of this receipt's bytes in the batch tree (empty for a batch of one).</summary>
    public required IReadOnlyList<byte[]> BatchPath { get; init; }

    /// <summary>The 64-byte signature over SHA-256 of the batch message (<see cref="BatchMessage"/>).</summary>
    public required byte[] Signature { get; init; }

    /// <summary>What one accepted statement needs for its receipt.</summary>
    /// <param name="Statement">The statement bytes (<see cref="Ledger.Statement.Encode"/>, <see cref="OrderLeaf.StatementBytes"/>).</param>
    /// <param name="Sequence">The order's or record's sequence.</param>
    /// <param name="AcceptedAt">When it was accepted.</param>
    public readonly record struct Accepted(byte[] Statement, long Sequence, DateTimeOffset AcceptedAt);

    /// <summary>Signs a receipt for an accepted statement (a batch of one).</summary>
    /// <param name="statement">The statement bytes (<see cref="Ledger.Statement.Encode"/>, <see cref="OrderLeaf.StatementBytes"/>).</param>
    /// <param name="sequence">The order's or record's sequence.</param>
    /// <param name="acceptedAt">When it was accepted.</param>
    /// <param name="key">The operator key valid then.</param>
    /// <returns>The receipt; the interval start is read from an order statement.</returns>
    /// <exception cref="ArgumentException">The statement does not decode, or a negative sequence.</exception>
    public static AcceptanceReceipt Create(byte[] statement, long sequence, DateTimeOffset acceptedAt, SigningKey key) =>
        CreateBatch([new Accepted(statement, sequence, acceptedAt)], key)[0];

    /// <summary>
    /// Signs the receipts of several accepted statements with one signature: the key signs the root of the tree over
    /// their bytes, in this order, and each receipt carries its inclusion path.
    /// </summary>
    /// <param name="accepted">The statements with their sequences and times (at least one).</param>
    /// <param name="key">The operator key valid then.</param>
    /// <returns>One receipt per statement, in the same order.</returns>
    /// <exception cref="ArgumentException">No statement, a statement that does not decode, or a negative sequence.</exception>
    public static AcceptanceReceipt[] CreateBatch(IReadOnlyList<Accepted> accepted, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        ArgumentNullException.ThrowIfNull(key);
        if (accepted.Count == 0)
        {
            throw new ArgumentException("a batch holds at least one receipt", nameof(accepted));
        }

        var unsigned = new AcceptanceReceipt[accepted.Count];
        var leaves = new byte[accepted.Count][];
        for (var i = 0; i < accepted.Count; i++)
        {
            var (statement, sequence, acceptedAt) = accepted[i];
            ArgumentNullException.ThrowIfNull(statement);
            if (!Ledger.Statement.TryDecode(statement, out var decoded, out var error))
            {
                throw new ArgumentException(error, nameof(accepted));
            }

            ArgumentOutOfRangeException.ThrowIfNegative(sequence);
            unsigned[i] = new AcceptanceReceipt
            {
                Statement = (byte[])statement.Clone(),
                Sequence = sequence,
                Type = decoded.Type,
                IntervalStart = decoded.TryGetOrder(out var start, out _, out _, out _, out _, out _) ? start : 0,
                AcceptedAtUnixMs = acceptedAt.ToUnixTimeMilliseconds(),
                KeyId = key.KeyId,
                PublicKey = key.PublicKey,
                BatchIndex = i,
                BatchSize = accepted.Count,
                BatchPath = [],
                Signature = [],
            };
            leaves[i] = unsigned[i].SignedBytes();
        }

        var tree = MerkleTree.FromLeaves(leaves);
        var signature = key.Sign(SHA256.HashData(BatchMessage(accepted.Count, tree.Root())));
        var receipts = new AcceptanceReceipt[accepted.Count];
        for (var i = 0; i < receipts.Length; i++)
        {
            var u = unsigned[i];
            receipts[i] = new AcceptanceReceipt
            {
                Statement = u.Statement,
                Sequence = u.Sequence,
                Type = u.Type,
                IntervalStart = u.IntervalStart,
                AcceptedAtUnixMs = u.AcceptedAtUnixMs,
                KeyId = u.KeyId,
                PublicKey = u.PublicKey,
                BatchIndex = i,
                BatchSize = receipts.Length,
                BatchPath = tree.InclusionProof(i),
                Signature = signature,
            };
        }

        return receipts;
    }

    /// <summary>The 58 bytes the operator key signs (hashed with SHA-256) for a batch of receipts (§11.1).</summary>
    /// <param name="size">How many receipts the batch holds.</param>
    /// <param name="root">The RFC 9162 root of the tree over their bytes.</param>
    /// <returns>A new array.</returns>
    public static byte[] BatchMessage(long size, ReadOnlySpan<byte> root)
    {
        if (root.Length != 32)
        {
            throw new ArgumentException("a root is 32 bytes", nameof(root));
        }

        var bytes = new byte[BatchMessageSize];
        Tag.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(16), FormatVersion);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(18), size);
        root.CopyTo(bytes.AsSpan(26));
        return bytes;
    }

    /// <summary>The 155 receipt bytes (§11.1, the receipt's leaf in its batch tree), recomputed from the fields and the statement.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="LedgerFormatException">The statement is too short to hold a ledger id and household.</exception>
    public byte[] SignedBytes()
    {
        if (Statement is not { Length: >= Ledger.Statement.PrefixSize } || KeyId is not { Length: 32 })
        {
            throw new LedgerFormatException("acceptance receipt: the statement or key id is too short");
        }

        var bytes = new byte[SignedSize];
        Tag.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(16), FormatVersion);
        Statement.AsSpan(16, 32).CopyTo(bytes.AsSpan(18));
        SHA256.HashData(Statement, bytes.AsSpan(50, 32));
        Statement.AsSpan(48, 16).CopyTo(bytes.AsSpan(82));
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(98), Sequence);
        bytes[106] = (byte)Type;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(107), IntervalStart);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(115), AcceptedAtUnixMs);
        KeyId.CopyTo(bytes.AsSpan(123));
        return bytes;
    }

    /// <summary>The statement's hash.</summary>
    /// <returns>32 bytes.</returns>
    public byte[] StatementHash() => SHA256.HashData(Statement);

    /// <summary>
    /// Verifies the receipt on its own: the statement decodes, its type is the receipt's, an order's interval start is
    /// the receipt's (records: 0), the sequence is not negative, the key id is SHA-256 of the public key, the batch path
    /// leads from the 155 bytes to a root and the signature over that batch's message verifies (strict low-S), and
    /// (when given) the key is trusted. Never throws for bad content.
    /// </summary>
    /// <param name="trustedKeyIds">Operator key ids the caller trusts; null skips that check.</param>
    /// <returns>Null when valid, else the failure (<see cref="VerificationFailureReason.ReceiptInvalid"/>,
    /// <see cref="VerificationFailureReason.MalformedLeaf"/> for a statement that does not decode,
    /// <see cref="VerificationFailureReason.UntrustedKey"/>).</returns>
    public VerificationFailure? Verify(IEnumerable<byte[]>? trustedKeyIds = null)
    {
        if (Statement is null)
        {
            return Fail(VerificationFailureReason.MalformedLeaf, "acceptance receipt: no statement");
        }

        if (!Ledger.Statement.TryDecode(Statement, out var decoded, out var error))
        {
            return Fail(VerificationFailureReason.MalformedLeaf, $"acceptance receipt: {error}");
        }

        var start = decoded.TryGetOrder(out var s, out _, out _, out _, out _, out _) ? s : 0;
        if (decoded.Type != Type || start != IntervalStart || Sequence < 0)
        {
            return Fail(VerificationFailureReason.ReceiptInvalid, "the receipt's type, interval start or sequence does not fit its statement");
        }

        if (PublicKey is not { Length: Signatures.PublicKeySize } || KeyId is not { Length: 32 } || !SHA256.HashData(PublicKey).AsSpan().SequenceEqual(KeyId))
        {
            return Fail(VerificationFailureReason.ReceiptInvalid, "the receipt's key id is not SHA-256 of its public key");
        }

        Span<byte> root = stackalloc byte[32];
        if (BatchPath is null || BatchSize < 1 || !MerkleTree.TryRootFromPath(MerkleTree.HashLeaf(SignedBytes()), BatchIndex, BatchSize, BatchPath, root))
        {
            return Fail(VerificationFailureReason.ReceiptInvalid, "the receipt's batch index, size or path does not lead to a batch root");
        }

        if (Signature is null || !Signatures.Verify(PublicKey, SHA256.HashData(BatchMessage(BatchSize, root)), Signature))
        {
            return Fail(VerificationFailureReason.ReceiptInvalid, "the receipt's signature does not verify");
        }

        if (trustedKeyIds is not null && !trustedKeyIds.Any(id => id.AsSpan().SequenceEqual(KeyId)))
        {
            return Fail(VerificationFailureReason.UntrustedKey, "the receipt's key is not among the trusted keys");
        }

        return null;
    }

    /// <summary>The receipt as one JSON object (§11.1, bytes in lower-case hex).</summary>
    /// <returns>JSON text.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses the JSON form strictly (all fields, right types, hex, no unknown fields). It does not verify.</summary>
    /// <param name="json">JSON text from <see cref="ToJson"/>.</param>
    /// <returns>The receipt.</returns>
    /// <exception cref="LedgerFormatException">Malformed receipt JSON.</exception>
    public static AcceptanceReceipt FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new LedgerFormatException($"acceptance receipt: invalid JSON: {e.Message}", e);
        }
    }

    internal void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("format", FormatName);
        json.WriteNumber("version", FormatVersion);
        json.WriteString("statement", Convert.ToHexStringLower(Statement));
        json.WriteNumber("sequence", Sequence);
        json.WriteNumber("type", (byte)Type);
        json.WriteNumber("intervalStart", IntervalStart);
        json.WriteNumber("acceptedAt", AcceptedAtUnixMs);
        json.WriteString("keyId", Convert.ToHexStringLower(KeyId));
        json.WriteString("publicKey", Convert.ToHexStringLower(PublicKey));
        json.WriteNumber("batchIndex", BatchIndex);
        json.WriteNumber("batchSize", BatchSize);
        JsonFields.WriteHexArray(json, "batchPath", BatchPath);
        json.WriteString("signature", Convert.ToHexStringLower(Signature));
        json.WriteEndObject();
    }

    internal static AcceptanceReceipt Read(JsonElement root)
    {
        const string What = "acceptance receipt";
        JsonFields.Require(root, What, ["format", "version", "statement", "sequence", "type", "intervalStart", "acceptedAt", "keyId", "publicKey", "batchIndex", "batchSize", "batchPath", "signature"]);
        JsonFields.Format(root, What, FormatName, FormatVersion);
        var type = JsonFields.Integer(root, What, "type");
        return new AcceptanceReceipt
        {
            Statement = JsonFields.Hex(root, What, "statement"),
            Sequence = JsonFields.Integer(root, What, "sequence"),
            Type = type is >= 1 and <= 6 ? (StatementType)type : throw new LedgerFormatException($"{What}: \"type\" must be 1 … 6"),
            IntervalStart = JsonFields.Integer(root, What, "intervalStart"),
            AcceptedAtUnixMs = JsonFields.Integer(root, What, "acceptedAt"),
            KeyId = JsonFields.Hex(root, What, "keyId"),
            PublicKey = JsonFields.Hex(root, What, "publicKey"),
            BatchIndex = JsonFields.Integer(root, What, "batchIndex"),
            BatchSize = JsonFields.Integer(root, What, "batchSize"),
            BatchPath = JsonFields.HexArray(root, What, "batchPath"),
            Signature = JsonFields.Hex(root, What, "signature"),
        };
    }

    private static VerificationFailure Fail(VerificationFailureReason reason, string message) => new(reason, null, null, null, message);
}
