using System.Text;

namespace Market.Ledger.Tests;

public sealed class NoteVerifierKeyTests
{
    private const string Peter = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

    [Fact]
    public void Create_FromParsedParts_EncodesTheSameVkey()
    {
        NoteVerifierKey.TryParse(Peter, out var parsed, out _).ShouldBeTrue();

        var key = NoteVerifierKey.Create(parsed!.Name, parsed.Type, parsed.PublicKey);

        key.Encode().ShouldBe(Peter);
        key.ToString().ShouldBe(Peter);
        key.KeyId.ShouldBe(0xc74f20a3u);
        key.Type.ShouldBe(NoteVerifierKey.Ed25519);
    }

    [Fact]
    public void TryParse_EverySubstringAndEveryByteIncrement_IsRejected()
    {
        // As Go's TestNewVerifier: any mangling of a valid vkey must fail.
        var bytes = Encoding.ASCII.GetBytes(Peter);
        var accepted = new List<string>();

        for (var i = 0; i <= bytes.Length; i++)
        {
            for (var j = i + 1; j <= bytes.Length; j++)
            {
                if ((i != 0 || j != bytes.Length) && NoteVerifierKey.TryParse(Peter[i..j], out _, out _))
                {
                    accepted.Add(Peter[i..j]);
                }
            }
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var mangled = (byte[])bytes.Clone();
            mangled[i]++;
            var text = Encoding.ASCII.GetString(mangled);
            if (NoteVerifierKey.TryParse(text, out _, out _))
            {
                accepted.Add(text);
            }
        }

        accepted.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a+b")]
    [InlineData("")]
    [InlineData("a\u00a0b")]
    [InlineData("a\u0001b")]
    public void Create_InvalidName_Throws(string name)
    {
        Should.Throw<ArgumentException>(() => NoteVerifierKey.Create(name, NoteVerifierKey.Ed25519, new byte[32]));
    }

    [Fact]
    public void Create_UnsupportedTypeOrLength_Throws()
    {
        Should.Throw<ArgumentException>(() => NoteVerifierKey.Create("a", 0x02, new byte[32]));
        Should.Throw<ArgumentException>(() => NoteVerifierKey.Create("a", NoteVerifierKey.Ed25519, new byte[31]));
    }

    [Fact]
    public void KeyId_SameKeyOtherType_Differs()
    {
        var key = new byte[32];

        var note = NoteVerifierKey.Create("w.example", NoteVerifierKey.Ed25519, key);
        var cosign = NoteVerifierKey.Create("w.example", NoteVerifierKey.CosignatureV1, key);

        note.KeyId.ShouldNotBe(cosign.KeyId);
        note.SameKey(cosign).ShouldBeTrue();
    }

    [Fact]
    public void SameKey_DifferentPublicKey_IsFalse()
    {
        var a = NoteVerifierKey.Create("a", NoteVerifierKey.Ed25519, new byte[32]);
        var b = NoteVerifierKey.Create("a", NoteVerifierKey.Ed25519, Enumerable.Repeat((byte)1, 32).ToArray());

        a.SameKey(b).ShouldBeFalse();
    }

    [Theory]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T")]
    [InlineData("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("PeterNeumann+0c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("PeterNeumann")]
    [InlineData("PeterNeumann+c74f20a3")]
    public void TryParse_Malformed_ReturnsError(string vkey)
    {
        var parsed = NoteVerifierKey.TryParse(vkey, out var key, out var error);

        parsed.ShouldBeFalse();
        key.ShouldBeNull();
        error.ShouldNotBeNullOrEmpty();
    }
}
