using System.Security.Cryptography;
using System.Text;

namespace Market.Ledger.Tests;

public sealed class CheckpointTests
{
    [Fact]
    public void Encode_Always_StartsWithDomainTagAndIs98Bytes()
    {
        var checkpoint = TestChain.Valid.Checkpoint;

        var bytes = checkpoint.Encode();

        bytes.Length.ShouldBe(98);
        Encoding.ASCII.GetString(bytes, 0, 16).ShouldBe("MarketCheckpoint");
        bytes[16..18].ShouldBe(new byte[] { 0, 1 });
        bytes[26..58].ShouldBe(checkpoint.Root);
        bytes[66..98].ShouldBe(checkpoint.KeyId);
    }

    [Fact]
    public void VerifySignature_SignerKey_IsValid()
    {
        var checkpoint = TestChain.Valid.Checkpoint;

        var ok = checkpoint.VerifySignature(TestChain.KeyB.PublicKey);

        ok.ShouldBeTrue();
    }

    [Fact]
    public void VerifySignature_OtherKey_IsRejected()
    {
        var checkpoint = TestChain.Valid.Checkpoint;

        var ok = checkpoint.VerifySignature(TestChain.KeyA.PublicKey);

        ok.ShouldBeFalse();
    }

    [Fact]
    public void VerifySignature_AnyChangedField_IsRejected()
    {
        var c = TestChain.Valid.Checkpoint;

        var variants = new[]
        {
            c with { Size = c.Size + 1 },
            c with { TimestampUnixMs = c.TimestampUnixMs + 1 },
            c with { Root = MerkleTree.EmptyRoot() },
            c with { KeyId = TestChain.KeyA.KeyId },
        };

        variants.ShouldAllBe(v => !v.VerifySignature(TestChain.KeyB.PublicKey));
    }

    [Fact]
    public void Signature_OfCheckpoint_NeverVerifiesAsAHeaderSignature()
    {
        // Domain separation: a checkpoint's signed digest is over bytes starting "MarketCheckpoint", a header's over
        // 170 bytes starting 0x00 0x01, so a checkpoint signature is never a valid header signature.
        var chain = TestChain.Valid;
        var block = chain.Blocks[^1];

        var ok = Signatures.Verify(TestChain.KeyB.PublicKey, block.HeaderHash, chain.Checkpoint.Signature);

        ok.ShouldBeFalse();
        chain.Checkpoint.Digest().ShouldNotBe(block.HeaderHash);
    }

    [Fact]
    public void IsConsistent_KeptAndLatestOfTheSameChain_IsTrue()
    {
        var chain = TestChain.Valid;
        var proof = chain.LedgerTree().ConsistencyProof(chain.Kept.Size, chain.Checkpoint.Size);

        var ok = Checkpoint.IsConsistent(chain.Kept, chain.Checkpoint, proof);

        ok.ShouldBeTrue();
    }

    [Fact]
    public void IsConsistent_ForkedLatest_IsFalse()
    {
        var chain = TestChain.Valid;
        var fork = TestChain.Build(clearingDelayMs: 3000);
        var proof = fork.LedgerTree().ConsistencyProof(chain.Checkpoint.Size - 1, fork.Checkpoint.Size);
        var keptLonger = Checkpoint.Create(10, chain.LedgerTree().RootAt(10), DateTimeOffset.UnixEpoch, TestChain.KeyB);

        var ok = Checkpoint.IsConsistent(keptLonger, fork.Checkpoint, proof);

        ok.ShouldBeFalse();
    }

    [Fact]
    public void Digest_Always_IsSha256OfEncodedBytes()
    {
        var checkpoint = TestChain.Valid.Checkpoint;

        var digest = checkpoint.Digest();

        digest.ShouldBe(SHA256.HashData(checkpoint.Encode()));
    }
}
