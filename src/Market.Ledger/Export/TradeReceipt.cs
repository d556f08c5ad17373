using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Market.Ledger;

/// <summary>
/// Proof that one trade is in the ledger, verifiable offline with nothing else: the trade leaf and its RFC 9162
/// inclusion proof in the clearing block's payload root, the signed header and the signer's public key, a signed
/// checkpoint with its signer's public key, and the inclusion proof of the header hash in the ledger-wide tree at
/// the checkpoint. Whether the keys are the operator's is for the caller to decide (pass trusted key ids).
/// </summary>
public sealed record TradeReceipt
{
    /// <summary>The value of "format" in the JSON form.</summary>
    public const string FormatName = "market-ledger-receipt";

    /// <summary>The JSON format version.</summary>
    public const int FormatVersion = 1;

    /// <summary>The 97-byte trade leaf.</summary>
    public required byte[] TradeLeaf { get; init; }

    /// <summary>0-based index of the trade in its clearing block.</summary>
    public required int LeafIndex { get; init; }

    /// <summary>Inclusion proof of the trade leaf in the block's payload tree.</summary>
    public required IReadOnlyList<byte[]> LeafProof { get; init; }

    /// <summary>The 170-byte header of the clearing block.</summary>
    public required byte[] Header { get; init; }

    /// <summary>Signature over the header hash.</summary>
    public required byte[] HeaderSignature { get; init; }

    /// <summary>33-byte public key of the header's signer.</summary>
    public required byte[] SignerPublicKey { get; init; }

    /// <summary>A checkpoint covering the block.</summary>
    public required Checkpoint Checkpoint { get; init; }

    /// <summary>33-byte public key of the checkpoint's signer.</summary>
    public required byte[] CheckpointPublicKey { get; init; }

    /// <summary>Inclusion proof of the header hash (leaf index = height) in the ledger-wide tree of the checkpoint's size.</summary>
    public required IReadOnlyList<byte[]> HeaderProof { get; init; }

    /// <summary>
    /// The same checkpoint as a C2SP signed note with the log's signature and the witnesses' cosignatures
    /// (docs/ledger-format.md §15), or null when the receipt was made before any witness cosigned a checkpoint
    /// covering the trade. Its size and root must be <see cref="Checkpoint"/>'s.
    /// </summary>
    public string? CheckpointNote { get; init; }

    /// <summary>The witness policy sealed in the ledger for that checkpoint (C2SP tlog-policy text), which names the log
    /// key and the witnesses; null with <see cref="CheckpointNote"/>. An auditor may judge the note by their own.</summary>
    public string? WitnessPolicy { get; init; }

    /// <summary>Creates a receipt.</summary>
    /// <param name="clearingBlock">The clearing block holding the trade.</param>
    /// <param name="leafIndex">Index of the trade in the block.</param>
    /// <param name="signerPublicKey">Public key of the block's signer.</param>
    /// <param name="checkpoint">A checkpoint covering the block.</param>
    /// <param name="checkpointPublicKey">Public key of the checkpoint's signer.</param>
    /// <param name="ledgerTree">The ledger-wide tree (leaves = header hashes) with at least checkpoint.Size leaves.</param>
    /// <returns>The receipt.</returns>
    public static TradeReceipt Create(
        LedgerBlock clearingBlock,
        int leafIndex,
        ReadOnlySpan<byte> signerPublicKey,
        Checkpoint checkpoint,
        ReadOnlySpan<byte> checkpointPublicKey,
        MerkleTree ledgerTree)
    {
        ArgumentNullException.ThrowIfNull(clearingBlock);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(ledgerTree);
        var header = BlockHeader.Decode(clearingBlock.HeaderBytes);
        return Create(clearingBlock, leafIndex, signerPublicKey, checkpoint, checkpointPublicKey,
            ledgerTree.InclusionProof(header.Height, checkpoint.Size));
    }

    /// <summary>Creates a receipt from a precomputed header inclusion proof.</summary>
    /// <param name="clearingBlock">The clearing block holding the trade.</param>
    /// <param name="leafIndex">Index of the trade in the block.</param>
    /// <param name="signerPublicKey">Public key of the block's signer.</param>
    /// <param name="checkpoint">A checkpoint covering the block.</param>
    /// <param name="checkpointPublicKey">Public key of the checkpoint's signer.</param>
    /// <param name="headerProof">Inclusion proof of the header hash at index = height in the tree of checkpoint.Size.</param>
    /// <returns>The receipt.</returns>
    public static TradeReceipt Create(
        LedgerBlock clearingBlock,
        int leafIndex,
        ReadOnlySpan<byte> signerPublicKey,
        Checkpoint checkpoint,
        ReadOnlySpan<byte> checkpointPublicKey,
        IReadOnlyList<byte[]> headerProof)
    {
        ArgumentNullException.ThrowIfNull(clearingBlock);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(headerProof);
        var header = BlockHeader.Decode(clearingBlock.HeaderBytes);
        if (header.Kind != BlockKind.Clearing)
        {
            throw new ArgumentException("a receipt is for a trade in a clearing block", nameof(clearingBlock));
        }

        return new TradeReceipt
        {
            TradeLeaf = clearingBlock.Leaves.GetSpan(leafIndex).ToArray(),
            LeafIndex = leafIndex,
            LeafProof = MerkleTree.FromLeaves(clearingBlock.Leaves).InclusionProof(leafIndex),
            Header = (byte[])clearingBlock.HeaderBytes.Clone(),
            HeaderSignature = (byte[])clearingBlock.Signature.Clone(),
            SignerPublicKey = signerPublicKey.ToArray(),
            Checkpoint = checkpoint,
            CheckpointPublicKey = checkpointPublicKey.ToArray(),
            HeaderProof = headerProof.ToArray(),
        };
    }

    /// <summary>
    /// Verifies everything in the receipt: leaf and header decode, the trade's interval and amount, leaf inclusion in
    /// the payload root, the header signature by the key whose id the header names, the checkpoint signature, the
    /// header hash's inclusion in the checkpoint's tree, and (when given) that both keys are trusted. Never throws
    /// for bad content.
    /// </summary>
    /// <param name="trustedKeyIds">Key ids the caller trusts (e.g. all operator keys from a verified chain); null
    /// skips that check.</param>
    /// <returns>Valid with the trade, or the first failure.</returns>
    public ReceiptVerification Verify(IEnumerable<byte[]>? trustedKeyIds = null) => Verify(trustedKeyIds, null);

    /// <summary>
    /// Verifies as <see cref="Verify(IEnumerable{byte[]})"/>, then the cosigned checkpoint when the receipt carries one:
    /// the note must be the receipt's checkpoint (same size and root) signed by the policy's log key; its
    /// cosignatures are judged by <paramref name="auditorPolicy"/> when given (the quorum is then required), else by the
    /// policy the receipt carries (reported, not required).
    /// </summary>
    /// <param name="trustedKeyIds">Key ids the caller trusts, or null.</param>
    /// <param name="auditorPolicy">The auditor's own witness policy, or null.</param>
    /// <returns>Valid with the trade and who witnessed its checkpoint, or the first failure.</returns>
    public ReceiptVerification Verify(IEnumerable<byte[]>? trustedKeyIds, WitnessPolicy? auditorPolicy)
    {
        var result = VerifyTrade(trustedKeyIds);
        if (!result.IsValid)
        {
            return result;
        }

        if (CheckpointNote is null)
        {
            return auditorPolicy is { Quorum: not Ledger.WitnessPolicy.None }
                ? Failed(VerificationFailureReason.WitnessQuorumNotMet, result.Height, "the receipt carries no cosigned checkpoint, and your policy needs one", result.Trade?.TradeId)
                : result;
        }

        if (!SignedNote.TryParse(CheckpointNote, out var note, out var error))
        {
            return Failed(VerificationFailureReason.CheckpointNoteInvalid, result.Height, $"the checkpoint note is not a signed note: {error}", result.Trade?.TradeId);
        }

        if (!Ledger.CheckpointNote.TryParse(note!.Text, out var body, out error) || body!.Size != Checkpoint.Size || !body.Root.AsSpan().SequenceEqual(Checkpoint.Root))
        {
            return Failed(VerificationFailureReason.CheckpointNoteInvalid, result.Height, error ?? "the checkpoint note is not the receipt's checkpoint (size or root differ)", result.Trade?.TradeId);
        }

        Ledger.WitnessPolicy? sealedPolicy = null;
        if (WitnessPolicy is not null && !Ledger.WitnessPolicy.TryParse(WitnessPolicy, out sealedPolicy, out error))
        {
            return Failed(VerificationFailureReason.WitnessPolicyInvalid, result.Height, $"the receipt's witness policy does not parse: {error}", result.Trade?.TradeId);
        }

        var policy = auditorPolicy ?? sealedPolicy;
        if (policy is null)
        {
            return Failed(VerificationFailureReason.CheckpointNoteInvalid, result.Height, "the receipt carries a checkpoint note but no policy to check it by", result.Trade?.TradeId);
        }

        // The log signature is checked by the sealed policy's log key (the auditor's policy may name none).
        var logCheck = (sealedPolicy ?? policy).Check(note);
        if (!logCheck.LogSignatureValid)
        {
            return Failed(VerificationFailureReason.CheckpointNoteInvalid, result.Height, logCheck.Problem ?? "the checkpoint note is not signed by the log key", result.Trade?.TradeId);
        }

        var check = policy.Check(note);
        if (auditorPolicy is not null && !check.QuorumMet)
        {
            return Failed(VerificationFailureReason.WitnessQuorumNotMet, result.Height, check.Problem ?? "the checkpoint is not cosigned as your policy requires", result.Trade?.TradeId) with { Witnesses = check };
        }

        return result with { Witnesses = check };
    }

    private ReceiptVerification VerifyTrade(IEnumerable<byte[]>? trustedKeyIds)
    {
        if (!BlockHeader.TryDecode(Header, out var header, out var error))
        {
            return Failed(VerificationFailureReason.MalformedHeader, null, error!);
        }

        var height = header.Height;
        if (header.Kind != BlockKind.Clearing)
        {
            return Failed(VerificationFailureReason.InvalidHeaderField, height, "the block is not a clearing block");
        }

        if (!ClearedTrade.TryDecode(TradeLeaf, out var trade, out error))
        {
            return Failed(VerificationFailureReason.MalformedLeaf, height, error!);
        }

        if (LeafProof is null || !MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(TradeLeaf), LeafIndex, header.LeafCount, LeafProof, header.PayloadRoot))
        {
            return Failed(VerificationFailureReason.InclusionProofInvalid, height, "the trade is not in the block's payload root", trade.TradeId);
        }

        if (trade.IntervalStart != header.IntervalStart || trade.IntervalEnd != header.IntervalEnd)
        {
            return Failed(VerificationFailureReason.TradeIntervalMismatch, height, "the trade's interval is not its block's", trade.TradeId);
        }

        if (!Money.TryAmount(trade.EnergyWh, trade.Price, out var amount) || amount != trade.Amount || trade.EnergyWh <= 0
            || !Money.TryAmount(trade.EnergyWh, trade.SellPrice, out var sellAmount) || sellAmount != trade.SellAmount)
        {
            return Failed(VerificationFailureReason.AmountMismatch, height, "the amount is not energy x price / 1000 rounded half up", trade.TradeId);
        }

        if (SignerPublicKey is not { Length: Signatures.PublicKeySize } || !SHA256.HashData(SignerPublicKey).AsSpan().SequenceEqual(header.KeyId))
        {
            return Failed(VerificationFailureReason.UnknownKey, height, "the public key is not the one the header names");
        }

        var headerHash = SHA256.HashData(Header);
        if (!Signatures.Verify(SignerPublicKey, headerHash, HeaderSignature))
        {
            return Failed(VerificationFailureReason.BadSignature, height, "the header signature does not verify");
        }

        if (Checkpoint is null || CheckpointPublicKey is null || !Checkpoint.VerifySignature(CheckpointPublicKey))
        {
            return Failed(VerificationFailureReason.BadCheckpointSignature, height, "the checkpoint signature does not verify with its public key");
        }

        if (Checkpoint.TimestampUnixMs < header.SealedAtUnixMs)
        {
            return Failed(VerificationFailureReason.CheckpointMismatch, height, "the checkpoint is dated before the block");
        }

        if (HeaderProof is null || !MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(headerHash), height, Checkpoint.Size, HeaderProof, Checkpoint.Root))
        {
            return Failed(VerificationFailureReason.InclusionProofInvalid, height, "the block is not in the ledger tree of the checkpoint");
        }

        if (trustedKeyIds is not null)
        {
            var trusted = trustedKeyIds.ToList();
            if (!trusted.Any(id => id.AsSpan().SequenceEqual(header.KeyId)) || !trusted.Any(id => id.AsSpan().SequenceEqual(Checkpoint.KeyId)))
            {
                return Failed(VerificationFailureReason.UntrustedKey, height, "a signing key is not among the trusted keys");
            }
        }

        return new ReceiptVerification(null, trade, height);
    }

    /// <summary>The receipt as one JSON object (bytes in lower-case hex).</summary>
    /// <returns>JSON text.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", FormatVersion);
            json.WriteString("trade", Convert.ToHexStringLower(TradeLeaf));
            json.WriteNumber("leafIndex", LeafIndex);
            WriteHexArray(json, "leafProof", LeafProof);
            json.WriteString("header", Convert.ToHexStringLower(Header));
            json.WriteString("signature", Convert.ToHexStringLower(HeaderSignature));
            json.WriteString("publicKey", Convert.ToHexStringLower(SignerPublicKey));
            json.WriteStartObject("checkpoint");
            json.WriteNumber("size", Checkpoint.Size);
            json.WriteString("root", Convert.ToHexStringLower(Checkpoint.Root));
            json.WriteNumber("time", Checkpoint.TimestampUnixMs);
            json.WriteString("keyId", Convert.ToHexStringLower(Checkpoint.KeyId));
            json.WriteString("signature", Convert.ToHexStringLower(Checkpoint.Signature));
            json.WriteEndObject();
            json.WriteString("checkpointPublicKey", Convert.ToHexStringLower(CheckpointPublicKey));
            WriteHexArray(json, "headerProof", HeaderProof);
            if (CheckpointNote is not null)
            {
                json.WriteString("checkpointNote", CheckpointNote);
                json.WriteString("witnessPolicy", WitnessPolicy);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses the JSON form strictly (all fields, right types, hex, no unknown fields). It does not verify.</summary>
    /// <param name="json">JSON text from <see cref="ToJson"/>.</param>
    /// <returns>The receipt.</returns>
    /// <exception cref="LedgerFormatException">Malformed receipt JSON.</exception>
    public static TradeReceipt FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            // The cosigned checkpoint is optional, and comes with its policy or not at all.
            var witnessed = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("checkpointNote", out _);
            RequireFields(root, "receipt", witnessed
                ? ["format", "version", "trade", "leafIndex", "leafProof", "header", "signature", "publicKey", "checkpoint", "checkpointPublicKey", "headerProof", "checkpointNote", "witnessPolicy"]
                : ["format", "version", "trade", "leafIndex", "leafProof", "header", "signature", "publicKey", "checkpoint", "checkpointPublicKey", "headerProof"]);
            if (root.GetProperty("format").ValueKind != JsonValueKind.String || root.GetProperty("format").GetString() != FormatName)
            {
                throw new LedgerFormatException($"receipt: \"format\" must be \"{FormatName}\"");
            }

            if (Integer(root, "version") != FormatVersion)
            {
                throw new LedgerFormatException($"receipt: unsupported version (expected {FormatVersion})");
            }

            var checkpoint = root.GetProperty("checkpoint");
            RequireFields(checkpoint, "receipt checkpoint", ["size", "root", "time", "keyId", "signature"]);
            var leafIndex = Integer(root, "leafIndex");
            return new TradeReceipt
            {
                TradeLeaf = HexField(root, "trade"),
                LeafIndex = leafIndex is >= 0 and <= int.MaxValue ? (int)leafIndex : throw new LedgerFormatException("receipt: \"leafIndex\" out of range"),
                LeafProof = HexArray(root, "leafProof"),
                Header = HexField(root, "header"),
                HeaderSignature = HexField(root, "signature"),
                SignerPublicKey = HexField(root, "publicKey"),
                Checkpoint = new Checkpoint
                {
                    Size = Integer(checkpoint, "size"),
                    Root = HexField(checkpoint, "root"),
                    TimestampUnixMs = Integer(checkpoint, "time"),
                    KeyId = HexField(checkpoint, "keyId"),
                    Signature = HexField(checkpoint, "signature"),
                },
                CheckpointPublicKey = HexField(root, "checkpointPublicKey"),
                HeaderProof = HexArray(root, "headerProof"),
                CheckpointNote = witnessed ? Text(root, "checkpointNote") : null,
                WitnessPolicy = witnessed ? Text(root, "witnessPolicy") : null,
            };
        }
        catch (JsonException e)
        {
            throw new LedgerFormatException($"receipt: invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>Value equality over all fields, byte by byte.</summary>
    /// <param name="other">The other receipt.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(TradeReceipt? other) => other is not null && ToJson() == other.ToJson();

    /// <summary>Hash over the trade leaf.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(TradeLeaf);
        return hash.ToHashCode();
    }

    private static ReceiptVerification Failed(VerificationFailureReason reason, long? height, string message, long? tradeId = null) =>
        new(new VerificationFailure(reason, height, tradeId, null, message), null, height);

    private static void WriteHexArray(Utf8JsonWriter json, string name, IReadOnlyList<byte[]> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(Convert.ToHexStringLower(value));
        }

        json.WriteEndArray();
    }

    private static string Text(JsonElement element, string name) =>
        element.GetProperty(name) is { ValueKind: JsonValueKind.String } value
            ? value.GetString()!
            : throw new LedgerFormatException($"receipt: \"{name}\" must be a string");

    private static void RequireFields(JsonElement element, string what, string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new LedgerFormatException($"{what}: expected a JSON object");
        }

        var seen = new HashSet<string>();
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(names, property.Name) < 0 || !seen.Add(property.Name))
            {
                throw new LedgerFormatException($"{what}: unexpected or repeated field \"{property.Name}\"");
            }
        }

        foreach (var name in names)
        {
            if (!seen.Contains(name))
            {
                throw new LedgerFormatException($"{what}: missing field \"{name}\"");
            }
        }
    }

    private static long Integer(JsonElement element, string name)
    {
        var value = element.GetProperty(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var result)
            ? result
            : throw new LedgerFormatException($"receipt: \"{name}\" must be an integer");
    }

    private static byte[] HexField(JsonElement element, string name) => Hex(element.GetProperty(name), name);

    private static byte[][] HexArray(JsonElement element, string name)
    {
        var value = element.GetProperty(name);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new LedgerFormatException($"receipt: \"{name}\" must be an array of hex strings");
        }

        return value.EnumerateArray().Select(item => Hex(item, name)).ToArray();
    }

    private static byte[] Hex(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new LedgerFormatException($"receipt: \"{name}\" must be a hex string");
        }

        try
        {
            return Convert.FromHexString(value.GetString()!);
        }
        catch (FormatException e)
        {
            throw new LedgerFormatException($"receipt: \"{name}\" is not hex", e);
        }
    }
}
