using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Market.Ledger.Tests;

public sealed class AcceptanceReceiptTests
{
    private static readonly SigningKey Operator = TestChain.KeyA;
    private static readonly PartyId Household = new(0xD3, 1);
    private static readonly DateTimeOffset AcceptedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_767_228_000_123);
    private static readonly byte[] OrderStatement = Statement.Encode(TestChain.LedgerId, Household, StatementType.Order,
        Statement.OrderBody(TestChain.FirstIntervalStart, TestChain.FirstIntervalStart + 900, OrderSide.Buy, 1500, 2800, new byte[16]));

    private static readonly byte[] CancellationStatement = Statement.Encode(TestChain.LedgerId, Household, StatementType.Cancellation, SHA256.HashData(OrderStatement));

    [Fact]
    public void Create_OrderStatement_VerifiesAndHasThe155BytesSignedAsABatchOfOne()
    {
        var receipt = AcceptanceReceipt.Create(OrderStatement, 77, AcceptedAt, Operator);

        receipt.Verify().ShouldBeNull();
        (receipt.Type, receipt.IntervalStart, receipt.Sequence, receipt.AcceptedAtUnixMs).ShouldBe((StatementType.Order, TestChain.FirstIntervalStart, 77L, 1_767_228_000_123L));
        var bytes = receipt.SignedBytes();
        bytes.Length.ShouldBe(155);
        bytes[..16].ShouldBe("MarketAcceptance"u8.ToArray());
        BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(16)).ShouldBe((ushort)2);
        bytes[18..50].ShouldBe(TestChain.LedgerId);
        bytes[50..82].ShouldBe(SHA256.HashData(OrderStatement));
        bytes[82..98].ShouldBe(OrderStatement[48..64]);
        BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(98)).ShouldBe(77);
        bytes[106].ShouldBe((byte)6);
        BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(107)).ShouldBe(TestChain.FirstIntervalStart);
        BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(115)).ShouldBe(1_767_228_000_123);
        bytes[123..].ShouldBe(Operator.KeyId);
        (receipt.BatchIndex, receipt.BatchSize, receipt.BatchPath.Count).ShouldBe((0L, 1L, 0));
        var message = AcceptanceReceipt.BatchMessage(1, MerkleTree.HashLeaf(bytes));
        message.Length.ShouldBe(58);
        message[..16].ShouldBe("MarketAcceptance"u8.ToArray());
        BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(16)).ShouldBe((ushort)2);
        BinaryPrimitives.ReadInt64BigEndian(message.AsSpan(18)).ShouldBe(1);
        Signatures.Verify(Operator.PublicKey, SHA256.HashData(message), receipt.Signature).ShouldBeTrue();
        Signatures.Verify(Operator.PublicKey, SHA256.HashData(bytes), receipt.Signature).ShouldBeFalse();
    }

    [Fact]
    public void CreateBatch_FiveStatements_OneSignatureOverTheirTreeAndEachVerifiesAlone()
    {
        var accepted = Enumerable.Range(0, 5).Select(i => new AcceptanceReceipt.Accepted(i == 2 ? CancellationStatement : OrderStatement, 70 + i, AcceptedAt)).ToList();

        var receipts = AcceptanceReceipt.CreateBatch(accepted, Operator);

        receipts.Length.ShouldBe(5);
        receipts.Select(r => Convert.ToHexString(r.Signature)).Distinct().Count().ShouldBe(1);
        var tree = MerkleTree.FromLeaves(receipts.Select(r => r.SignedBytes()));
        Signatures.Verify(Operator.PublicKey, SHA256.HashData(AcceptanceReceipt.BatchMessage(5, tree.Root())), receipts[0].Signature).ShouldBeTrue();
        for (var i = 0; i < receipts.Length; i++)
        {
            (receipts[i].BatchIndex, receipts[i].BatchSize, receipts[i].Sequence).ShouldBe((i, 5L, 70L + i));
            receipts[i].Verify().ShouldBeNull();
            AcceptanceReceipt.FromJson(receipts[i].ToJson()).Verify().ShouldBeNull();
        }

        Should.Throw<ArgumentException>(() => AcceptanceReceipt.CreateBatch([], Operator));
    }

    [Fact]
    public void Create_RecordStatement_HasNoIntervalStart()
    {
        var receipt = AcceptanceReceipt.Create(CancellationStatement, 5, AcceptedAt, Operator);

        (receipt.Type, receipt.IntervalStart).ShouldBe((StatementType.Cancellation, 0L));
        receipt.Verify().ShouldBeNull();
    }

    [Fact]
    public void ToJson_FromJson_RoundTripsAndStillVerifies()
    {
        var receipt = AcceptanceReceipt.Create(OrderStatement, 77, AcceptedAt, Operator);

        var json = receipt.ToJson();
        var back = AcceptanceReceipt.FromJson(json);

        json.ShouldStartWith("{\"format\":\"market-acceptance-receipt\",\"version\":2,\"statement\":\"");
        back.ToJson().ShouldBe(json);
        back.Verify().ShouldBeNull();
    }

    [Fact]
    public void Create_StatementThatDoesNotDecodeOrNegativeSequence_Throws()
    {
        Should.Throw<ArgumentException>(() => AcceptanceReceipt.Create(OrderStatement[..^1], 1, AcceptedAt, Operator));
        Should.Throw<ArgumentException>(() => AcceptanceReceipt.Create(OrderStatement, -1, AcceptedAt, Operator));
    }

    public static TheoryData<string, VerificationFailureReason> Failures() => new()
    {
        { "statement changed", VerificationFailureReason.ReceiptInvalid },
        { "statement does not decode", VerificationFailureReason.MalformedLeaf },
        { "no statement", VerificationFailureReason.MalformedLeaf },
        { "type changed", VerificationFailureReason.ReceiptInvalid },
        { "interval start changed", VerificationFailureReason.ReceiptInvalid },
        { "sequence changed", VerificationFailureReason.ReceiptInvalid },
        { "negative sequence", VerificationFailureReason.ReceiptInvalid },
        { "accepted at changed", VerificationFailureReason.ReceiptInvalid },
        { "key id not of the public key", VerificationFailureReason.ReceiptInvalid },
        { "public key of another key", VerificationFailureReason.ReceiptInvalid },
        { "public key not 33 bytes", VerificationFailureReason.ReceiptInvalid },
        { "signature changed", VerificationFailureReason.ReceiptInvalid },
        { "signature high-S", VerificationFailureReason.ReceiptInvalid },
        { "signature missing", VerificationFailureReason.ReceiptInvalid },
        { "signed by another key, named as it", VerificationFailureReason.UntrustedKey },
        { "batch index changed", VerificationFailureReason.ReceiptInvalid },
        { "batch size changed", VerificationFailureReason.ReceiptInvalid },
        { "batch size 0", VerificationFailureReason.ReceiptInvalid },
        { "batch path node changed", VerificationFailureReason.ReceiptInvalid },
        { "batch path cut", VerificationFailureReason.ReceiptInvalid },
        { "signature of another batch", VerificationFailureReason.ReceiptInvalid },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Verify_Tampered_FailsWithItsReason(string what, VerificationFailureReason reason)
    {
        var r = AcceptanceReceipt.Create(OrderStatement, 77, AcceptedAt, Operator);
        var batch = AcceptanceReceipt.CreateBatch([new(OrderStatement, 77, AcceptedAt), new(CancellationStatement, 78, AcceptedAt), new(OrderStatement, 79, AcceptedAt)], Operator);
        var statement = (byte[])OrderStatement.Clone();
        statement[^1] ^= 1;
        var stranger = AcceptanceReceipt.Create(OrderStatement, 77, AcceptedAt, TestChain.UnknownKey);
        var tampered = what switch
        {
            "statement changed" => Copy(r, statement: statement),
            "statement does not decode" => Copy(r, statement: OrderStatement[..^1]),
            "no statement" => Copy(r, statement: null, noStatement: true),
            "type changed" => Copy(r, type: StatementType.Cancellation),
            "interval start changed" => Copy(r, intervalStart: r.IntervalStart + 900),
            "sequence changed" => Copy(r, sequence: 78),
            "negative sequence" => Copy(r, sequence: -1),
            "accepted at changed" => Copy(r, acceptedAt: r.AcceptedAtUnixMs + 1),
            "key id not of the public key" => Copy(r, keyId: TestChain.KeyB.KeyId),
            "public key of another key" => Copy(r, publicKey: TestChain.KeyB.PublicKey),
            "public key not 33 bytes" => Copy(r, publicKey: r.PublicKey[..32]),
            "signature changed" => Copy(r, signature: Flip(r.Signature, 10)),
            "signature high-S" => Copy(r, signature: TamperCases.Tamper.HighS(r.Signature)),
            "signature missing" => Copy(r, signature: []),
            "batch index changed" => Copy(batch[2], batchIndex: 1),
            "batch size changed" => Copy(batch[2], batchSize: 4),
            "batch size 0" => Copy(r, batchSize: 0),
            "batch path node changed" => Copy(batch[2], batchPath: [Flip(batch[2].BatchPath[0], 0)]),
            "batch path cut" => Copy(batch[2], batchPath: []),
            "signature of another batch" => Copy(r, signature: batch[0].Signature),
            _ => stranger,
        };

        var failure = tampered.Verify(trustedKeyIds: [Operator.KeyId]);

        failure.ShouldNotBeNull().Reason.ShouldBe(reason);
    }

    [Fact]
    public void Verify_TrustedKeys_TheOperatorsIsAcceptedAndNoListSkipsTheCheck()
    {
        var receipt = AcceptanceReceipt.Create(OrderStatement, 77, AcceptedAt, TestChain.KeyB);

        receipt.Verify([TestChain.KeyA.KeyId, TestChain.KeyB.KeyId]).ShouldBeNull();
        receipt.Verify([TestChain.KeyA.KeyId])!.Reason.ShouldBe(VerificationFailureReason.UntrustedKey);
        receipt.Verify().ShouldBeNull();
    }

    [Theory]
    [InlineData("unknown field")]
    [InlineData("type 7")]
    [InlineData("type 0")]
    [InlineData("format")]
    [InlineData("version 1")]
    [InlineData("path not hex")]
    [InlineData("not hex")]
    [InlineData("missing field")]
    [InlineData("not JSON")]
    public void FromJson_Malformed_Throws(string what)
    {
        var json = AcceptanceReceipt.Create(OrderStatement, 77, AcceptedAt, Operator).ToJson();
        var bad = what switch
        {
            "unknown field" => json.Replace("{\"format\"", "{\"extra\":1,\"format\"", StringComparison.Ordinal),
            "type 7" => json.Replace("\"type\":6", "\"type\":7", StringComparison.Ordinal),
            "type 0" => json.Replace("\"type\":6", "\"type\":0", StringComparison.Ordinal),
            "format" => json.Replace("market-acceptance-receipt", "market-trade-receipt", StringComparison.Ordinal),
            "version 1" => json.Replace("\"version\":2", "\"version\":1", StringComparison.Ordinal),
            "path not hex" => json.Replace("\"batchPath\":[]", "\"batchPath\":[\"zz\"]", StringComparison.Ordinal),
            "not hex" => json.Replace("\"statement\":\"4d", "\"statement\":\"zz", StringComparison.Ordinal),
            "missing field" => json.Replace(",\"sequence\":77", string.Empty, StringComparison.Ordinal),
            _ => json[..^1],
        };

        bad.ShouldNotBe(json);
        Should.Throw<LedgerFormatException>(() => AcceptanceReceipt.FromJson(bad));
    }

    private static byte[] Flip(byte[] bytes, int offset)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= 1;
        return copy;
    }

    private static AcceptanceReceipt Copy(
        AcceptanceReceipt r, byte[]? statement = null, bool noStatement = false, StatementType? type = null, long? intervalStart = null,
        long? sequence = null, long? acceptedAt = null, byte[]? keyId = null, byte[]? publicKey = null, byte[]? signature = null,
        long? batchIndex = null, long? batchSize = null, byte[][]? batchPath = null) => new()
    {
        Statement = noStatement ? null! : statement ?? r.Statement,
        Type = type ?? r.Type,
        IntervalStart = intervalStart ?? r.IntervalStart,
        Sequence = sequence ?? r.Sequence,
        AcceptedAtUnixMs = acceptedAt ?? r.AcceptedAtUnixMs,
        KeyId = keyId ?? r.KeyId,
        PublicKey = publicKey ?? r.PublicKey,
        BatchIndex = batchIndex ?? r.BatchIndex,
        BatchSize = batchSize ?? r.BatchSize,
        BatchPath = batchPath ?? r.BatchPath,
        Signature = signature ?? r.Signature,
    };
}
