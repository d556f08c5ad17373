using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.EC;

namespace Market.Ledger.Tests;

public sealed class HouseholdKeyTests
{
    private static readonly TestHouseholdKey P256 = new(new PartyId(0xD0, 1));
    private static readonly byte[] Message = HouseholdSignature.SignedMessage(SHA256.HashData("submission"u8));
    private static readonly byte[] CurveOrder = CustomNamedCurves.GetByName("secp256r1").N.ToByteArrayUnsigned();

    // RFC 8032 §7.1, test 1 (empty message).
    private static readonly byte[] RfcPublicKey = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static readonly byte[] RfcSignature = Convert.FromHexString("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

    [Fact]
    public void TryCreate_P256PointOnTheCurve_KeyIdIsSha256OfAlgorithmAndKey()
    {
        var ok = HouseholdKey.TryCreate(HouseholdKeyAlgorithm.P256, P256.PublicKeyBytes, out var key, out var error);

        (ok, error).ShouldBe((true, null));
        key!.KeyId.ShouldBe(SHA256.HashData([1, .. P256.PublicKeyBytes]));
        key.PublicKey.ShouldBe(P256.PublicKeyBytes);
    }

    [Fact]
    public void TryCreate_P256YChanged_IsNotOnTheCurve()
    {
        var bytes = (byte[])P256.PublicKeyBytes.Clone();
        bytes[64] ^= 0x01;

        var ok = HouseholdKey.TryCreate(HouseholdKeyAlgorithm.P256, bytes, out var key, out var error);

        (ok, key).ShouldBe((false, null));
        error.ShouldNotBeNull().ShouldContain("not a point on the curve");
    }

    [Theory]
    [InlineData("zeros")]
    [InlineData("x is the field prime")]
    [InlineData("all ones")]
    public void TryCreate_P256NotAFieldPointOnTheCurve_IsRefused(string what)
    {
        var p = Convert.FromHexString("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
        byte[] bytes = what switch
        {
            "zeros" => [0x04, .. new byte[64]],
            "x is the field prime" => [0x04, .. p, .. P256.PublicKeyBytes[33..]],
            _ => [0x04, .. Enumerable.Repeat((byte)0xFF, 64)],
        };

        HouseholdKey.TryCreate(HouseholdKeyAlgorithm.P256, bytes, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("not a point on the curve");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(66)]
    [InlineData(33)]
    [InlineData(0)]
    public void TryCreate_P256WrongSize_IsRefused(int size)
    {
        var bytes = P256.PublicKeyBytes.Concat(new byte[2]).Take(size).ToArray();

        HouseholdKey.TryCreate(HouseholdKeyAlgorithm.P256, bytes, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("65 bytes");
    }

    [Fact]
    public void TryCreate_P256CompressedForm_IsRefused()
    {
        var compressed = CustomNamedCurves.GetByName("secp256r1").Curve.DecodePoint(P256.PublicKeyBytes).GetEncoded(true);
        byte[] padded = [.. compressed, .. new byte[32]];

        HouseholdKey.TryCreate(HouseholdKeyAlgorithm.P256, compressed, out _, out _).ShouldBeFalse();
        HouseholdKey.TryCreate(HouseholdKeyAlgorithm.P256, padded, out _, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(65)]
    public void TryCreate_Ed25519WrongSize_IsRefused(int size)
    {
        HouseholdKey.TryCreate(HouseholdKeyAlgorithm.Ed25519, new byte[size], out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("32 bytes");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void TryCreate_UnknownAlgorithm_IsRefused(byte algorithm)
    {
        HouseholdKey.TryCreate((HouseholdKeyAlgorithm)algorithm, P256.PublicKeyBytes, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("unknown household key algorithm");
    }

    [Fact]
    public void Create_InvalidKey_Throws()
    {
        Should.Throw<ArgumentException>(() => HouseholdKey.Create(HouseholdKeyAlgorithm.P256, new byte[65]));
    }

    [Fact]
    public void Verify_P256SignatureOverTheMessage_IsValidAndNothingElseIs()
    {
        var signature = P256.Sign(Message);
        var otherMessage = (byte[])Message.Clone();
        otherMessage[47] ^= 0x01;

        P256.Key.Verify(Message, signature).ShouldBeTrue();
        P256.Key.Verify(otherMessage, signature).ShouldBeFalse();
        new TestHouseholdKey(new PartyId(0xD0, 2)).Key.Verify(Message, signature).ShouldBeFalse();
    }

    [Fact]
    public void Verify_P256HighS_IsAccepted()
    {
        var signature = P256.Sign(Message);
        var n = new Org.BouncyCastle.Math.BigInteger(1, CurveOrder);
        var s = n.Subtract(new Org.BouncyCastle.Math.BigInteger(1, signature, 32, 32));
        byte[] twin = [.. signature[..32], .. Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, s)];

        P256.Key.Verify(Message, twin).ShouldBeTrue();
    }

    [Theory]
    [InlineData("r zero")]
    [InlineData("s zero")]
    [InlineData("r is n")]
    [InlineData("s is n")]
    [InlineData("63 bytes")]
    [InlineData("65 bytes")]
    [InlineData("DER")]
    public void Verify_P256SignatureOutOfRangeOrWrongSize_IsFalse(string what)
    {
        var signature = P256.Sign(Message);
        byte[] bad = what switch
        {
            "r zero" => [.. new byte[32], .. signature[32..]],
            "s zero" => [.. signature[..32], .. new byte[32]],
            "r is n" => [.. CurveOrder, .. signature[32..]],
            "s is n" => [.. signature[..32], .. CurveOrder],
            "63 bytes" => signature[..63],
            "65 bytes" => [.. signature, 0],
            _ => [0x30, 0x44, 0x02, 0x20, .. signature[..32], 0x02, 0x20, .. signature[32..]],
        };

        P256.Key.Verify(Message, bad).ShouldBeFalse();
    }

    [Fact]
    public void Verify_Ed25519Rfc8032Test1_IsValid()
    {
        var key = HouseholdKey.Create(HouseholdKeyAlgorithm.Ed25519, RfcPublicKey);

        key.Verify([], RfcSignature).ShouldBeTrue();
        key.Verify([0x00], RfcSignature).ShouldBeFalse();
        key.KeyId.ShouldBe(SHA256.HashData([2, .. RfcPublicKey]));
    }

    [Fact]
    public void Verify_Ed25519SignatureChangedOrWrongSize_IsFalse()
    {
        var key = TestHouseholdKey.Ed25519(new PartyId(0xD0, 3));
        var signature = key.Sign(Message);

        key.Key.Verify(Message, signature).ShouldBeTrue();
        key.Key.Verify(Message, Tamper(signature, 0)).ShouldBeFalse();
        key.Key.Verify(Message, Tamper(signature, 63)).ShouldBeFalse();
        key.Key.Verify(Message, signature.AsSpan(0, 63)).ShouldBeFalse();
        key.Key.Verify(Message, [.. signature, 0]).ShouldBeFalse();
    }

    [Fact]
    public void Verify_ManyThreadsAtOnce_AllAgree()
    {
        var signature = P256.Sign(Message);
        var bad = Tamper(signature, 5);

        var results = Enumerable.Range(0, 64).AsParallel().Select(i => P256.Key.Verify(Message, i % 2 == 0 ? signature : bad)).ToArray();

        results.Select((ok, i) => ok == (i % 2 == 0)).ShouldAllBe(x => x);
    }

    private static byte[] Tamper(byte[] bytes, int offset)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }
}
