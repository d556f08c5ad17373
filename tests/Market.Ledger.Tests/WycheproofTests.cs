using System.Security.Cryptography;
using Org.BouncyCastle.Math;

namespace Market.Ledger.Tests;

/// <summary>
/// Every case of Wycheproof ecdsa_secp256k1_sha256 (463: 164 valid, 299 invalid). Signatures are DER, decoded
/// strictly with <see cref="Signatures.TryDecodeDer"/>; keys are given uncompressed and compressed here.
/// OUR CHOICE: the verifier enforces low-S (s ≤ n/2), so the 69 valid high-S cases are REJECTED on purpose; every
/// other valid case is accepted and every invalid case rejected.
/// </summary>
public sealed class WycheproofTests
{
    private static readonly BigInteger HalfN = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256k1").N.ShiftRight(1);
    private static readonly List<Case> Cases = Load();

    public static TheoryData<int, string> CaseIds()
    {
        var data = new TheoryData<int, string>();
        foreach (var c in Cases)
        {
            data.Add(c.TcId, $"{c.Result}: {c.Comment}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Verify_WycheproofCase_AcceptsExactlyValidLowS(int tcId, string description)
    {
        var c = Cases.Single(x => x.TcId == tcId);
        var expected = c.Result == "valid" && !IsHighS(c.Der);

        var ok = VerifyDer(c);

        ok.ShouldBe(expected, description);
    }

    [Fact]
    public void Verify_ValidCasesWeReject_AreExactlyThe69HighSOnes()
    {
        var valid = Cases.Where(c => c.Result == "valid").ToList();

        var rejected = valid.Where(c => !VerifyDer(c)).ToList();

        valid.Count.ShouldBe(164);
        rejected.Count.ShouldBe(69);
        rejected.ShouldAllBe(c => IsHighS(c.Der));
        rejected.ShouldAllBe(c => VerifyNormalised(c));
    }

    [Fact]
    public void Verify_InvalidCases_AllRejected()
    {
        var invalid = Cases.Where(c => c.Result == "invalid").ToList();

        var accepted = invalid.Where(VerifyDer).Select(c => c.TcId).ToList();

        invalid.Count.ShouldBe(299);
        accepted.ShouldBeEmpty();
        Cases.Count.ShouldBe(463);
    }

    private static bool VerifyDer(Case c) =>
        Signatures.TryDecodeDer(c.Der, out var signature) && Signatures.Verify(c.PublicKey, SHA256.HashData(c.Message), signature);

    /// <summary>The same signature with s replaced by n − s: shows a high-S case is rejected only for being high.</summary>
    private static bool VerifyNormalised(Case c)
    {
        Signatures.TryDecodeDer(c.Der, out var signature).ShouldBeTrue();
        var s = new BigInteger(1, signature.AsSpan(32));
        var low = HalfN.ShiftLeft(1).Add(BigInteger.One).Subtract(s);
        var normalised = signature[..32].Concat(low.ToByteArrayUnsigned().PadLeft(32)).ToArray();
        return Signatures.Verify(c.PublicKey, SHA256.HashData(c.Message), normalised);
    }

    private static bool IsHighS(byte[] der) =>
        Signatures.TryDecodeDer(der, out var signature) && new BigInteger(1, signature.AsSpan(32)).CompareTo(HalfN) > 0;

    private static List<Case> Load()
    {
        using var document = Vectors.Load("wycheproof_ecdsa_secp256k1_sha256_test.json");
        var cases = new List<Case>();
        foreach (var group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            var key = group.GetProperty("publicKey");
            var x = new BigInteger(1, Vectors.Hex(key.GetProperty("wx")));
            var y = new BigInteger(1, Vectors.Hex(key.GetProperty("wy")));
            byte[] compressed = [(byte)(y.TestBit(0) ? 0x03 : 0x02), .. x.ToByteArrayUnsigned().PadLeft(32)];
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                cases.Add(new Case(
                    test.GetProperty("tcId").GetInt32(),
                    test.GetProperty("comment").GetString()!,
                    test.GetProperty("result").GetString()!,
                    compressed,
                    Vectors.Hex(test.GetProperty("msg")),
                    Vectors.Hex(test.GetProperty("sig"))));
            }
        }

        return cases;
    }

    private sealed record Case(int TcId, string Comment, string Result, byte[] PublicKey, byte[] Message, byte[] Der);
}

internal static class ByteArrayExtensions
{
    public static byte[] PadLeft(this byte[] value, int length) =>
        value.Length >= length ? value : [.. new byte[length - value.Length], .. value];
}
