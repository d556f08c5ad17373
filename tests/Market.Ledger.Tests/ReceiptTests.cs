using CsCheck;

namespace Market.Ledger.Tests;

public sealed class ReceiptTests
{
    private static readonly byte[][] TrustedKeys = [TestChain.KeyA.KeyId, TestChain.KeyB.KeyId];

    [Fact]
    public void Verify_EveryTradeOfTheChain_IsValidWithItsTrade()
    {
        var chain = TestChain.Valid;

        var results = AllReceipts(chain).Select(r => r.Verify(TrustedKeys)).ToList();

        results.ShouldAllBe(r => r.IsValid);
        results.Select(r => r.Trade!.Value.TradeId).ShouldBe(Enumerable.Range(1, 12).Select(i => (long)i));
    }

    [Fact]
    public void FromJson_ToJson_RoundTripsAndStillVerifies()
    {
        var receipt = Receipt(6, 1);

        var parsed = TradeReceipt.FromJson(receipt.ToJson());

        parsed.ShouldBe(receipt);
        parsed.Verify(TrustedKeys).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void ToJson_Always_HasFormatVersionAndHexFields()
    {
        var receipt = Receipt(6, 1);

        var json = receipt.ToJson();

        json.ShouldStartWith("""{"format":"market-ledger-receipt","version":1,"trade":"01""");
        json.ShouldContain("\"leafIndex\":1,");
        json.ShouldContain("\"checkpoint\":{\"size\":13,");
    }

    [Fact]
    public void Verify_UntrustedKeys_FailsWithUntrustedKey()
    {
        var receipt = Receipt(6, 0);

        var result = receipt.Verify([TestChain.KeyB.KeyId]);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.UntrustedKey);
    }

    [Theory]
    [InlineData("trade", VerificationFailureReason.InclusionProofInvalid)]
    [InlineData("leafIndex", VerificationFailureReason.InclusionProofInvalid)]
    [InlineData("leafProof", VerificationFailureReason.InclusionProofInvalid)]
    [InlineData("header", VerificationFailureReason.BadSignature)]
    [InlineData("signature", VerificationFailureReason.BadSignature)]
    [InlineData("publicKey", VerificationFailureReason.UnknownKey)]
    [InlineData("checkpoint", VerificationFailureReason.BadCheckpointSignature)]
    [InlineData("checkpointPublicKey", VerificationFailureReason.BadCheckpointSignature)]
    [InlineData("headerProof", VerificationFailureReason.InclusionProofInvalid)]
    [InlineData("headerIndexBeyondCheckpoint", VerificationFailureReason.InclusionProofInvalid)]
    public void Verify_TamperedPart_FailsWithTheRightReason(string part, VerificationFailureReason reason)
    {
        var r = Receipt(6, 1);
        var tampered = part switch
        {
            "trade" => r with { TradeLeaf = Flip(r.TradeLeaf, 80) },
            "leafIndex" => r with { LeafIndex = 2 },
            "leafProof" => r with { LeafProof = [Flip(r.LeafProof[0], 3), .. r.LeafProof.Skip(1)] },
            "header" => r with { Header = Flip(r.Header, 100) },
            "signature" => r with { HeaderSignature = Flip(r.HeaderSignature, 10) },
            "publicKey" => r with { SignerPublicKey = TestChain.KeyB.PublicKey },
            "checkpoint" => r with { Checkpoint = r.Checkpoint with { TimestampUnixMs = r.Checkpoint.TimestampUnixMs + 1 } },
            "checkpointPublicKey" => r with { CheckpointPublicKey = TestChain.KeyA.PublicKey },
            "headerProof" => r with { HeaderProof = [.. r.HeaderProof.SkipLast(1), Flip(r.HeaderProof[^1], 0)] },
            _ => r with
            {
                Checkpoint = Checkpoint.Create(6, TestChain.Valid.LedgerTree().RootAt(6), TestChain.Gate(3), TestChain.KeyA),
                CheckpointPublicKey = TestChain.KeyA.PublicKey,
            },
        };

        var result = tampered.Verify();

        result.Failure!.Reason.ShouldBe(reason);
    }

    [Fact]
    public void Verify_AnySingleBitFlipInAnyByteField_IsRejected()
    {
        var receipt = Receipt(9, 2);
        var fields = Fields(receipt);
        var total = fields.Sum(f => f.Length * 8);
        var gen = Gen.Int[0, total - 1];

        gen.Sample(bit =>
        {
            var copy = Fields(receipt).ToArray();
            var offset = bit;
            var index = 0;
            while (offset >= copy[index].Length * 8)
            {
                offset -= copy[index].Length * 8;
                index++;
            }

            copy[index][offset / 8] ^= (byte)(1 << (offset % 8));
            return !Rebuild(receipt, copy).Verify(TrustedKeys).IsValid;
        }, iter: 400);
    }

    [Theory]
    [InlineData("{}", "receipt: unexpected or repeated field")]
    [InlineData("[]", "receipt: expected a JSON object")]
    [InlineData("{", "receipt: invalid JSON")]
    public void FromJson_Malformed_ThrowsLedgerFormatException(string json, string expectedStart)
    {
        var text = json == "{}" ? Receipt(6, 1).ToJson().Replace("\"format\"", "\"formats\"", StringComparison.Ordinal) : json;

        var error = Should.Throw<LedgerFormatException>(() => TradeReceipt.FromJson(text));

        error.Message.ShouldStartWith(expectedStart);
    }

    [Fact]
    public void FromJson_FieldWithWrongTypeOrBadHex_Throws()
    {
        var json = Receipt(6, 1).ToJson();

        var errors = new[]
        {
            json.Replace("\"leafIndex\":1", "\"leafIndex\":\"1\"", StringComparison.Ordinal),
            json.Replace("\"trade\":\"01", "\"trade\":\"zz", StringComparison.Ordinal),
            json.Replace(",\"headerProof\"", ",\"missing\"", StringComparison.Ordinal),
        }.Select(text => Should.Throw<LedgerFormatException>(() => TradeReceipt.FromJson(text)).Message).ToList();

        errors.ShouldBe(["receipt: \"leafIndex\" must be an integer", "receipt: \"trade\" is not hex", "receipt: unexpected or repeated field \"missing\""]);
    }

    [Fact]
    public void Create_NonClearingBlock_Throws()
    {
        var chain = TestChain.Valid;

        var act = () => TradeReceipt.Create(chain.Blocks[5], 0, TestChain.KeyA.PublicKey, chain.Checkpoint, TestChain.KeyB.PublicKey, chain.LedgerTree());

        Should.Throw<ArgumentException>(act);
    }

    internal static TradeReceipt Receipt(int height, int leaf)
    {
        var chain = TestChain.Valid;
        var signer = height > TestChain.RotationHeight ? TestChain.KeyB : TestChain.KeyA;
        return TradeReceipt.Create(chain.Blocks[height], leaf, signer.PublicKey, chain.Checkpoint, TestChain.KeyB.PublicKey, chain.LedgerTree());
    }

    private static IEnumerable<TradeReceipt> AllReceipts(TestChain chain) =>
        chain.Blocks.Where(b => b.Header.Kind == BlockKind.Clearing)
            .SelectMany(b => Enumerable.Range(0, b.Leaves.Count).Select(i => Receipt((int)b.Header.Height, i)));

    private static List<byte[]> Fields(TradeReceipt r) =>
    [
        (byte[])r.TradeLeaf.Clone(), (byte[])r.Header.Clone(), (byte[])r.HeaderSignature.Clone(), (byte[])r.SignerPublicKey.Clone(),
        (byte[])r.Checkpoint.Root.Clone(), (byte[])r.Checkpoint.KeyId.Clone(), (byte[])r.Checkpoint.Signature.Clone(),
        (byte[])r.CheckpointPublicKey.Clone(), .. r.LeafProof.Select(p => (byte[])p.Clone()), .. r.HeaderProof.Select(p => (byte[])p.Clone()),
    ];

    private static TradeReceipt Rebuild(TradeReceipt r, byte[][] f) => r with
    {
        TradeLeaf = f[0],
        Header = f[1],
        HeaderSignature = f[2],
        SignerPublicKey = f[3],
        Checkpoint = r.Checkpoint with { Root = f[4], KeyId = f[5], Signature = f[6] },
        CheckpointPublicKey = f[7],
        LeafProof = f[8..(8 + r.LeafProof.Count)],
        HeaderProof = f[(8 + r.LeafProof.Count)..],
    };

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0x04;
        return copy;
    }
}
