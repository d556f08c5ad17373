using System.Security.Cryptography;
using CsCheck;

namespace Market.Ledger.Tests;

public sealed class Sha256x8Tests
{
    [Fact]
    public void HashPrefixed_RandomLengthsAndCounts_EqualsPlatformSha256()
    {
        var gen = Gen.Int[0, 300].SelectMany(size => Gen.Int[1, 20].SelectMany(count => Gen.Byte.Array[size * count].Select(data => (size, count, data))));

        gen.Sample(sample =>
        {
            var (size, count, data) = sample;
            var output = new byte[count * 32];
            Sha256x8.HashPrefixed(0x00, data, size, count, output);
            return Enumerable.Range(0, count).All(i =>
                output.AsSpan(i * 32, 32).SequenceEqual(SHA256.HashData([0x00, .. data.AsSpan(i * size, size)])));
        }, iter: 300);
    }

    [Fact]
    public void Hash_RandomLengthsAndCounts_EqualsPlatformSha256()
    {
        var gen = Gen.Int[0, 300].SelectMany(size => Gen.Int[1, 20].SelectMany(count => Gen.Byte.Array[size * count].Select(data => (size, count, data))));

        gen.Sample(sample =>
        {
            var (size, count, data) = sample;
            var output = new byte[count * 32];
            Sha256x8.Hash(data, size, count, output);
            return Enumerable.Range(0, count).All(i => output.AsSpan(i * 32, 32).SequenceEqual(SHA256.HashData(data.AsSpan(i * size, size))));
        }, iter: 300);
    }

    [Fact]
    public void HashPrefixed_NodePairsInPlace_EqualsPlatformSha256()
    {
        var gen = Gen.Int[1, 40].SelectMany(pairs => Gen.Byte.Array[pairs * 64].Select(data => (pairs, data)));

        gen.Sample(sample =>
        {
            var (pairs, data) = sample;
            var expected = Enumerable.Range(0, pairs).Select(j => SHA256.HashData([0x01, .. data.AsSpan(j * 64, 64)])).ToArray();
            var nodes = (byte[])data.Clone();
            Sha256x8.HashPrefixed(0x01, nodes, 64, pairs, nodes);
            return Enumerable.Range(0, pairs).All(j => nodes.AsSpan(j * 32, 32).SequenceEqual(expected[j]));
        }, iter: 200);
    }

    [Fact]
    public void IsSupported_OnThisMachine_IsReported()
    {
        var supported = Sha256x8.IsSupported;

        supported.ShouldBe(System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated);
    }
}
