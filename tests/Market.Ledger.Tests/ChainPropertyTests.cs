using CsCheck;

namespace Market.Ledger.Tests;

/// <summary>Any single-bit change anywhere in a signed chain is detected.</summary>
public sealed class ChainPropertyTests
{
    [Fact]
    public void Verify_AnySingleBitFlipInAnyHeader_IsRejected()
    {
        var chain = TestChain.Valid;
        var gen = Gen.Int[0, chain.Blocks.Count - 1].Select(Gen.Int[0, (BlockHeader.Size * 8) - 1]);

        gen.Sample((height, bit) =>
        {
            var blocks = chain.Copy();
            blocks[height] = TestChain.WithHeaderByte(blocks[height], bit / 8, b => (byte)(b ^ (1 << (bit % 8))));
            return !ChainVerifier.Verify(blocks, chain.Checkpoint, new FakeReplayer()).IsValid;
        }, iter: 300);
    }

    [Fact]
    public void Verify_AnySingleBitFlipInAnyLeaf_IsRejectedAtThatBlock()
    {
        var chain = TestChain.Valid;
        var gen = Gen.Int[0, chain.Blocks.Count - 1].SelectMany(h => Gen.Int[0, chain.Blocks[h].Leaves.Count - 1]
            .SelectMany(i => Gen.Int[0, (chain.Blocks[h].Leaves[i].Length * 8) - 1].Select(bit => (h, i, bit))));

        gen.Sample(sample =>
        {
            var (height, leaf, bit) = sample;
            var blocks = chain.Copy();
            var leaves = blocks[height].Leaves.ToArrays();
            leaves[leaf][bit / 8] ^= (byte)(1 << (bit % 8));
            blocks[height] = TestChain.WithLeaves(blocks[height], leaves);
            var failure = ChainVerifier.Verify(blocks, chain.Checkpoint, new FakeReplayer()).Failure;
            return failure is not null && failure.Height == height;
        }, iter: 300);
    }

    [Fact]
    public void Verify_AnySingleBitFlipInAnySignature_IsRejectedWithBadSignature()
    {
        var chain = TestChain.Valid;
        var gen = Gen.Int[0, chain.Blocks.Count - 1].Select(Gen.Int[0, 511]);

        gen.Sample((height, bit) =>
        {
            var blocks = chain.Copy();
            var signature = (byte[])blocks[height].Signature.Clone();
            signature[bit / 8] ^= (byte)(1 << (bit % 8));
            blocks[height] = new LedgerBlock(blocks[height].HeaderBytes, signature, blocks[height].Leaves);
            var failure = ChainVerifier.Verify(blocks, chain.Checkpoint, new FakeReplayer()).Failure;
            return failure is { Reason: VerificationFailureReason.BadSignature } && failure.Height == height;
        }, iter: 200);
    }

    [Fact]
    public void Verify_AnySingleBitFlipInTheCheckpoint_IsRejected()
    {
        var chain = TestChain.Valid;
        var gen = Gen.Int[0, 3].Select(Gen.Int[0, 511]);

        gen.Sample((field, bit) =>
        {
            var c = chain.Checkpoint;
            var latest = field switch
            {
                0 => c with { Root = Flip(c.Root, bit % 256) },
                1 => c with { KeyId = Flip(c.KeyId, bit % 256) },
                2 => c with { Signature = Flip(c.Signature, bit) },
                _ => c with { TimestampUnixMs = c.TimestampUnixMs ^ (1L << (bit % 62)) },
            };
            return !ChainVerifier.Verify(chain.Blocks, latest, new FakeReplayer()).IsValid;
        }, iter: 200);
    }

    private static byte[] Flip(byte[] bytes, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
