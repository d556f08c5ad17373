namespace Market.Ledger.Tests;

public sealed class SignedNoteTests
{
    private static readonly NoteSigningKey Key = NoteSigningKey.Generate("example.org/log", NoteVerifierKey.Ed25519);

    [Fact]
    public void Encode_SignedText_ParsesBackIdentically()
    {
        var text = "hello\n\nworld\n";
        var note = new SignedNote(text, [SignedNote.Sign(text, Key)]);

        var encoded = note.Encode();

        SignedNote.TryParse(encoded, out var parsed, out var error).ShouldBeTrue(error);
        parsed!.Text.ShouldBe(text);
        parsed.Encode().ShouldBe(encoded);
        parsed.VerifyBy(Key.VerifierKey).ShouldBe(true);
    }

    [Fact]
    public void TryParse_TextEndingInWhatLooksLikeASignatureBlock_SplitsAtTheLastBlankLine()
    {
        // The text's own "blank line, signature-like line" is text: only the last blank line separates.
        var text = "a\n\n\u2014 x AAAAAAAA\n";
        var encoded = new SignedNote(text, [SignedNote.Sign(text, Key)]).Encode();

        SignedNote.TryParse(encoded, out var parsed, out var error).ShouldBeTrue(error);

        parsed!.Text.ShouldBe(text);
        parsed.Signatures.Count.ShouldBe(1);
        parsed.VerifyBy(Key.VerifierKey).ShouldBe(true);
    }

    [Fact]
    public void TryParse_Utf8BytesNotUtf8_IsRejected()
    {
        byte[] bytes = [0xff, (byte)'a', (byte)'\n', (byte)'\n'];

        var parsed = SignedNote.TryParse(bytes, out _, out var error);

        parsed.ShouldBeFalse();
        error.ShouldNotBeNull();
    }

    [Fact]
    public void TryParse_Utf8Bytes_SameAsString()
    {
        var text = "caf\u00e9 \u2014\n";
        var encoded = new SignedNote(text, [SignedNote.Sign(text, Key)]).Encode();

        SignedNote.TryParse(System.Text.Encoding.UTF8.GetBytes(encoded), out var parsed, out _).ShouldBeTrue();

        parsed!.VerifyBy(Key.VerifierKey).ShouldBe(true);
    }

    [Fact]
    public void TryParse_LoneSurrogate_IsRejected()
    {
        var text = "a\ud800\n";
        var note = "a\ud800\n\n" + new NoteSignature("k", 1, new byte[64]).ToLine();

        SignedNote.IsValidText(text).ShouldBeFalse();
        SignedNote.TryParse(note, out _, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("no newline")]
    [InlineData("tab\t\n")]
    public void Sign_InvalidText_Throws(string text)
    {
        Should.Throw<ArgumentException>(() => SignedNote.Sign(text, Key));
    }

    [Fact]
    public void Sign_CosignatureKey_Throws()
    {
        var witness = NoteSigningKey.Generate("w", NoteVerifierKey.CosignatureV1);

        Should.Throw<ArgumentException>(() => SignedNote.Sign("a\n", witness));
    }

    [Fact]
    public void Encode_NoSignatures_Throws()
    {
        var note = new SignedNote("a\n", []);

        Should.Throw<InvalidOperationException>(note.Encode);
    }

    [Fact]
    public void WithSignature_EqualLine_IsNotRepeated()
    {
        var signature = SignedNote.Sign("a\n", Key);
        var note = new SignedNote("a\n", [signature]);

        var same = note.WithSignature(new NoteSignature(signature.Name, signature.KeyId, (byte[])signature.Signature.Clone()));
        var more = note.WithSignature(SignedNote.Sign("a\n", NoteSigningKey.Generate("other", NoteVerifierKey.Ed25519)));

        same.Signatures.Count.ShouldBe(1);
        more.Signatures.Count.ShouldBe(2);
        more.Encode().ShouldStartWith(note.Encode());
    }

    [Fact]
    public void VerifyBy_OneGoodOneBadLineFromTheKey_IsFalse()
    {
        var good = SignedNote.Sign("a\n", Key);
        var bad = good with { Signature = SignedNote.Sign("b\n", Key).Signature };
        var note = new SignedNote("a\n", [good, bad]);

        var result = note.VerifyBy(Key.VerifierKey);

        result.ShouldBe(false);
    }

    [Fact]
    public void VerifyBy_SameNameOtherId_IsIgnored()
    {
        var good = SignedNote.Sign("a\n", Key);
        var stranger = new NoteSignature(Key.Name, Key.VerifierKey.KeyId ^ 1, new byte[64]);
        var note = new SignedNote("a\n", [stranger, good]);

        note.VerifyBy(Key.VerifierKey).ShouldBe(true);
        new SignedNote("a\n", [stranger]).VerifyBy(Key.VerifierKey).ShouldBeNull();
    }

    [Fact]
    public void VerifyBy_CosignatureKey_ChecksTheCosignature()
    {
        var witness = NoteSigningKey.Generate("w", NoteVerifierKey.CosignatureV1);
        var body = new CheckpointNote("example.org/log", 1, new byte[32], []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, Key), Cosignature.Sign(body, 5, witness)]);

        note.VerifyBy(witness.VerifierKey).ShouldBe(true);
    }

    [Fact]
    public void TryParse_OneHundredSignatures_IsAcceptedButNotOneMore()
    {
        var line = SignedNote.Sign("a\n", Key).ToLine();

        SignedNote.TryParse("a\n\n" + string.Concat(Enumerable.Repeat(line, SignedNote.MaxSignatures)), out _, out _).ShouldBeTrue();
        SignedNote.TryParse("a\n\n" + string.Concat(Enumerable.Repeat(line, SignedNote.MaxSignatures + 1)), out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("a\n\n\u2014 k AAAAAAAA\n\n")]
    [InlineData("a\n\n\n")]
    [InlineData("a\n\u2014 k AAAAAAAA\n")]
    [InlineData("a\n\n\u2014 k AAAAAAAA\nextra\n")]
    [InlineData("a\n\n\u2014 k AAAAAAAA")]
    [InlineData("a\n\n\u2014 k AAAAAA==\n")]
    [InlineData("a\n\n\u2014 k AAAA AAAA\n")]
    [InlineData("a\n\n\u2014 k  AAAAAAAA\n")]
    [InlineData("a\n\n\u2014k AAAAAAAA\n")]
    [InlineData("a\r\n\n\u2014 k AAAAAAAA\n")]
    public void TryParse_Malformed_ReturnsError(string note)
    {
        var parsed = SignedNote.TryParse(note, out var result, out var error);

        parsed.ShouldBeFalse();
        result.ShouldBeNull();
        error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void TryParseLine_NonCanonicalBase64_IsRejected()
    {
        // A 5-byte signature whose last character carries non-zero unused bits: the same bytes, another spelling.
        var parsed = NoteSignature.TryParseLine("\u2014 k AAAAAAB=", out _, out _);
        var canonical = NoteSignature.TryParseLine("\u2014 k AAAAAAA=", out var line, out _);

        parsed.ShouldBeFalse();
        canonical.ShouldBeTrue();
        line!.Signature.Length.ShouldBe(1);
    }
}
