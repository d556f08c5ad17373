using System.Text;

namespace Market.Ledger.Tests;

public sealed class NoteSigningKeyTests
{
    private const string Peter = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

    [Fact]
    public void TryParse_GoSigningKey_GivesGoVerifierKey()
    {
        var parsed = NoteSigningKey.TryParse(Peter, out var key, out var error);

        parsed.ShouldBeTrue(error);
        key!.VerifierKey.Encode().ShouldBe("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
        key.Encode().ShouldBe(Peter);
        key.Name.ShouldBe("PeterNeumann");
        key.Type.ShouldBe(NoteVerifierKey.Ed25519);
    }

    [Fact]
    public void TryParse_EverySubstringAndEveryByteIncrement_IsRejected()
    {
        var bytes = Encoding.ASCII.GetBytes(Peter);
        var accepted = new List<string>();

        for (var i = 0; i <= bytes.Length; i++)
        {
            for (var j = i + 1; j <= bytes.Length; j++)
            {
                if ((i != 0 || j != bytes.Length) && NoteSigningKey.TryParse(Peter[i..j], out _, out _))
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
            if (NoteSigningKey.TryParse(text, out _, out _))
            {
                accepted.Add(text);
            }
        }

        accepted.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(NoteVerifierKey.Ed25519)]
    [InlineData(NoteVerifierKey.CosignatureV1)]
    public void Generate_Encoded_ParsesToTheSameKey(byte type)
    {
        var key = NoteSigningKey.Generate("witness.example/w1", type);

        NoteSigningKey.TryParse(key.Encode(), out var parsed, out var error).ShouldBeTrue(error);

        parsed!.VerifierKey.Encode().ShouldBe(key.VerifierKey.Encode());
        parsed.Type.ShouldBe(type);
    }

    [Fact]
    public void Sign_Message_VerifiesUnderItsVerifierKeyOnly()
    {
        var key = NoteSigningKey.Generate("a", NoteVerifierKey.Ed25519);
        var other = NoteSigningKey.Generate("a", NoteVerifierKey.Ed25519);
        var message = "hi"u8.ToArray();

        var signature = key.Sign(message);

        key.VerifierKey.VerifyEd25519(message, signature).ShouldBeTrue();
        other.VerifierKey.VerifyEd25519(message, signature).ShouldBeFalse();
        key.VerifierKey.VerifyEd25519("ho"u8.ToArray(), signature).ShouldBeFalse();
    }

    [Fact]
    public void ToString_NeverShowsTheSecret()
    {
        var key = NoteSigningKey.Generate("a", NoteVerifierKey.Ed25519);

        var text = key.ToString();

        text.ShouldNotContain("PRIVATE");
        text.ShouldBe(key.VerifierKey.Encode());
    }

    [Fact]
    public void Generate_UnsupportedType_Throws()
    {
        Should.Throw<ArgumentException>(() => NoteSigningKey.Generate("a", 0x02));
    }
}
