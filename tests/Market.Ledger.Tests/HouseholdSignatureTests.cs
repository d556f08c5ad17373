using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Market.Ledger.Tests;

public sealed class HouseholdSignatureTests
{
    private static readonly TestHouseholdKey Key = new(new PartyId(0xD1, 1));

    public static TheoryData<int> Sizes() => [.. Enumerable.Range(1, 21)];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ForSubmission_EverySizeAndIndex_PathIsRfc9162AndLeadsToTheSignedRoot(int size)
    {
        var hashes = Hashes(size);
        var signatures = Key.SignSubmission(hashes);

        var root = HouseholdSignature.SubmissionRoot(hashes);

        root.ShouldBe(Reference.Root(hashes));
        for (var i = 0; i < size; i++)
        {
            var s = signatures[i];
            (s.SubmissionSize, s.Index).ShouldBe((size, i));
            s.Path.ShouldBe(ReferencePath(i, hashes));
            s.RootFor(hashes[i]).ShouldBe(root);
            s.Verify(Key.Key, hashes[i]).ShouldBeTrue();
            s.TailLength.ShouldBe(105 + (32 * s.Path.Length));
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Verify_WrongIndexOrStatementOrPathNode_IsFalse(int size)
    {
        var hashes = Hashes(size);
        var signatures = Key.SignSubmission(hashes);

        for (var i = 0; i < size; i++)
        {
            var s = signatures[i];
            if (size > 1)
            {
                s.Verify(Key.Key, hashes[(i + 1) % size]).ShouldBeFalse();
            }

            s.Verify(Key.Key, SHA256.HashData(hashes[i])).ShouldBeFalse();
            for (var other = 0; other < size; other++)
            {
                if (other != i && MerkleTree.InclusionProofLength(other, size) == s.Path.Length)
                {
                    (s with { Index = other }).Verify(Key.Key, hashes[i]).ShouldBeFalse();
                }
            }

            for (var node = 0; node < s.Path.Length; node++)
            {
                var path = s.Path.Select(p => (byte[])p.Clone()).ToArray();
                path[node][0] ^= 0x01;
                (s with { Path = path }).Verify(Key.Key, hashes[i]).ShouldBeFalse();
            }
        }
    }

    [Fact]
    public void RootFor_PathOfTheWrongLength_IsNull()
    {
        var hashes = Hashes(5);
        var s = Key.SignSubmission(hashes)[4];

        (s with { Path = [] }).RootFor(hashes[4]).ShouldBeNull();
        (s with { Path = [.. s.Path, new byte[32]] }).RootFor(hashes[4]).ShouldBeNull();
        (s with { Index = 0 }).RootFor(hashes[4]).ShouldBeNull(); // index 0 of 5 has 3 nodes, index 4 has 1
    }

    [Fact]
    public void Verify_AnotherKeyOrAnotherKeyId_IsFalse()
    {
        var hashes = Hashes(3);
        var s = Key.SignSubmission(hashes)[1];
        var other = new TestHouseholdKey(new PartyId(0xD1, 2));

        s.Verify(other.Key, hashes[1]).ShouldBeFalse();
        (s with { KeyId = other.KeyId }).Verify(Key.Key, hashes[1]).ShouldBeFalse();
    }

    [Fact]
    public void SignedMessage_Root_IsTagAndRoot48Bytes()
    {
        var root = SHA256.HashData("r"u8);

        var message = HouseholdSignature.SignedMessage(root);

        message.ShouldBe([.. "MarketSubmission"u8, .. root]);
        Should.Throw<ArgumentException>(() => HouseholdSignature.SignedMessage(root.AsSpan(0, 31)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1025)]
    public void SubmissionRoot_SizeOutsideOneTo1024_Throws(int size)
    {
        Should.Throw<ArgumentException>(() => HouseholdSignature.SubmissionRoot(Hashes(size)));
    }

    [Fact]
    public void SubmissionRoot_1024Statements_IsTheReferenceRoot()
    {
        var hashes = Hashes(1024);

        HouseholdSignature.SubmissionRoot(hashes).ShouldBe(Reference.Root(hashes));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(7, 6)]
    [InlineData(21, 13)]
    [InlineData(1024, 1023)]
    public void EncodeTail_DecodesBackToTheSameSignature(int size, int index)
    {
        var hashes = Hashes(size);
        var s = HouseholdSignature.ForSubmission(hashes, Key.KeyId, new byte[64])[index];

        var tail = s.EncodeTail();

        tail[0].ShouldBe((byte)1);
        BinaryPrimitives.ReadUInt32BigEndian(tail.AsSpan(97)).ShouldBe((uint)size);
        BinaryPrimitives.ReadUInt32BigEndian(tail.AsSpan(101)).ShouldBe((uint)index);
        HouseholdSignature.TryDecodeTail(tail, out var decoded, out var error).ShouldBeTrue(error);
        decoded.ShouldBe(s);
    }

    public static TheoryData<string, string> BadTails() => new()
    {
        { "104 bytes", "at least 105" },
        { "auth 2", "at least 105" },
        { "size 0", "index < size" },
        { "size 1025", "index < size" },
        { "index = size", "index < size" },
        { "index beyond 2^31", "index < size" },
        { "path one node short", "nodes" },
        { "path one node long", "nodes" },
        { "path one byte long", "nodes" },
    };

    [Theory]
    [MemberData(nameof(BadTails))]
    public void TryDecodeTail_Broken_IsRefused(string what, string message)
    {
        var s = HouseholdSignature.ForSubmission(Hashes(6), Key.KeyId, new byte[64])[2]; // 3 nodes
        var tail = s.EncodeTail();
        byte[] bad = what switch
        {
            "104 bytes" => tail[..104],
            "auth 2" => [2, .. tail[1..]],
            "size 0" => Write(tail, 97, 0),
            "size 1025" => Write(tail, 97, 1025),
            "index = size" => Write(tail, 101, 6),
            "index beyond 2^31" => Write(tail, 101, 0x80000000),
            "path one node short" => tail[..^32],
            "path one node long" => [.. tail, .. new byte[32]],
            _ => [.. tail, 0],
        };

        HouseholdSignature.TryDecodeTail(bad, out var decoded, out var error).ShouldBeFalse();
        decoded.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(message);
    }

    [Fact]
    public void WriteTail_PathNotOfItsIndexAndSize_Throws()
    {
        var s = HouseholdSignature.ForSubmission(Hashes(6), Key.KeyId, new byte[64])[2];

        Should.Throw<InvalidOperationException>(() => (s with { Path = s.Path[..2] }).EncodeTail());
        Should.Throw<InvalidOperationException>(() => (s with { Index = 6 }).EncodeTail());
        Should.Throw<InvalidOperationException>(() => (s with { Signature = new byte[63] }).EncodeTail());
        Should.Throw<InvalidOperationException>(() => (s with { KeyId = new byte[31] }).EncodeTail());
    }

    [Fact]
    public void OrderAuthorization_MandateTail_Is33BytesAndUnknownKindsAreRefused()
    {
        var id = SHA256.HashData("mandate"u8);

        OrderAuthorization.TryDecode([2, .. id], out var mandate, out _).ShouldBeTrue();
        mandate.ShouldBe(new MandateOrder(id));
        OrderAuthorization.TryDecode([2, .. id, 0], out _, out var tooLong).ShouldBeFalse();
        tooLong.ShouldNotBeNull().ShouldContain("33 bytes");
        OrderAuthorization.TryDecode([3, .. id], out _, out var unknown).ShouldBeFalse();
        unknown.ShouldNotBeNull().ShouldContain("unknown kind 3");
        OrderAuthorization.TryDecode([], out _, out var none).ShouldBeFalse();
        none.ShouldNotBeNull().ShouldContain("(none)");
    }

    private static List<byte[]> Hashes(int n) => [.. Enumerable.Range(0, n).Select(i => SHA256.HashData(BitConverter.GetBytes(i)))];

    private static byte[] Write(byte[] tail, int offset, uint value)
    {
        var copy = (byte[])tail.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    /// <summary>RFC 9162 §2.1.3.1 PATH(m, D[n]), written from the RFC (recursive).</summary>
    private static List<byte[]> ReferencePath(int m, List<byte[]> d)
    {
        var n = d.Count;
        if (n == 1)
        {
            return [];
        }

        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return m < k
            ? [.. ReferencePath(m, [.. d.Take(k)]), Reference.Root([.. d.Skip(k)])]
            : [.. ReferencePath(m - k, [.. d.Skip(k)]), Reference.Root([.. d.Take(k)])];
    }
}
