using System.Security.Cryptography;
using CsCheck;

namespace Market.Ledger.Tests;

public sealed class SigningKeyTests
{
    [Fact]
    public void Generate_TwoKeys_AreDifferentAndRoundTripThroughPrivateKey()
    {
        var a = SigningKey.Generate();
        var b = SigningKey.Generate();

        var reloaded = SigningKey.FromPrivateKey(a.PrivateKey);

        a.PublicKey.ShouldNotBe(b.PublicKey);
        reloaded.PublicKey.ShouldBe(a.PublicKey);
        a.PublicKey.Length.ShouldBe(33);
        a.PrivateKey.Length.ShouldBe(32);
    }

    [Fact]
    public void KeyId_Always_IsSha256OfCompressedPublicKey()
    {
        var key = TestChain.KeyA;

        var id = key.KeyId;

        id.ShouldBe(SHA256.HashData(key.PublicKey));
        Signatures.KeyId(key.PublicKey).ShouldBe(id);
    }

    [Fact]
    public void ToString_Always_ShowsKeyIdNotPrivateKey()
    {
        var key = TestChain.KeyA;

        var text = key.ToString();

        text.ShouldBe($"SigningKey({Convert.ToHexStringLower(key.KeyId)})");
        text.ShouldNotContain(Convert.ToHexStringLower(key.PrivateKey));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    public void Sign_DigestNot32Bytes_Throws(int length)
    {
        var digest = new byte[length];

        var act = () => TestChain.KeyA.Sign(digest);

        Should.Throw<ArgumentException>(act);
    }

    [Fact]
    public void Sign_RandomDigests_AlwaysLowSAndVerifies()
    {
        var gen = Gen.Byte.Array[32];

        gen.Sample(digest =>
        {
            var signature = TestChain.KeyB.Sign(digest);
            return signature.Length == 64 && Signatures.IsLowS(signature) && Signatures.Verify(TestChain.KeyB.PublicKey, digest, signature);
        }, iter: 100);
    }

    [Fact]
    public void Verify_AnySingleBitFlipOfSignatureDigestOrKey_IsRejected()
    {
        var gen = Gen.Byte.Array[32].SelectMany(d => Gen.Int[0, (64 + 32 + 33) * 8 - 1].Select(bit => (d, bit)));

        gen.Sample(sample =>
        {
            var (digest, bit) = sample;
            var parts = new[] { TestChain.KeyA.Sign(digest), (byte[])digest.Clone(), TestChain.KeyA.PublicKey };
            var offsets = new[] { 0, 64 * 8, (64 + 32) * 8, (64 + 32 + 33) * 8 };
            var part = Array.FindLastIndex(offsets, o => o <= bit);
            var local = bit - offsets[part];
            parts[part][local / 8] ^= (byte)(1 << (local % 8));
            return !Signatures.Verify(parts[2], parts[1], parts[0]);
        }, iter: 300);
    }

    [Fact]
    public void Verify_WrongLengths_AreRejectedWithoutThrowing()
    {
        var digest = new byte[32];
        var signature = TestChain.KeyA.Sign(digest);

        var results = new[]
        {
            Signatures.Verify(TestChain.KeyA.PublicKey.AsSpan(0, 32), digest, signature),
            Signatures.Verify(TestChain.KeyA.PublicKey, digest.AsSpan(0, 31), signature),
            Signatures.Verify(TestChain.KeyA.PublicKey, digest, signature.AsSpan(0, 63)),
            Signatures.Verify(TestChain.KeyA.PublicKey, digest, [.. signature, 0]),
            Signatures.Verify(TestChain.KeyA.PublicKey, digest, signature),
        };

        results.ShouldBe([false, false, false, false, true]);
    }

    [Fact]
    public void EncodeDerTryDecodeDer_RandomSignatures_RoundTrip()
    {
        var gen = Gen.Byte.Array[32];

        gen.Sample(digest =>
        {
            var signature = TestChain.KeyA.Sign(digest);
            return Signatures.TryDecodeDer(Signatures.EncodeDer(signature), out var decoded) && decoded.SequenceEqual(signature);
        }, iter: 100);
    }
}
