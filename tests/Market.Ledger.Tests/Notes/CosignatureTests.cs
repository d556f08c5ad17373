using System.Buffers.Binary;
using System.Text;

namespace Market.Ledger.Tests;

public sealed class CosignatureTests
{
    private static readonly NoteSigningKey Witness = NoteSigningKey.Generate("witness.example/w1", NoteVerifierKey.CosignatureV1);
    private static readonly string Body = new CheckpointNote("example.org/log", 7, new byte[32], []).Body();

    [Fact]
    public void Message_Body_IsHeaderTimeLineAndBody()
    {
        var message = Cosignature.Message(Body, 1679315147);

        Encoding.UTF8.GetString(message).ShouldBe("cosignature/v1\ntime 1679315147\n" + Body);
    }

    [Fact]
    public void Sign_Verify_GivesTheTimestamp()
    {
        var line = Cosignature.Sign(Body, 1_764_930_000, Witness);

        var valid = Cosignature.TryVerify(Body, line, Witness.VerifierKey, out var timestamp);

        valid.ShouldBeTrue();
        timestamp.ShouldBe(1_764_930_000);
        line.Signature.Length.ShouldBe(Cosignature.SignatureSize);
        BinaryPrimitives.ReadInt64BigEndian(line.Signature).ShouldBe(1_764_930_000);
    }

    [Fact]
    public void TryVerify_TimestampChanged_Fails()
    {
        var line = Cosignature.Sign(Body, 100, Witness);
        var bytes = (byte[])line.Signature.Clone();
        bytes[7]++;

        Cosignature.TryVerify(Body, line with { Signature = bytes }, Witness.VerifierKey, out var timestamp).ShouldBeFalse();
        timestamp.ShouldBe(0);
    }

    [Fact]
    public void TryVerify_TimestampAboveInt64Max_Fails()
    {
        var line = Cosignature.Sign(Body, 100, Witness);
        var bytes = (byte[])line.Signature.Clone();
        bytes[0] = 0x80;

        Cosignature.TryVerify(Body, line with { Signature = bytes }, Witness.VerifierKey, out _).ShouldBeFalse();
    }

    [Fact]
    public void TryVerify_OtherBodyOrKeyOfType01_Fails()
    {
        var line = Cosignature.Sign(Body, 100, Witness);
        var sameKeyAsNoteKey = NoteVerifierKey.Create(Witness.Name, NoteVerifierKey.Ed25519, Witness.VerifierKey.PublicKey);

        Cosignature.TryVerify(Body.Replace("7", "8", StringComparison.Ordinal), line, Witness.VerifierKey, out _).ShouldBeFalse();
        Cosignature.TryVerify(Body, line, sameKeyAsNoteKey, out _).ShouldBeFalse();
    }

    [Fact]
    public void Sign_NoteKey_Throws()
    {
        var log = NoteSigningKey.Generate("log", NoteVerifierKey.Ed25519);

        Should.Throw<ArgumentException>(() => Cosignature.Sign(Body, 1, log));
        Should.Throw<ArgumentOutOfRangeException>(() => Cosignature.Sign(Body, -1, Witness));
    }
}
