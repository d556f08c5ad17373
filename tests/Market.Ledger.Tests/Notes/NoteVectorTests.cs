using System.Text.Json;

namespace Market.Ledger.Tests;

/// <summary>Every vector of Vectors/notes.json (Go's sumdb/note tests, the C2SP examples, our own); the JavaScript
/// verifier reads the same file.</summary>
public sealed class NoteVectorTests
{
    private static readonly JsonElement Root = Vectors.Load("notes.json").RootElement;

    public static TheoryData<int> Notes() => Indexes("notes");

    public static TheoryData<int> VerifierKeys() => Indexes("vkeys");

    public static TheoryData<int> Checkpoints() => Indexes("checkpoints");

    public static TheoryData<int> Cosignatures() => Indexes("cosignatures");

    public static TheoryData<int> Policies() => Indexes("policies");

    public static TheoryData<int> CheckedNotes() => Indexes("checkedNotes");

    [Theory]
    [MemberData(nameof(Notes))]
    public void VerifyBy_NoteVector_GivesItsVerdict(int index)
    {
        var vector = Root.GetProperty("notes")[index];
        NoteVerifierKey.TryParse(vector.GetProperty("vkey").GetString()!, out var key, out _).ShouldBeTrue();
        var text = vector.GetProperty("note").GetString()!;

        var parsed = SignedNote.TryParse(text, out var note, out var error);

        var verdict = vector.GetProperty("verdict").GetString();
        if (verdict == "malformed")
        {
            parsed.ShouldBeFalse();
            error.ShouldNotBeNull();
            return;
        }

        parsed.ShouldBeTrue(error);
        note!.VerifyBy(key!).ShouldBe(verdict switch
        {
            "verified" => true,
            "invalid" => false,
            _ => (bool?)null,
        });
        note.Encode().ShouldBe(text);
        if (vector.TryGetProperty("text", out var noteText))
        {
            note.Text.ShouldBe(noteText.GetString());
        }
    }

    [Theory]
    [MemberData(nameof(Notes))]
    public void Sign_NoteVectorWithSigningKey_ReproducesTheFirstSignatureLine(int index)
    {
        var vector = Root.GetProperty("notes")[index];
        if (!vector.TryGetProperty("skey", out var skey))
        {
            return;
        }

        NoteSigningKey.TryParse(skey.GetString()!, out var key, out var error).ShouldBeTrue(error);
        var text = vector.GetProperty("text").GetString()!;

        var signature = SignedNote.Sign(text, key!);

        SignedNote.TryParse(vector.GetProperty("note").GetString()!, out var note, out _).ShouldBeTrue();
        signature.ToLine().ShouldBe(note!.Signatures[0].ToLine());
        key!.VerifierKey.Encode().ShouldBe(vector.GetProperty("vkey").GetString());
    }

    [Theory]
    [MemberData(nameof(VerifierKeys))]
    public void TryParse_VerifierKeyVector_AcceptsExactlyTheValidOnes(int index)
    {
        var vector = Root.GetProperty("vkeys")[index];
        var text = vector.GetProperty("vkey").GetString()!;

        var parsed = NoteVerifierKey.TryParse(text, out var key, out var error);

        parsed.ShouldBe(vector.GetProperty("valid").GetBoolean(), error);
        if (parsed)
        {
            key!.Encode().ShouldBe(text);
        }
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void TryParse_CheckpointVector_AcceptsExactlyTheValidOnes(int index)
    {
        var vector = Root.GetProperty("checkpoints")[index];
        var body = vector.GetProperty("body").GetString()!;

        var parsed = CheckpointNote.TryParse(body, out var checkpoint, out var error);

        parsed.ShouldBe(vector.GetProperty("valid").GetBoolean(), error);
        if (parsed)
        {
            checkpoint!.Origin.ShouldBe(vector.GetProperty("origin").GetString());
            checkpoint.Size.ShouldBe(vector.GetProperty("size").GetInt64());
            Convert.ToBase64String(checkpoint.Root).ShouldBe(vector.GetProperty("root").GetString());
            checkpoint.Body().ShouldBe(body);
        }
    }

    [Theory]
    [MemberData(nameof(Cosignatures))]
    public void TryVerify_CosignatureVector_GivesItsVerdict(int index)
    {
        var vector = Root.GetProperty("cosignatures")[index];
        var body = vector.GetProperty("body").GetString()!;
        NoteSignature.TryParseLine(vector.GetProperty("line").GetString()!, out var line, out var lineError).ShouldBeTrue(lineError);

        if (!vector.TryGetProperty("vkey", out var vkey))
        {
            // The C2SP example: its key is not published; check the layout of the line and the signed message.
            line!.KeyId.ShouldBe(Convert.ToUInt32(vector.GetProperty("keyId").GetString(), 16));
            line.Signature.Length.ShouldBe(Cosignature.SignatureSize);
            var time = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(line.Signature);
            time.ShouldBe(vector.GetProperty("timestamp").GetInt64());
            Cosignature.Message(body, time).ShouldBe(System.Text.Encoding.UTF8.GetBytes(vector.GetProperty("message").GetString()!));
            return;
        }

        NoteVerifierKey.TryParse(vkey.GetString()!, out var key, out _).ShouldBeTrue();

        var valid = Cosignature.TryVerify(body, line!, key!, out var timestamp);

        valid.ShouldBe(vector.GetProperty("valid").GetBoolean());
        if (valid)
        {
            timestamp.ShouldBe(vector.GetProperty("timestamp").GetInt64());
        }
    }

    [Theory]
    [MemberData(nameof(Cosignatures))]
    public void Sign_CosignatureVectorWithSigningKey_ReproducesTheLine(int index)
    {
        var vector = Root.GetProperty("cosignatures")[index];
        if (!vector.TryGetProperty("skey", out var skey))
        {
            return;
        }

        NoteSigningKey.TryParse(skey.GetString()!, out var key, out _).ShouldBeTrue();

        var line = Cosignature.Sign(vector.GetProperty("body").GetString()!, vector.GetProperty("timestamp").GetInt64(), key!);

        line.ToLine().ShouldBe(vector.GetProperty("line").GetString() + "\n");
    }

    [Theory]
    [MemberData(nameof(CheckedNotes))]
    public void Check_CheckedNoteVector_FindsTheLogCosignersAndQuorum(int index)
    {
        var vector = Root.GetProperty("checkedNotes")[index];
        WitnessPolicy.TryParse(vector.GetProperty("policy").GetString()!, out var policy, out var error).ShouldBeTrue(error);
        SignedNote.TryParse(vector.GetProperty("note").GetString()!, out var note, out error).ShouldBeTrue(error);

        var check = policy!.Check(note!);

        check.LogSignatureValid.ShouldBe(vector.GetProperty("logSignatureValid").GetBoolean());
        check.Cosigners.ShouldBe([.. vector.GetProperty("cosigners").EnumerateArray().Select(c => (c[0].GetString()!, c[1].GetInt64()))]);
        check.InvalidCosigners.ShouldBe([.. vector.GetProperty("invalidCosigners").EnumerateArray().Select(c => c.GetString()!)]);
        check.QuorumMet.ShouldBe(vector.GetProperty("quorumMet").GetBoolean());
        (check.Problem is null).ShouldBe(check.QuorumMet);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void TryParse_PolicyVector_GivesItsVerdictAndQuorums(int index)
    {
        var vector = Root.GetProperty("policies")[index];

        var parsed = WitnessPolicy.TryParse(vector.GetProperty("text").GetString()!, out var policy, out var error);

        parsed.ShouldBe(vector.GetProperty("valid").GetBoolean(), error);
        if (!parsed)
        {
            error.ShouldNotBeNull();
            return;
        }

        WitnessPolicy.TryParse(policy!.Encode(), out var again, out var againError).ShouldBeTrue(againError);
        again!.Encode().ShouldBe(policy.Encode());
        if (vector.TryGetProperty("quorum", out var quorums))
        {
            foreach (var q in quorums.EnumerateArray())
            {
                var names = q.GetProperty("witnesses").EnumerateArray().Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal);
                policy.IsSatisfiedBy(names).ShouldBe(q.GetProperty("met").GetBoolean(), string.Join(",", names));
                again.IsSatisfiedBy(names).ShouldBe(q.GetProperty("met").GetBoolean());
            }
        }
    }

    private static TheoryData<int> Indexes(string section) => [.. Enumerable.Range(0, Root.GetProperty(section).GetArrayLength())];
}
