using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Market.Ledger.Tests;

public sealed class OmissionProofTests
{
    private const int BookHeight = 3;
    private const string VectorFile = "omission-proof.json";

    private static readonly byte[][] TrustedKeys = [TestChain.KeyA.KeyId, TestChain.KeyB.KeyId];
    private static readonly DateTimeOffset AcceptedAt = TestChain.Gate(0).AddSeconds(-60);
    private static readonly long Start = TestChain.FirstIntervalStart;
    private static readonly long End = TestChain.FirstIntervalStart + TestChain.IntervalLength;

    [Fact]
    public void Verify_OrderWhoseSequenceIsNotInTheBook_ProvesMissing()
    {
        var proof = Build(Receipt(OrderStatement(TestChain.Party(0, 7), 2000), sequence: 7));

        var result = proof.Verify(TrustedKeys);

        result.IsValid.ShouldBeTrue(result.Failure?.ToString());
        result.Omission.ShouldBe(OmissionKind.Missing);
        result.Height.ShouldBe(BookHeight);
        result.LeafIndex.ShouldBeNull();
    }

    [Fact]
    public void Verify_SequenceHoldsAnotherStatement_ProvesChangedWithTheLeaf()
    {
        // The household's order at sequence 3 was for 1,900 Wh; the book holds 2,000 Wh at that sequence.
        var proof = Build(ChangedReceipt());

        var result = proof.Verify(TrustedKeys);

        result.IsValid.ShouldBeTrue(result.Failure?.ToString());
        result.Omission.ShouldBe(OmissionKind.Changed);
        result.Height.ShouldBe(BookHeight);
        result.LeafIndex.ShouldBe(2);
    }

    [Fact]
    public void FindOmission_OrderInTheBook_IsNull_AndBuildRefuses()
    {
        var receipt = IncludedReceipt();
        var book = TestChain.Valid.Blocks[BookHeight];

        OmissionProof.FindOmission(receipt, book).ShouldBeNull();
        OmissionProof.FindOmission(ChangedReceipt(), book).ShouldBe(OmissionKind.Changed);
        Should.Throw<ArgumentException>(() => Build(receipt));
    }

    [Fact]
    public void Verify_ProofOfAnOrderThatIsInTheBook_FailsWithOrderIncluded()
    {
        var proof = Build(ChangedReceipt()) with { Receipt = IncludedReceipt() };

        var result = proof.Verify(TrustedKeys);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.OrderIncluded);
        result.Failure.LeafIndex.ShouldBe(0);
        result.Omission.ShouldBeNull();
    }

    [Fact]
    public void FromJson_ToJson_RoundTripsAndStillVerifies()
    {
        var proof = Build(ChangedReceipt());

        var parsed = OmissionProof.FromJson(proof.ToJson());

        parsed.ShouldBe(proof);
        parsed.Verify(TrustedKeys).Omission.ShouldBe(OmissionKind.Changed);
    }

    [Fact]
    public void ToJson_Always_HasTheContractsFields()
    {
        var proof = Build(ChangedReceipt());

        using var json = JsonDocument.Parse(proof.ToJson());

        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).ShouldBe(["format", "version", "receipt", "book", "checkpoint", "checkpointPublicKey", "headerProof"]);
        root.GetProperty("format").GetString().ShouldBe("market-omission-proof");
        root.GetProperty("receipt").GetProperty("format").GetString().ShouldBe("market-acceptance-receipt");
        root.GetProperty("book").EnumerateObject().Select(p => p.Name).ShouldBe(["header", "signature", "publicKey", "leaves"]);
        root.GetProperty("book").GetProperty("leaves").GetArrayLength().ShouldBe(6);
        root.GetProperty("checkpoint").EnumerateObject().Select(p => p.Name).ShouldBe(["size", "root", "time", "keyId", "signature"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"format":"market-omission-proof","version":2}""")]
    [InlineData("""{"format":"market-ledger-receipt","version":1}""")]
    public void VerifyJson_Unreadable_FailsWithReceiptInvalid(string json)
    {
        OmissionProof.VerifyJson(json).Failure!.Reason.ShouldBe(VerificationFailureReason.ReceiptInvalid);
        Should.Throw<LedgerFormatException>(() => OmissionProof.FromJson(json));
    }

    [Fact]
    public void VerifyJson_UnknownField_FailsWithReceiptInvalid()
    {
        var json = Build(ChangedReceipt()).ToJson().Replace("\"headerProof\"", "\"extra\":1,\"headerProof\"", StringComparison.Ordinal);

        OmissionProof.VerifyJson(json).Failure!.Reason.ShouldBe(VerificationFailureReason.ReceiptInvalid);
    }

    [Fact]
    public void Verify_ReceiptSignatureChanged_FailsWithReceiptInvalid()
    {
        var receipt = ChangedReceipt();
        var signature = (byte[])receipt.Signature.Clone();
        signature[10] ^= 1;

        var result = Build(receipt) with { Receipt = Copy(receipt, signature: signature) };

        result.Verify(TrustedKeys).Failure!.Reason.ShouldBe(VerificationFailureReason.ReceiptInvalid);
    }

    [Fact]
    public void Verify_ReceiptOfAHouseholdRecord_FailsWithReceiptInvalid()
    {
        var cancellation = Statement.Encode(TestChain.LedgerId, TestChain.Party(0, 3), StatementType.Cancellation, new byte[32]);
        var proof = Build(ChangedReceipt()) with { Receipt = AcceptanceReceipt.Create(cancellation, 1_000_100, AcceptedAt, TestChain.KeyA) };

        var result = proof.Verify(TrustedKeys);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.ReceiptInvalid);
        result.Failure.Message.ShouldContain("not for one");
    }

    [Fact]
    public void Verify_ReceiptStatementDoesNotDecode_FailsWithMalformedLeaf()
    {
        var receipt = ChangedReceipt();
        var statement = (byte[])receipt.Statement.Clone();
        statement[64] = 9; // no statement type 9

        var proof = Build(receipt) with { Receipt = Copy(receipt, statement: statement) };

        proof.Verify(TrustedKeys).Failure!.Reason.ShouldBe(VerificationFailureReason.MalformedLeaf);
    }

    [Fact]
    public void Verify_HeaderCut_FailsWithMalformedHeader()
    {
        var proof = Build(ChangedReceipt());

        var result = (proof with { BookHeader = proof.BookHeader[..169] }).Verify(TrustedKeys);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.MalformedHeader);
    }

    [Fact]
    public void Verify_ClearingBlockInsteadOfTheBook_FailsWithInvalidHeaderField()
    {
        var proof = WithBlock(ChangedReceipt(), TestChain.Valid.Blocks, BookHeight + 1);

        proof.Verify(TrustedKeys).Failure!.Reason.ShouldBe(VerificationFailureReason.InvalidHeaderField);
    }

    [Fact]
    public void Verify_AnotherIntervalsBook_FailsWithReferenceMismatch()
    {
        var proof = WithBlock(ChangedReceipt(), TestChain.Valid.Blocks, BookHeight + 2);

        var result = proof.Verify(TrustedKeys);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.ReferenceMismatch);
        result.Failure.Height.ShouldBe(BookHeight + 2);
    }

    [Fact]
    public void Verify_PublicKeyNotTheHeadersKey_FailsWithUnknownKey()
    {
        var proof = Build(ChangedReceipt()) with { BookPublicKey = TestChain.KeyB.PublicKey };

        proof.Verify(TrustedKeys).Failure!.Reason.ShouldBe(VerificationFailureReason.UnknownKey);
    }

    [Fact]
    public void Verify_HeaderSignatureChanged_FailsWithBadSignature()
    {
        var proof = Build(ChangedReceipt());
        var signature = (byte[])proof.BookSignature.Clone();
        signature[0] ^= 1;

        (proof with { BookSignature = signature }).Verify(TrustedKeys).Failure!.Reason.ShouldBe(VerificationFailureReason.BadSignature);
    }

    [Fact]
    public void Verify_LeafLeftOut_FailsWithLeafCountMismatch()
    {
        var proof = Build(ChangedReceipt());

        var result = (proof with { BookLeaves = [.. proof.BookLeaves.Take(5)] }).Verify(TrustedKeys);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.LeafCountMismatch);
    }

    [Fact]
    public void Verify_LeafReplaced_FailsWithPayloadRootMismatch()
    {
        // Another leaf in place of the book's: the leaves are no longer the book's.
        var proof = Build(ChangedReceipt());
        var leaves = proof.BookLeaves.ToArray();
        leaves[2] = leaves[0];

        var result = (proof with { BookLeaves = leaves }).Verify(TrustedKeys);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.PayloadRootMismatch);
    }

    [Fact]
    public void Verify_CheckpointSignatureChanged_FailsWithBadCheckpointSignature()
    {
        var proof = Build(ChangedReceipt());
        var signature = (byte[])proof.Checkpoint.Signature.Clone();
        signature[5] ^= 1;

        (proof with { Checkpoint = proof.Checkpoint with { Signature = signature } }).Verify(TrustedKeys).Failure!.Reason
            .ShouldBe(VerificationFailureReason.BadCheckpointSignature);
        (proof with { CheckpointPublicKey = TestChain.KeyA.PublicKey }).Verify(TrustedKeys).Failure!.Reason
            .ShouldBe(VerificationFailureReason.BadCheckpointSignature);
    }

    [Fact]
    public void Verify_CheckpointDatedBeforeTheBook_FailsWithCheckpointMismatch()
    {
        var chain = TestChain.Valid;
        var tree = chain.LedgerTree();
        var early = Checkpoint.Create(tree.Size, tree.Root(), TestChain.Gate(0).AddSeconds(-1), TestChain.KeyB);

        var proof = Build(ChangedReceipt()) with { Checkpoint = early };

        proof.Verify(TrustedKeys).Failure!.Reason.ShouldBe(VerificationFailureReason.CheckpointMismatch);
    }

    [Fact]
    public void Verify_HeaderProofCut_FailsWithInclusionProofInvalid()
    {
        var proof = Build(ChangedReceipt());

        var result = (proof with { HeaderProof = [.. proof.HeaderProof.Skip(1)] }).Verify(TrustedKeys);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.InclusionProofInvalid);
    }

    [Fact]
    public void Verify_UntrustedKeys_FailsWithUntrustedKey()
    {
        var proof = Build(ChangedReceipt());

        proof.Verify([TestChain.KeyB.KeyId]).Failure!.Reason.ShouldBe(VerificationFailureReason.UntrustedKey);   // the receipt's and book's key A
        proof.Verify([TestChain.KeyA.KeyId]).Failure!.Reason.ShouldBe(VerificationFailureReason.UntrustedKey);   // the checkpoint's key B
        proof.Verify().IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Verify_SignedBookWithALeafThatDoesNotDecode_FailsWithMalformedLeaf()
    {
        var blocks = TestChain.Valid.Copy();
        var leaves = blocks[BookHeight].Leaves.ToArrays();
        leaves[1] = [.. leaves[1][..25], 7, .. leaves[1][26..]];   // side 7
        blocks[BookHeight] = TestChain.Resign(blocks[BookHeight], TestChain.KeyA, leaves: LeafList.FromArrays(leaves));

        var result = WithBlock(ChangedReceipt(), blocks, BookHeight).Verify(TrustedKeys);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.MalformedLeaf);
        result.Failure.LeafIndex.ShouldBe(1);
    }

    [Fact]
    public void Build_FromTheLedgerTree_IsTheSameAsFromAHeaderProof()
    {
        var chain = TestChain.Valid;
        var receipt = ChangedReceipt();

        var fromTree = OmissionProof.Build(receipt, chain.Blocks[BookHeight], TestChain.KeyA.PublicKey, chain.Checkpoint, TestChain.KeyB.PublicKey, chain.LedgerTree());

        fromTree.ShouldBe(Build(receipt));
    }

    [Fact]
    public void Vector_IsWhatTheLibraryBuilds_AndProvesChanged()
    {
        // A fixed proof for other verifiers (the browser's) to check: the changed order of ChangedReceipt. Regenerate
        // with MARKET_WRITE_VECTORS=1 after a deliberate format change.
        var expected = Build(ChangedReceipt()).ToJson() + "\n";
        if (Environment.GetEnvironmentVariable("MARKET_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(Path.Combine(SourceFolder(), "Vectors", VectorFile), expected);
        }

        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", VectorFile));

        text.ShouldBe(expected);
        var result = OmissionProof.VerifyJson(text, TrustedKeys);
        result.Omission.ShouldBe(OmissionKind.Changed);
        result.Height.ShouldBe(BookHeight);
        result.LeafIndex.ShouldBe(2);
    }

    /// <summary>The statement of an order of interval 0 by <paramref name="owner"/> (sell, 2,500 limit).</summary>
    private static byte[] OrderStatement(PartyId owner, long energyWh, long sequence = 3) =>
        Statement.Encode(TestChain.LedgerId, owner, StatementType.Order,
            Statement.OrderBody(Start, End, OrderSide.Sell, energyWh, 2500, HouseholdKeys.NonceOf(owner, sequence)));

    private static AcceptanceReceipt Receipt(byte[] statement, long sequence) => AcceptanceReceipt.Create(statement, sequence, AcceptedAt, TestChain.KeyA);

    /// <summary>The book's leaf 2 (sequence 3) is party 3's sell of 2,000 Wh at 2,500; the receipt says 1,900 Wh.</summary>
    private static AcceptanceReceipt ChangedReceipt() => Receipt(OrderStatement(TestChain.Party(0, 3), 1900), 3);

    private static AcceptanceReceipt IncludedReceipt()
    {
        var order = OrderLeaf.Decode(TestChain.Valid.Blocks[BookHeight].Leaves.GetSpan(0));
        return Receipt(order.StatementBytes(TestChain.LedgerId, Start, End), order.Sequence);
    }

    private static OmissionProof Build(AcceptanceReceipt receipt)
    {
        var chain = TestChain.Valid;
        return OmissionProof.Build(receipt, chain.Blocks[BookHeight], TestChain.KeyA.PublicKey, chain.Checkpoint, TestChain.KeyB.PublicKey,
            chain.LedgerTree().InclusionProof(BookHeight, chain.Checkpoint.Size));
    }

    /// <summary>A proof over block <paramref name="height"/> of <paramref name="blocks"/> (signed by key A), with a
    /// checkpoint (key B) over those blocks, built field by field so that it may be wrong.</summary>
    private static OmissionProof WithBlock(AcceptanceReceipt receipt, IReadOnlyList<LedgerBlock> blocks, int height)
    {
        var tree = MerkleTree.FromLeaves(blocks.Select(b => SHA256.HashData(b.HeaderBytes)));
        var checkpoint = Checkpoint.Create(tree.Size, tree.Root(), TestChain.Gate(3).AddSeconds(5), TestChain.KeyB);
        return new OmissionProof
        {
            Receipt = receipt,
            BookHeader = blocks[height].HeaderBytes,
            BookSignature = blocks[height].Signature,
            BookPublicKey = TestChain.KeyA.PublicKey,
            BookLeaves = blocks[height].Leaves.ToArrays(),
            Checkpoint = checkpoint,
            CheckpointPublicKey = TestChain.KeyB.PublicKey,
            HeaderProof = tree.InclusionProof(height),
        };
    }

    private static AcceptanceReceipt Copy(AcceptanceReceipt r, byte[]? statement = null, byte[]? signature = null) => new()
    {
        Statement = statement ?? r.Statement,
        Sequence = r.Sequence,
        Type = r.Type,
        IntervalStart = r.IntervalStart,
        AcceptedAtUnixMs = r.AcceptedAtUnixMs,
        KeyId = r.KeyId,
        PublicKey = r.PublicKey,
        BatchIndex = r.BatchIndex,
        BatchSize = r.BatchSize,
        BatchPath = r.BatchPath,
        Signature = signature ?? r.Signature,
    };

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
